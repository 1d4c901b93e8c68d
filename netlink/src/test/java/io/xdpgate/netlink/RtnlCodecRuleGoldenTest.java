package io.xdpgate.netlink;

import static io.xdpgate.netlink.Rtnl.AF_INET;
import static io.xdpgate.netlink.Rtnl.AF_INET6;
import static io.xdpgate.netlink.Rtnl.FR_ACT_TO_TBL;
import static io.xdpgate.netlink.Rtnl.RTPROT_KERNEL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Policy routing rules as the kernel announced them for real `ip rule` commands (golden/ip-rule-commands.txt,
 * with what `ip -j rule show` printed afterwards): each decodes to what ip shows.
 */
class RtnlCodecRuleGoldenTest {
    private static final Map<String, List<byte[]>> DATAGRAMS = new LinkedHashMap<>();

    @BeforeAll
    static void load() throws IOException {
        GoldenDatagrams.read("/golden/ip-rule-commands.txt", DATAGRAMS);
    }

    private static RtnlEvent only(String command) throws NetlinkProtocolException {
        assertEquals(ByteOrder.LITTLE_ENDIAN, ByteOrder.nativeOrder(), "recorded little endian");
        List<RtnlEvent> events = new ArrayList<>();
        for (byte[] d : DATAGRAMS.get(command)) RtnlCodec.parse(ByteBuffer.wrap(d).order(ByteOrder.nativeOrder()), events::add);
        assertEquals(1, events.size(), command + ": " + events);
        return events.get(0);
    }

    /** The fields ip shows, without the identity. */
    private static List<Object> shown(RtnlObject o) {
        Rule r = (Rule) o;
        return List.of(r.family(), r.priority(), r.table(), r.action(), r.protocol(), r.matchesEverything());
    }

    private static List<Object> shown(int family, int priority, int table, int action, int protocol, boolean everything) {
        return List.of(family, priority, table, action, protocol, everything);
    }

    @Test
    void aSourceRuleNamesItsTableAndSelectsSomePackets() throws Exception {
        RtnlEvent e = only("ip rule add from 10.8.0.0/24 table 100 pref 1000");
        assertFalse(e.deleted());
        assertEquals(shown(AF_INET, 1000, 100, FR_ACT_TO_TBL, 0, false), shown(e.object()));
        RtnlEvent deleted = only("ip rule del pref 1000");
        assertTrue(deleted.deleted());
        assertEquals(e.object(), deleted.object(), "the deletion names the same rule: same identity");
    }

    @Test
    void theIdentityTellsRulesWithTheSameFieldsApart() throws Exception {
        Rule source = (Rule) only("ip rule add from 10.8.0.0/24 table 100 pref 1000").object();
        // The same rule from another source prefix (10.9.0.0/24): only FRA_SRC differs.
        byte[] other = DATAGRAMS.get("ip rule add from 10.8.0.0/24 table 100 pref 1000").get(0).clone();
        assertEquals(0x08, other[other.length - 3], "FRA_SRC's second byte, last attribute of the datagram");
        other[other.length - 3] = 0x09;
        List<RtnlEvent> events = new ArrayList<>();
        RtnlCodec.parse(ByteBuffer.wrap(other).order(ByteOrder.nativeOrder()), events::add);
        Rule second = (Rule) events.get(0).object();
        assertEquals(shown(source), shown(second));
        assertNotEquals(source.identity(), second.identity());
    }

    @Test
    void stateFlagsTheKernelSetsOnItsOwnAreNoPartOfTheIdentity() throws Exception {
        byte[] d = DATAGRAMS.get("ip rule add from 10.8.0.0/24 table 100 pref 1000").get(0).clone();
        Rule configured = (Rule) only("ip rule add from 10.8.0.0/24 table 100 pref 1000").object();
        d[16 + 8] |= 0x08; // fib_rule_hdr.flags (little endian): FIB_RULE_IIF_DETACHED
        List<RtnlEvent> events = new ArrayList<>();
        RtnlCodec.parse(ByteBuffer.wrap(d).order(ByteOrder.nativeOrder()), events::add);
        assertEquals(configured, events.get(0).object());
        d[16 + 8] |= 0x02; // FIB_RULE_INVERT: configured, so another rule
        events.clear();
        RtnlCodec.parse(ByteBuffer.wrap(d).order(ByteOrder.nativeOrder()), events::add);
        assertNotEquals(configured.identity(), ((Rule) events.get(0).object()).identity());
    }

    @Test
    void aFirewallMarkIsASelector() throws Exception {
        assertEquals(shown(AF_INET, 1100, 200, FR_ACT_TO_TBL, 0, false),
                shown(only("ip rule add fwmark 0x10 lookup 200 pref 1100").object()));
    }

    @Test
    void anIpv6RuleWithADestinationAndAnInterface() throws Exception {
        Rule r = (Rule) only("ip -6 rule add to 2001:db8:5::/48 iif lo table 300 pref 1200").object();
        assertEquals(shown(AF_INET6, 1200, 300, FR_ACT_TO_TBL, 0, false), shown(r), "a table id beyond 255: FRA_TABLE");
        assertFalse(r.isKernelDefault());
    }

    @Test
    void theMainRuleANamespaceStartsWithIsAKernelDefault() throws Exception {
        RtnlEvent e = only("ip rule del pref 32766");
        assertTrue(e.deleted());
        Rule main = (Rule) e.object();
        assertEquals(shown(AF_INET, 32766, Rtnl.RT_TABLE_MAIN, FR_ACT_TO_TBL, RTPROT_KERNEL, true), shown(main));
        assertTrue(main.isKernelDefault());
    }
}
