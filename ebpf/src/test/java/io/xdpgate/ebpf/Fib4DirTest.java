package io.xdpgate.ebpf;

import static io.xdpgate.ebpf.Frames.ip;
import static io.xdpgate.ebpf.Frames.mac;
import static io.xdpgate.ebpf.XdpFixtureTest.LO;
import static io.xdpgate.ebpf.XdpFixtureTest.VRF;
import static io.xdpgate.ebpf.XdpFixtureTest.to;
import static io.xdpgate.ebpf.XdpFixtureTest.v4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The DIR-24 table of a VRF: built from a VRF's routes, changed route by route, read back, and
 * forwarded by through BPF_PROG_TEST_RUN, against the same routes' longest match computed here.
 */
class Fib4DirTest {
    private static final byte[] EGRESS = mac(4);

    private Path root;
    private FastPathProgram prog;
    private FastPathMaps maps;
    /** The routes written, as the manager knows them: (prefix << 6 | length) -> route. */
    private final TreeMap<Long, Route> routes = new TreeMap<>();

    @BeforeEach
    void load() throws Exception {
        root = Privileged.freshPinRoot();
        prog = FastPathProgram.load(root, VRF);
        maps = FastPathMaps.open(root);
        maps.putPort(VRF, LO, new Port(mac(1), Port.UP, 1500));
        for (int nh = 1; nh <= 8; nh++) maps.putNexthop(nh, Nexthop.resolved(LO, 1500, mac(0x10 + nh), EGRESS));
    }

    @AfterEach
    void unload() throws Exception {
        maps.close();
        prog.close();
        Privileged.removePinRoot(root);
    }

    private static long key(int prefix, int length) {
        return (Integer.toUnsignedLong(prefix) << 6) | length;
    }

