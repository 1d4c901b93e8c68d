package io.xdpgate.lab;

import io.xdpgate.ebpf.Counter;
import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.ebpf.Port;
import io.xdpgate.ebpf.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Policy routing ({@code ip rule}) in the router: while its rules are not the kernel's defaults the kernel
 * may forward by other tables than main, which the fast path does not hold. The router's ports are then
 * written down and Linux forwards everything, by its rules; once the rules are the defaults again the fast
 * path forwards again. {@code xdpgate ctl verify} agrees at every step.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PolicyRoutingLabTest {

    private static final Path PIN_ROOT = Path.of("/sys/fs/bpf/xg-test-policy");
    private static final Path SOCKET = Path.of("/run/xdpgate/xg-test-policy.sock");
    /** An address of h2 beyond its subnet: table 100 does not route it, so h1's packets to it fall through to main. */
    private static final String H2_OTHER = "10.205.0.2";
    private static Lab lab;
    private static Daemons daemons;

    @BeforeAll
    static void startLab() throws Exception {
        Privileged.require();
        Lab.removePins(PIN_ROOT);
        lab = Lab.create();
        Sh.run(Sh.in(Lab.H2, "ip", "addr", "add", H2_OTHER + "/32", "dev", "lo"));
        Sh.run(Sh.in(Lab.ROUTER, "ip", "route", "add", H2_OTHER + "/32", "via", Lab.H2_ADDR));
        // Table 100 sends h2's address nowhere; no rule names it yet, so it changes nothing.
        Sh.run(Sh.in(Lab.ROUTER, "ip", "route", "add", "unreachable", Lab.H2_ADDR + "/32", "table", "100"));
        daemons = new Daemons(PIN_ROOT, SOCKET, Path.of("target", "lab-logs-policy"));
        daemons.startFastPathManager();
        daemons.startCacheManager();
        daemons.awaitSynchronized(lab, Duration.ofSeconds(30));
        Traffic.ping(Lab.H1, Lab.H2_ADDR, 3, 0.2); // Linux resolves the neighbours once
    }

    @AfterAll
    static void stopLab() {
        if (lab != null) {
            Sh.exec(10, Sh.in(Lab.ROUTER, "ip", "rule", "del", "pref", "1000"));
            Sh.exec(10, Sh.in(Lab.ROUTER, "ip", "-6", "rule", "del", "pref", "1000"));
        }
        if (daemons != null) daemons.close();
        if (lab != null) lab.close(); // the namespaces, with their addresses, routes and rules
        Lab.removePins(PIN_ROOT);
    }

    @Test
    @Order(1)
    void withTheDefaultRulesTheFastPathForwards() throws Exception {
        awaitPortsUp(true);
        daemons.awaitVerifyClean(Duration.ofSeconds(10));
        assertH1ToH2IsFastPathed();
    }

    /**
     * {@code ip rule add from H1 table 100}: Linux now drops h1's packets to h2 (table 100: unreachable) and
     * forwards those to h2's other address (not in table 100: main). The fast path, which holds main only,
     * would forward both: it leaves everything to Linux, and ctl verify expects the ports down.
     */
    @Test
    @Order(2)
    void aSourceRuleSendsTheRoutersTrafficToLinuxWhichFollowsIt() throws Exception {
        Sh.run(Sh.in(Lab.ROUTER, "ip", "rule", "add", "from", Lab.H1_ADDR, "table", "100", "pref", "1000"));
        awaitPortsUp(false);
        daemons.awaitVerifyClean(Duration.ofSeconds(10));

        long h2Echos = lab.snmp(Lab.H2, "Icmp", "InEchos");
        long unreachables = lab.snmp(Lab.ROUTER, "Icmp", "OutDestUnreachs");
        Counters before = Counters.read(PIN_ROOT, lab);
        Traffic.Ping blocked = Traffic.ping(Lab.H1, Lab.H2_ADDR, 10, 0.01);
        Counters d = Counters.read(PIN_ROOT, lab).minus(before);
        assertEquals(0, blocked.received(), "table 100 makes h2 unreachable from h1: " + blocked);
        assertEquals(h2Echos, lab.snmp(Lab.H2, "Icmp", "InEchos"), "h2 saw none of them");
        // The kernel rate-limits its ICMP errors (net.ipv4.icmp_ratelimit): not one per packet.
        assertTrue(lab.snmp(Lab.ROUTER, "Icmp", "OutDestUnreachs") > unreachables, "the router answered unreachable");
        assertEquals(0, d.packets(Stat.FORWARDED), "nothing fast-pathed:\n" + d.table());
        assertTrue(d.packets(Stat.EXC_NOT_PORT) >= 10, "every packet handed to Linux (port down):\n" + d.table());

        Counters mid = Counters.read(PIN_ROOT, lab);
        Traffic.Ping other = Traffic.ping(Lab.H1, H2_OTHER, 20, 0.01);
        Counters d2 = Counters.read(PIN_ROOT, lab).minus(mid);
        assertTrue(other.allAnswered(), "not in table 100: main forwards it, in Linux: " + other);
        assertEquals(0, d2.packets(Stat.FORWARDED), "nothing fast-pathed:\n" + d2.table());
        assertTrue(d2.kernelForwarded() >= 2L * other.transmitted(), "Linux forwarded requests and replies:\n" + d2.table());
    }

    @Test
    @Order(3)
    void onceTheRuleIsGoneTheFastPathForwardsAgain() throws Exception {
        Sh.run(Sh.in(Lab.ROUTER, "ip", "rule", "del", "from", Lab.H1_ADDR, "table", "100", "pref", "1000"));
        awaitPortsUp(true);
        daemons.awaitVerifyClean(Duration.ofSeconds(10));
        assertH1ToH2IsFastPathed();
    }

    /** 50 pings from h1 to h2, all answered, forwarded by the fast path (its counters and xgr-h1's), hardly by Linux. */
    private void assertH1ToH2IsFastPathed() throws Exception {
        Counters before = Counters.read(PIN_ROOT, lab);
        long portBefore = portForwarded(Lab.R_H1);
        Traffic.Ping ping = Traffic.ping(Lab.H1, Lab.H2_ADDR, 50, 0.01);
        Counters d = Counters.read(PIN_ROOT, lab).minus(before);
        assertTrue(ping.allAnswered(), "h2 answers through the fast path: " + ping);
        assertTrue(d.packets(Stat.FORWARDED) >= 2L * ping.transmitted(), "fast-pathed:\n" + d.table());
        assertTrue(portForwarded(Lab.R_H1) - portBefore >= ping.transmitted(), "the echo requests, by xgr-h1's counters");
        assertTrue(d.kernelForwarded() <= 5, "the kernel forwarded only a handful:\n" + d.table());
    }

    /** An IPv6 rule counts as much: the ports are one per VRF, for both families. */
    @Test
    @Order(4)
    void anIpv6RuleSendsTheIpv4TrafficToLinuxToo() throws Exception {
        Sh.run(Sh.in(Lab.ROUTER, "ip", "-6", "rule", "add", "from", "2001:db8:201:1::/64", "table", "100", "pref", "1000"));
        awaitPortsUp(false);
        daemons.awaitVerifyClean(Duration.ofSeconds(10));
        Counters before = Counters.read(PIN_ROOT, lab);
        Traffic.Ping ping = Traffic.ping(Lab.H1, Lab.H2_ADDR, 10, 0.01);
        Counters d = Counters.read(PIN_ROOT, lab).minus(before);
        assertTrue(ping.allAnswered(), "IPv4 is forwarded by main, in Linux: " + ping);
        assertEquals(0, d.packets(Stat.FORWARDED), "nothing fast-pathed:\n" + d.table());
        Sh.run(Sh.in(Lab.ROUTER, "ip", "-6", "rule", "del", "pref", "1000"));
        awaitPortsUp(true);
        daemons.awaitVerifyClean(Duration.ofSeconds(10));
        daemons.checkAlive();
    }

    /** Packets the fast path forwarded that came in on the router's port {@code ifname}. */
    private static long portForwarded(String ifname) throws Exception {
        try (FastPathMaps maps = FastPathMaps.open(PIN_ROOT)) {
            Port p = maps.port(Lab.ROUTER_VRF, lab.ifindex(Lab.ROUTER, ifname));
            assertTrue(p != null && p.statsSlot() > 0, ifname + " has a counter slot: " + p);
            Counter c = maps.portStats(p.statsSlot()).get(Stat.FORWARDED);
            return c == null ? 0 : c.packets();
        }
    }

    /** Waits until both router ports are written up (or both down) in the fast path. */
    private static void awaitPortsUp(boolean up) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        try (FastPathMaps maps = FastPathMaps.open(PIN_ROOT)) {
            while (true) {
                boolean all = true;
                for (String ifname : new String[] {Lab.R_H1, Lab.R_H2}) {
                    Port p = maps.port(Lab.ROUTER_VRF, lab.ifindex(Lab.ROUTER, ifname));
                    all &= p != null && p.isUp() == up;
                }
                if (all) return;
                daemons.checkAlive();
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the router's ports were never written " + (up ? "up" : "down")
                            + "; logs in " + daemons.logDir());
                }
                Thread.sleep(20);
            }
        }
    }
}
