package io.xdpgate.fastpath;

import io.xdpgate.ebpf.Counter;
import io.xdpgate.ebpf.FastPathProgram;
import io.xdpgate.ebpf.Stat;
import io.xdpgate.ebpf.XdpTestRun;
import io.xdpgate.fpc.FpcLink;
import io.xdpgate.fpc.FpcSyncBegin;
import io.xdpgate.fpc.FpcSyncEnd;
import io.xdpgate.fpc.FpcVrf;
import io.xdpgate.netlink.NetworkNamespace;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-port counter slots the manager gives its ports: one each, written into the port, kept while
 * the port lasts, zeroed before a freed slot is given again, adopted with their counts by a restarted
 * manager; and the per-interface series a scrape serves from them. Packets are real runs of the VRF's
 * program (BPF_PROG_TEST_RUN) arriving on the port, in its namespace.
 */
class PortStatsSlotTest extends ForwardingStateFixture {

    private static final int FRAME_LENGTH = 60;

    @Override
    FastPathOptions options() {
        return new FastPathOptions(pinRoot, Path.of("/unused"), Set.of(), List.of("xga", "xgb"));
    }

    /**
     * Only the test's frames may count: with IPv6 on, the veths send their own multicast (MLD reports,
     * at a random delay after coming up), which the ports' slots would count too.
     */
    @BeforeEach
    void quietLinks() throws Exception {
        TestSupport.sh("ip", "netns", "exec", netns, "sysctl", "-qw", "net.ipv6.conf.xga.disable_ipv6=1",
                "net.ipv6.conf.xgb.disable_ipv6=1");
    }

    private FpcLink linkB(boolean add) throws Exception {
        return new FpcLink(add, VRF, ifindexOf("xgb"), "xgb", "veth", OTHER_MAC, 1500, UP, 6, 0);
    }

    private int slotInMap(int port) throws Exception {
        return maps.port(VRF, port).statsSlot();
    }

    /** {@code n} ARP frames (not IP: an exception to Linux) arriving on {@code port}, through the VRF's program. */
    private void arrive(int port, int n) throws Exception {
        byte[] arp = ByteBuffer.allocate(FRAME_LENGTH).put(PORT_MAC).put(GW_MAC).putShort((short) 0x0806).array();
        try (FastPathProgram program = FastPathProgram.load(pinRoot, VRF)) {
            NetworkNamespace.call(netns, () -> {
                for (int i = 0; i < n; i++) assertEquals(XdpTestRun.XDP_PASS, XdpTestRun.run(program, arp, port, 1).verdict());
                return null;
            });
        }
    }

    @Test
    void eachPortCountsInASlotOfItsOwnKeptWhileThePortLasts() throws Exception {
        ok(linkB(true));
        int b = ifindexOf("xgb");
        int slotA = slotInMap(ifindex);
        int slotB = slotInMap(b);
        assertTrue(slotA > 0 && slotB > 0 && slotA != slotB, slotA + " / " + slotB);
        assertEquals(slotA, state.statsSlotOf(VRF, ifindex));

        arrive(ifindex, 3);
        arrive(b, 2);
        assertEquals(new Counter(3, 3 * FRAME_LENGTH), maps.portStats(slotA).get(Stat.EXC_NOT_IPV4));
        assertEquals(new Counter(2, 2 * FRAME_LENGTH), maps.portStats(slotB).get(Stat.EXC_NOT_IPV4));
        assertEquals(5, maps.stats().get(Stat.EXC_NOT_IPV4).packets(), "the totals count both");

        ok(link(0)); // down, then up again: the same port, the same slot, its counts kept
        ok(link(UP));
        assertEquals(slotA, slotInMap(ifindex));
        assertEquals(3, maps.portStats(slotA).get(Stat.EXC_NOT_IPV4).packets());
    }