    private static int mask(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    private void put(int prefix, int length, Route r) throws BpfException {
        prefix &= mask(length);
        maps.putRoute4(VRF, v4(prefix), length, r);
        routes.put(key(prefix, length), r);
    }

    private void delete(int prefix, int length) throws BpfException {
        prefix &= mask(length);
        routes.remove(key(prefix, length));
        maps.deleteRoute4(VRF, v4(prefix), length, this::covering);
    }

    private FastPathMaps.Route4Entry covering(Inet4Address prefix, int length) {
        int p = java.nio.ByteBuffer.wrap(prefix.getAddress()).getInt();
        for (int l = length - 1; l >= 0; l--) {
            Route r = routes.get(key(p & mask(l), l));
            if (r != null) return new FastPathMaps.Route4Entry(VRF, v4(p & mask(l)), l, r);
        }
        return null;
    }

    /** What the routes written say about a destination: the longest match, or null. */
    private Route expected(int address) {
        for (int l = 32; l >= 0; l--) {
            Route r = routes.get(key(address & mask(l), l));
            if (r != null) return r;
        }
        return null;
    }

    private List<FastPathMaps.Route4Entry> entries() {
        List<FastPathMaps.Route4Entry> out = new ArrayList<>();
        routes.forEach((k, r) -> out.add(new FastPathMaps.Route4Entry(VRF, v4((int) (k >>> 6)), (int) (k & 63), r)));
        return out;
    }

    /** The program's decision for a destination: the gateway MAC's nexthop, or the counter it took. */
    private String decided(int address) throws BpfException {
        XdpTestRun.Result r = XdpTestRun.run(prog, to(address).build(), LO, 1);
        if (r.verdict() == XdpTestRun.XDP_REDIRECT) return "nh " + (r.output()[5] - 0x10);
        return r.verdict() == XdpTestRun.XDP_DROP ? "drop" : "pass";
    }

    private static String decision(Route r) {
        if (r == null) return "pass";
        if (r.type() == Route.UNICAST) return "nh " + r.nexthopId();
        return r.type() == Route.BLACKHOLE ? "drop" : "pass";
    }

    private void assertForwardsAsWritten(int... addresses) throws BpfException {
        for (int a : addresses) {
            assertEquals(decision(expected(a)), decided(a), "destination " + v4(a).getHostAddress());
        }
    }

    @Test
    void changesToATableFollowTheLongestMatch() throws Exception {
        put(0, 0, Route.unicast(1));
        put(ip(10, 0, 0, 0), 8, Route.unicast(2));
        put(ip(10, 1, 0, 0), 16, Route.unicast(3));
        put(ip(10, 1, 2, 0), 24, Route.unicast(4));
        put(ip(10, 1, 2, 128), 25, Route.unicast(5));
        put(ip(10, 1, 2, 7), 32, new Route(Route.BLACKHOLE, 0));
        assertTrue(maps.moveToFib4Dir(VRF, entries()));
        assertTrue(maps.hasFib4Dir(VRF));
        assertEquals(Set.copyOf(entries()), Set.copyOf(maps.routes4()), "listed from the table and the trie");

        int[] probes = {ip(10, 1, 2, 3), ip(10, 1, 2, 7), ip(10, 1, 2, 200), ip(10, 1, 3, 3), ip(10, 9, 9, 9),
            ip(11, 0, 0, 1), ip(192, 0, 2, 1)};
        assertForwardsAsWritten(probes);
        delete(ip(10, 1, 0, 0), 16);
        assertEquals("nh 2", decided(ip(10, 1, 3, 3)), "the /16's /24s go to the /8");
        assertForwardsAsWritten(probes);
        delete(ip(10, 1, 2, 0), 24);
        assertForwardsAsWritten(probes);
        delete(ip(10, 1, 2, 128), 25);
        assertForwardsAsWritten(probes);
        put(ip(10, 1, 0, 0), 16, Route.unicast(6)); // beneath nothing longer now: takes its whole range
        assertForwardsAsWritten(probes);
        delete(0, 0);
        delete(ip(10, 0, 0, 0), 8);
        assertEquals("pass", decided(ip(11, 0, 0, 1)), "no route: Linux");
        assertForwardsAsWritten(probes);
        assertEquals(Set.copyOf(entries()), Set.copyOf(maps.routes4()));
        assertEquals(routes.size(), maps.route4Count());
    }

    @Test
    void routeTypesAndGroupsSurviveTheEntryEncoding() throws Exception {
        assertTrue(maps.moveToFib4Dir(VRF, List.of()));
        put(ip(203, 0, 113, 0), 24, new Route(Route.UNREACHABLE, 0));
        put(ip(198, 51, 100, 0), 24, new Route(Route.PROHIBIT, 0));
        put(ip(192, 0, 2, 0), 24, new Route(Route.LOCAL, 0));
        put(ip(100, 64, 0, 0), 10, Route.group(MapLayouts.NHG_MAX - 1));
        put(ip(100, 128, 0, 0), 9, Route.unicast(MapLayouts.NH_MAX - 1));
        for (FastPathMaps.Route4Entry e : entries()) {
            assertEquals(e.route(), maps.lookupRoute4(VRF, e.prefix(), e.prefixLength()), e.toString());
        }
        assertNull(maps.lookupRoute4(VRF, v4(ip(203, 0, 112, 0)), 24), "never written");
        assertNull(maps.lookupRoute4(VRF, v4(ip(203, 0, 113, 0)), 23), "a /24 is not its /23");
        assertEquals(Set.copyOf(entries()), Set.copyOf(maps.routes4()));
    }

    @Test
    void deletingWithoutTheCoveringRouteIsRefusedInATableVrf() throws Exception {
        assertTrue(maps.moveToFib4Dir(VRF, List.of()));
        put(ip(10, 0, 0, 0), 8, Route.unicast(1));
        assertThrows(IllegalStateException.class, () -> maps.deleteRoute4(VRF, v4(ip(10, 0, 0, 0)), 8));
        assertThrows(IllegalStateException.class, () -> maps.moveToFib4Dir(VRF, List.of()));
        assertFalse(maps.deleteRoute4(VRF, v4(ip(10, 0, 0, 0)), 9, this::covering), "absent");
    }

    /** Random tables, changed at random: the program decides every probe as the longest match does. */
    @Test
    void randomChangesKeepEveryDecisionExact() throws Exception {
        Random random = new Random(7);
        int[] lengths = {8, 12, 16, 19, 20, 22, 23, 24, 24, 24, 25, 28, 32};
        for (int i = 0; i < 400; i++) {
            put(ip(10, 0, 0, 0) | (random.nextInt() >>> 8), lengths[random.nextInt(lengths.length)],
                    Route.unicast(1 + random.nextInt(8)));
        }
        assertTrue(maps.moveToFib4Dir(VRF, entries()));
        for (int round = 0; round < 300; round++) {
            if (random.nextBoolean() && !routes.isEmpty()) {
                Long k = new ArrayList<>(routes.keySet()).get(random.nextInt(routes.size()));
                delete((int) (k >>> 6), (int) (k & 63));
            } else {
                put(ip(10, 0, 0, 0) | (random.nextInt() >>> 8), lengths[random.nextInt(lengths.length)],
                        Route.unicast(1 + random.nextInt(8)));
            }
        }
        Set<Integer> probes = new HashSet<>();
        for (long k : routes.keySet()) probes.add((int) (k >>> 6) | random.nextInt(256) & ~mask((int) (k & 63)));
        for (int i = 0; i < 200; i++) probes.add(ip(10, 0, 0, 0) | (random.nextInt() >>> 8));
        for (int a : probes) assertForwardsAsWritten(a);
    }

    @Test
    void aTableVrfIsInvisibleToOtherVrfs() throws Exception {
        put(ip(10, 0, 0, 0), 8, Route.unicast(1));
        assertTrue(maps.moveToFib4Dir(VRF, entries()));
        maps.putPort(8, LO, new Port(mac(1), Port.UP, 1500));
        try (FastPathProgram p8 = FastPathProgram.load(root, 8)) {
            assertEquals(XdpTestRun.XDP_PASS, XdpTestRun.run(p8, to(ip(10, 1, 1, 1)).build(), LO, 1).verdict());
        }
        assertEquals("nh 1", decided(ip(10, 1, 1, 1)));
        maps.dropFib4Dir(VRF);
        assertFalse(maps.hasFib4Dir(VRF));
        assertEquals("pass", decided(ip(10, 1, 1, 1)), "the table's routes went with it");
    }

    @Test
    void aVrfIdBeyondTheIndexedTablesIsFoundByItsKey() throws Exception {
        int vrf = MapLayouts.VRF_INDEXED + 3; // the program looks in xg_fib4_dir, keyed by VRF
        maps.putPort(vrf, LO, new Port(mac(1), Port.UP, 1500));
        FastPathMaps.Route4Entry route = new FastPathMaps.Route4Entry(vrf, v4(ip(10, 0, 0, 0)), 8, Route.unicast(3));
        maps.putRoute4(vrf, route.prefix(), route.prefixLength(), route.route());
        assertTrue(maps.moveToFib4Dir(vrf, List.of(route)));
        try (FastPathProgram p = FastPathProgram.load(root, vrf)) {
            XdpTestRun.Result r = XdpTestRun.run(p, to(ip(10, 1, 1, 1)).build(), LO, 1);
            assertEquals(XdpTestRun.XDP_REDIRECT, r.verdict());
            assertEquals(3, r.output()[5] - 0x10, "through the table's route");
        }
        maps.dropFib4Dir(vrf);
        assertEquals(0, maps.alignIndexedTables(), "nothing of it was in the index");
    }

    @Test
    void alignmentRepublishesWhatTheIndexLacksAndWithdrawsTheRest() throws Exception {
        put(ip(10, 0, 0, 0), 8, Route.unicast(1));
        assertTrue(maps.moveToFib4Dir(VRF, entries()));
        assertEquals(0, maps.alignIndexedTables(), "published in both maps already");
        try (BpfMap byVrf = BpfMap.openPinned(root.resolve(MapLayouts.FIB4_DIR.name()));
             BpfMap index = BpfMap.openPinned(root.resolve(MapLayouts.FIB4_DIRS.name()))) {
            // As maps pinned by a manager that knew only xg_fib4_dir, plus a stale entry.
            int table = java.nio.ByteBuffer.wrap(byVrf.lookup(u32(VRF))).order(java.nio.ByteOrder.nativeOrder()).getInt();
            int fd = io.xdpgate.ebpf.libbpf.Bpf.mapFdById(table, "the test's DIR-24 table");
            try {
                index.update(u32(VRF + 1), u32(fd));
            } finally {
                io.xdpgate.ebpf.libbpf.Bpf.close(fd);
            }
            assertTrue(index.delete(u32(VRF)));
            assertEquals("pass", decided(ip(10, 1, 1, 1)), "the program reads the indexed table only");
            assertEquals(2, maps.alignIndexedTables());
            assertEquals("nh 1", decided(ip(10, 1, 1, 1)));
            assertNull(index.lookup(u32(VRF + 1)), "the stale entry is gone");
        }
    }

    private static byte[] u32(int v) {
        return java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder()).putInt(v).array();
    }

