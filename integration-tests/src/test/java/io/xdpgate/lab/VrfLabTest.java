package io.xdpgate.lab;

import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.ebpf.Route;
import io.xdpgate.ebpf.Stat;
import io.xdpgate.fastpath.VrfTable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static io.xdpgate.lab.Daemons.ipv4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two routers with the same addresses and prefixes, each in its own namespace, so each its own
 * VRF: the fast path forwards both, and a route added to one changes only that one.
 */
class VrfLabTest {

    private static final Path PIN_ROOT = Path.of("/sys/fs/bpf/xg-test-vrf");
    private static final Path SOCKET = Path.of("/run/xdpgate/xg-test-vrf.sock");
    private static Lab a;
    private static Lab b;
    private static Daemons daemons;
    private static int vrfA;
    private static int vrfB;

    @BeforeAll
    static void start() throws Exception {
        Privileged.require();
        Lab.removePins(PIN_ROOT);
        a = Lab.create();
        b = Lab.create("xgh3", "xgr2", "xgh4", false);
        daemons = new Daemons(PIN_ROOT, SOCKET, Path.of("target", "lab-logs", "vrf"));
        daemons.startFastPathManager(String.join(",", a.router + "/" + a.rH1, a.router + "/" + a.rH2,
                b.router + "/" + b.rH1, b.router + "/" + b.rH2));
        daemons.startCacheManagerForAllNamespaces();
        vrfA = awaitVrf(a.router);
        vrfB = awaitVrf(b.router);
        awaitRoute(vrfA, "10.201.2.0", 24, true);
        awaitRoute(vrfB, "10.201.2.0", 24, true);
        for (Lab lab : new Lab[] {a, b}) Traffic.ping(lab.h1, Lab.H2_ADDR, 3, 0.2); // neighbours resolved by Linux
    }

    @AfterAll
    static void stop() {
        if (daemons != null) daemons.close();
        if (b != null) b.close();
        if (a != null) a.close();
        Lab.removePins(PIN_ROOT);
    }

    private static int awaitVrf(String netns) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            if (Files.exists(VrfTable.pathFor(PIN_ROOT))) {
                for (Map.Entry<Integer, String> e : VrfTable.read(PIN_ROOT).entrySet()) {
                    if (e.getValue().equals(netns)) return e.getKey();
                }
            }
            daemons.checkAlive();
            if (System.nanoTime() > deadline) throw new AssertionError("namespace " + netns + " never became a VRF");
            Thread.sleep(50);
        }
    }

    private static Route awaitRoute(int vrf, String prefix, int length, boolean present) throws Exception {
        Inet4Address p = ipv4(prefix);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        try (FastPathMaps maps = FastPathMaps.open(PIN_ROOT)) {
            while (true) {
                Route r = maps.lookupRoute4(vrf, p, length);
                if ((r != null) == present) return r;
                daemons.checkAlive();
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(prefix + "/" + length + (present ? " never reached" : " never left") + " vrf " + vrf);
                }
                Thread.sleep(20);
            }
        }
    }

    @Test
    void twoVrfsWithTheSamePrefixesForwardIndependently() throws Exception {
        Counters before = Counters.read(PIN_ROOT, a);
        long kernelB = b.kernelForwarded();
        Traffic.Ping pingA = Traffic.ping(a.h1, Lab.H2_ADDR, 100, 0.005);
        Traffic.Ping pingB = Traffic.ping(b.h1, Lab.H2_ADDR, 100, 0.005);
        Counters d = Counters.read(PIN_ROOT, a).minus(before);
        assertTrue(pingA.allAnswered(), "VRF " + vrfA + ": " + pingA);
        assertTrue(pingB.allAnswered(), "VRF " + vrfB + ": " + pingB);
        assertTrue(d.packets(Stat.FORWARDED) >= 400, "both flows fast-pathed, both ways:\n" + d.table());
        assertTrue(d.kernelForwarded() <= 5 && b.kernelForwarded() - kernelB <= 5, "neither kernel forwarded:\n" + d.table());

        // The same host route, blackholed in the second router only.
        Sh.run(Sh.in(b.router, "ip", "route", "add", "blackhole", Lab.H2_ADDR + "/32"));
        try {
            assertNotNull(awaitRoute(vrfB, Lab.H2_ADDR, 32, true));
            try (FastPathMaps maps = FastPathMaps.open(PIN_ROOT)) {
                assertNull(maps.lookupRoute4(vrfA, ipv4(Lab.H2_ADDR), 32), "the first VRF has no such route");
            }
            Counters mid = Counters.read(PIN_ROOT, a);
            Traffic.Ping stillA = Traffic.ping(a.h1, Lab.H2_ADDR, 50, 0.005);
            Traffic.Ping droppedB = Traffic.ping(b.h1, Lab.H2_ADDR, 50, 0.005);
            Counters d2 = Counters.read(PIN_ROOT, a).minus(mid);
            assertTrue(stillA.allAnswered(), "VRF " + vrfA + " unchanged: " + stillA);
            assertEquals(0, droppedB.received(), "VRF " + vrfB + " blackholes it: " + droppedB);
            assertTrue(d2.packets(Stat.DROP_BLACKHOLE) >= 50, "dropped by the fast path, counted:\n" + d2.table());
        } finally {
            Sh.run(Sh.in(b.router, "ip", "route", "del", "blackhole", Lab.H2_ADDR + "/32"));
        }
    }
}
