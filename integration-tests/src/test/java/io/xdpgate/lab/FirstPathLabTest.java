package io.xdpgate.lab;

import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.ebpf.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.time.Duration;

import static io.xdpgate.lab.Daemons.ipv4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The first real path: IPv4 from xgh1 to xgh2 forwarded by XDP in xgr, with the state the
 * kernel holds mirrored by the real daemons.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FirstPathLabTest {

    private static final Path PIN_ROOT = Path.of("/sys/fs/bpf/xg-test-lab");
    private static final Path SOCKET = Path.of("/run/xdpgate/xg-test-lab.sock");
    private static Lab lab;
    private static Daemons daemons;

    @BeforeAll
    static void startLab() throws Exception {
        Privileged.require();
        Lab.removePins(PIN_ROOT);
        lab = Lab.create();
        daemons = new Daemons(PIN_ROOT, SOCKET, Path.of("target", "lab-logs"));
        daemons.startFastPathManager();
        daemons.startCacheManager();
        daemons.awaitSynchronized(lab, Duration.ofSeconds(30));
        // Linux resolves the neighbours once; from then on they are synchronized.
        Traffic.ping(Lab.H1, Lab.H2_ADDR, 3, 0.2);
    }

    @AfterAll
    static void stopLab() {
        if (daemons != null) daemons.close();
        if (lab != null) lab.close();
        Lab.removePins(PIN_ROOT);
    }

    @Test
    @Order(1)
    void pingAndOneGigabyteOfTcpAreForwardedByTheFastPath() throws Exception {
        Counters before = Counters.read(PIN_ROOT, lab);
        long sentBefore = hostsTransmitted();

        Traffic.Ping ping = Traffic.ping(Lab.H1, Lab.H2_ADDR, 200, 0.005);
        assertTrue(ping.allAnswered(), "ping through the fast path: " + ping);
        Counters afterPing = Counters.read(PIN_ROOT, lab).minus(before);
        assertTrue(afterPing.packets(Stat.FORWARDED) >= 2L * ping.transmitted(),
                "every echo request and reply is fast-pathed:\n" + afterPing.table());

        Traffic.Transfer tcp = Traffic.tcp(Lab.H1, Lab.H2, Lab.H2_ADDR, 1L << 30);
        assertTrue(tcp.bytes() >= 1_000_000_000L, "at least 1 GB received: " + tcp);

        Counters d = Counters.read(PIN_ROOT, lab).minus(before);
        long sent = hostsTransmitted() - sentBefore;
        assertTrue(d.packets(Stat.FORWARDED) >= sent - 10,
                "fast-path forwarded " + d.packets(Stat.FORWARDED) + " of the " + sent + " frames the hosts sent:\n" + d.table());
        assertTrue(d.kernelForwarded() <= 10, "the kernel forwarded only a handful:\n" + d.table());
        daemons.checkAlive();
    }

    private long hostsTransmitted() {
        return lab.linkStat(Lab.H1, Lab.H1_IF, "tx", "packets") + lab.linkStat(Lab.H2, Lab.H2_IF, "tx", "packets");
    }

    @Test
    @Order(2)
    void routeAddedAndDeletedWithIpRouteReachesTheMapWithin100Milliseconds() throws Exception {
        Inet4Address prefix = ipv4("10.99.0.0");
        try (FastPathMaps maps = FastPathMaps.open(PIN_ROOT)) {
            assertNull(maps.lookupRoute4(Lab.ROUTER_VRF, prefix, 16));

            Sh.run(Sh.in(Lab.ROUTER, "ip", "route", "add", "10.99.0.0/16", "via", Lab.H2_ADDR));
            long added = System.nanoTime();
            while (maps.lookupRoute4(Lab.ROUTER_VRF, prefix, 16) == null && System.nanoTime() - added < 2_000_000_000L) {
                Thread.onSpinWait();
            }
            long addMicros = (System.nanoTime() - added) / 1000;
            assertNotNull(maps.lookupRoute4(Lab.ROUTER_VRF, prefix, 16), "route never reached the map");
            assertTrue(addMicros < 100_000, "route add took " + addMicros + " µs to reach the map");

            Sh.run(Sh.in(Lab.ROUTER, "ip", "route", "del", "10.99.0.0/16"));
            long deleted = System.nanoTime();
            while (maps.lookupRoute4(Lab.ROUTER_VRF, prefix, 16) != null && System.nanoTime() - deleted < 2_000_000_000L) {
                Thread.onSpinWait();
            }
            long delMicros = (System.nanoTime() - deleted) / 1000;
            assertNull(maps.lookupRoute4(Lab.ROUTER_VRF, prefix, 16), "route never left the map");
            assertTrue(delMicros < 100_000, "route delete took " + delMicros + " µs to reach the map");
            System.out.printf("route add reached the map in %d µs, delete in %d µs%n", addMicros, delMicros);
        }
    }

    @Test
    @Order(3)
    void afterNeighbourFlushLinuxResolvesAndTheFastPathResumes() throws Exception {
        Counters before = Counters.read(PIN_ROOT, lab);
        Sh.run(Sh.in(Lab.ROUTER, "ip", "neigh", "flush", "all"));

        Traffic.Ping first = Traffic.ping(Lab.H1, Lab.H2_ADDR, 5, 0.2);
        Counters d1 = Counters.read(PIN_ROOT, lab).minus(before);
        assertTrue(first.received() >= 4, "traffic flows while Linux resolves: " + first);
        assertTrue(d1.packets(Stat.EXC_NO_NEIGH) >= 1, "the first packets were 'no neighbour' exceptions:\n" + d1.table());

        Counters mid = Counters.read(PIN_ROOT, lab);
        Traffic.Ping later = Traffic.ping(Lab.H1, Lab.H2_ADDR, 50, 0.01);
        Counters d2 = Counters.read(PIN_ROOT, lab).minus(mid);
        assertTrue(later.allAnswered(), "after resolution: " + later);
        assertEquals(0, d2.packets(Stat.EXC_NO_NEIGH), "no more 'no neighbour' exceptions:\n" + d2.table());
        assertTrue(d2.packets(Stat.FORWARDED) >= 2L * later.transmitted(), "fast-pathed again:\n" + d2.table());
    }

    @Test
    @Order(4)
    void tracepathShowsTheRouterHopBecauseTtlExpiryIsAnException() {
        Counters before = Counters.read(PIN_ROOT, lab);
        String out = Traffic.tracepath(Lab.H1, Lab.H2_ADDR);
        Counters d = Counters.read(PIN_ROOT, lab).minus(before);
        assertTrue(out.contains(" " + Lab.R_H1_ADDR + " "), "router hop in tracepath output:\n" + out);
        assertTrue(out.contains(Lab.H2_ADDR), "destination reached:\n" + out);
        assertTrue(d.packets(Stat.EXC_TTL) >= 1, "TTL expiry went to Linux:\n" + d.table());
    }

    /**
     * An AnyIP route ({@code ip route add local 10.204.0.0/24 dev lo}) in the local table, which the kernel
     * looks up before the main one: the router answers for the whole prefix itself, although the main
     * table routes it to h2, which holds one of its addresses too. The fast path must hand those packets
     * to Linux (local delivery), not forward them to h2, and forward them again once the route is gone.
     */
    @Test
    @Order(5)
    void aLocalRouteOfTheLocalTableIsDeliveredLocallyAsTheKernelDoes() throws Exception {
        String anyIp = "10.204.0.5";
        Sh.run(Sh.in(Lab.H2, "ip", "addr", "add", anyIp + "/32", "dev", "lo"));
        Sh.run(Sh.in(Lab.ROUTER, "ip", "route", "add", "10.204.0.0/24", "via", Lab.H2_ADDR));
        Sh.run(Sh.in(Lab.ROUTER, "ip", "route", "add", "local", "10.204.0.0/24", "dev", "lo"));
        try {
            awaitLocal(ipv4(anyIp), true);
            daemons.awaitVerifyClean(Duration.ofSeconds(10));
            long h2Echos = lab.snmp(Lab.H2, "Icmp", "InEchos");
            long routerEchos = lab.snmp(Lab.ROUTER, "Icmp", "InEchos");
            Counters before = Counters.read(PIN_ROOT, lab);
            Traffic.Ping ping = Traffic.ping(Lab.H1, anyIp, 20, 0.01);
            Counters d = Counters.read(PIN_ROOT, lab).minus(before);
            assertTrue(ping.allAnswered(), "the router answers for its AnyIP prefix: " + ping);
            assertEquals(h2Echos, lab.snmp(Lab.H2, "Icmp", "InEchos"), "h2 saw none of them");
            assertTrue(lab.snmp(Lab.ROUTER, "Icmp", "InEchos") - routerEchos >= 20, "the router answered them");
            assertTrue(d.packets(Stat.EXC_LOCAL) >= 20, "local-delivery exceptions:\n" + d.table());

            Sh.run(Sh.in(Lab.ROUTER, "ip", "route", "del", "local", "10.204.0.0/24", "dev", "lo", "table", "local"));
            awaitLocal(ipv4(anyIp), false);
            daemons.awaitVerifyClean(Duration.ofSeconds(10));
            Traffic.Ping forwarded = Traffic.ping(Lab.H1, anyIp, 20, 0.01);
            assertTrue(forwarded.allAnswered(), "h2 answers once the local route is gone: " + forwarded);
            assertTrue(lab.snmp(Lab.H2, "Icmp", "InEchos") - h2Echos >= 20, "forwarded to h2 by the main table");
        } finally {
            Sh.exec(10, Sh.in(Lab.ROUTER, "ip", "route", "del", "local", "10.204.0.0/24", "table", "local"));
            Sh.exec(10, Sh.in(Lab.ROUTER, "ip", "route", "del", "10.204.0.0/24"));
            Sh.exec(10, Sh.in(Lab.H2, "ip", "addr", "del", anyIp + "/32", "dev", "lo"));
        }
    }

    private static void awaitLocal(Inet4Address address, boolean present) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        try (FastPathMaps maps = FastPathMaps.open(PIN_ROOT)) {
            while (maps.locals4().stream().anyMatch(l -> l.address().equals(address)) != present) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(address.getHostAddress() + (present ? " never became" : " stayed") + " local");
                }
                Thread.sleep(20);
            }
        }
    }
}