    @Test
    void anotherProcessSeesTheTables() throws Exception {
        put(ip(10, 0, 0, 0), 8, Route.unicast(1));
        put(ip(10, 0, 0, 1), 32, Route.unicast(2));
        assertTrue(maps.moveToFib4Dir(VRF, entries()));
        try (FastPathMaps reader = FastPathMaps.open(root)) {
            assertTrue(reader.hasFib4Dir(VRF));
            assertEquals(Route.unicast(1), reader.lookupRoute4(VRF, v4(ip(10, 0, 0, 0)), 8));
            assertEquals(Route.unicast(2), reader.lookupRoute4(VRF, v4(ip(10, 0, 0, 1)), 32));
            assertEquals(2, reader.route4Count());
            maps.dropFib4Dir(VRF);
            assertEquals(1, reader.route4Count(), "the dropped table is no longer read");
        }
    }

    @Test
    void theRoutersAddressesStayLocalInATableVrf() throws Exception {
        put(ip(10, 0, 0, 0), 8, Route.unicast(1));
        maps.putLocal4(VRF, v4(ip(10, 1, 1, 1)), LO); // before the move
        assertTrue(maps.moveToFib4Dir(VRF, entries()));
        maps.putLocal4(VRF, v4(ip(10, 2, 2, 2)), LO); // after it
        assertEquals("pass", decided(ip(10, 1, 1, 1)), "a local address known before the table");
        assertEquals("pass", decided(ip(10, 2, 2, 2)), "a local address added to the table");
        assertEquals("nh 1", decided(ip(10, 1, 1, 2)), "its neighbour in the same /24 is forwarded");
        put(ip(10, 1, 1, 0), 24, Route.unicast(2)); // a route written over a marked /24 keeps the mark
        assertEquals("pass", decided(ip(10, 1, 1, 1)));
        assertEquals("nh 2", decided(ip(10, 1, 1, 3)));
        maps.deleteLocal4(VRF, v4(ip(10, 2, 2, 2)));
        assertEquals("nh 1", decided(ip(10, 2, 2, 2)), "no longer local: forwarded");
    }
}