    @Test
    void aFreedSlotIsZeroedBeforeAnotherPortGetsIt() throws Exception {
        int slotA = slotInMap(ifindex);
        arrive(ifindex, 4);
        assertEquals(4, maps.portStats(slotA).get(Stat.EXC_NOT_IPV4).packets());

        ok(new FpcLink(false, VRF, ifindex, "xga", "veth", PORT_MAC, 1500, UP, 6, 0));
        assertEquals(null, maps.port(VRF, ifindex));
        assertEquals(0, state.statsSlotOf(VRF, ifindex));
        ok(linkB(true));
        int b = ifindexOf("xgb");
        assertEquals(slotA, slotInMap(b), "the freed slot is given again");
        for (Stat s : Stat.values()) assertEquals(Counter.ZERO, maps.portStats(slotA).get(s), "zeroed: " + s.label());
        arrive(b, 1);
        assertEquals(new Counter(1, FRAME_LENGTH), maps.portStats(slotA).get(Stat.EXC_NOT_IPV4));
    }

    @Test
    void aRestartedManagerAdoptsTheSlotsWithTheirCounts() throws Exception {
        ok(linkB(true));
        ok(new FpcSyncEnd(1));
        int b = ifindexOf("xgb");
        int slotA = slotInMap(ifindex);
        int slotB = slotInMap(b);
        arrive(ifindex, 7);

        restart();
        assertEquals(slotA, state.statsSlotOf(VRF, ifindex), "adopted from the pinned port");
        assertTrue(state.portStats().isEmpty(), "no series before the link is announced again: its name is not known");
        arrive(ifindex, 1); // forwarding and counting go on meanwhile
        ok(new FpcSyncBegin(2));
        ok(new FpcVrf(true, VRF, netns));
        ok(link(UP));
        ok(new FpcSyncEnd(2)); // xgb is not announced again: swept, its slot freed
        assertEquals(slotA, slotInMap(ifindex), "the same slot");
        assertEquals(8, maps.portStats(slotA).get(Stat.EXC_NOT_IPV4).packets(), "counts kept across the restart");
        assertEquals(0, state.statsSlotOf(VRF, b));

        ok(linkB(true)); // back: the swept port's slot, zeroed
        assertEquals(slotB, slotInMap(b));
        assertNotEquals(slotA, slotB);
    }

    @Test
    void aScrapeServesEachInterfacesCountersByReasonAndDropsTheSeriesOfAGonePort() throws Exception {
        ok(linkB(true));
        FastPathMetrics metrics = new FastPathMetrics(state::stats, state::occupancy, state::portStats,
                state::portStatsSlotsInUse);
        arrive(ifindex, 3);
        String labels = "interface=\"xga\",netns=\"" + netns + "\",reason=\"not_ipv4\",vrf=\"" + VRF + "\"";
        String scrape = metrics.scrape();
        assertTrue(scrape.contains("xdpgate_fp_interface_exceptions_packets_total{" + labels + "} 3.0"), scrape);
        assertTrue(scrape.contains("xdpgate_fp_interface_exceptions_bytes_total{" + labels + "} " + (3.0 * FRAME_LENGTH)), scrape);
        assertTrue(scrape.contains("xdpgate_fp_interface_forwarded_packets_total{interface=\"xgb\",netns=\"" + netns
                + "\",reason=\"forwarded\",vrf=\"" + VRF + "\"} 0.0"), "every port's series from the start:\n" + scrape);
        assertTrue(scrape.contains("xdpgate_fp_table_entries{family=\"all\",table=\"port_counters\"} 2.0"), scrape);

        ok(new FpcLink(false, VRF, ifindexOf("xgb"), "xgb", "veth", OTHER_MAC, 1500, UP, 6, 0));
        scrape = metrics.scrape();
        assertFalse(scrape.contains("interface=\"xgb\""), scrape);
        assertTrue(scrape.contains("xdpgate_fp_interface_exceptions_packets_total{" + labels + "} 3.0"), scrape);
    }
}
