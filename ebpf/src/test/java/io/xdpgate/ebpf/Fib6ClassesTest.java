package io.xdpgate.ebpf;

import static io.xdpgate.ebpf.Frames.mac;
import static io.xdpgate.ebpf.XdpFixtureTest.LO;
import static io.xdpgate.ebpf.XdpFixtureTest.VRF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * IPv6 route classes of a VRF: built from a VRF's routes, changed route by route, read back, and
 * forwarded by through BPF_PROG_TEST_RUN, against the same routes' longest match computed here.
 */
class Fib6ClassesTest {
    private static final byte[] EGRESS = mac(4);

    private Path root;
    private FastPathProgram prog;
    private FastPathMaps maps;
    /** The routes written, as the manager knows them: "hi lo length" -> route. */
    private final Map<List<Long>, Route> routes = new HashMap<>();

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

    private static long[] words(Inet6Address a) {
        ByteBuffer b = ByteBuffer.wrap(a.getAddress());
        return new long[] {b.getLong(), b.getLong()};
    }

    private static List<Long> key(long hi, long lo, int length) {
        return List.of(Fib6Classes.maskHigh(hi, length), Fib6Classes.maskLow(lo, length), (long) length);
    }

    private Route known(long hi, long lo, int length) {
        return routes.get(key(hi, lo, length));
    }

    private void put(String prefix, int length, Route r) throws BpfException {
        long[] w = words(Frames6.v6(prefix));
        maps.putRoute6(VRF, Frames6.v6(prefix), length, r);
        routes.put(key(w[0], w[1], length), r);
    }

    private void delete(String prefix, int length) throws BpfException {
        long[] w = words(Frames6.v6(prefix));
        routes.remove(key(w[0], w[1], length));
        maps.deleteRoute6(VRF, Frames6.v6(prefix), length);
    }

    private Route expected(Inet6Address a) {
        long[] w = words(a);
        for (int l = 128; l >= 0; l--) {
            Route r = known(w[0], w[1], l);
            if (r != null) return r;
        }
        return null;
    }

    private List<FastPathMaps.Route6Entry> entries() {
        List<FastPathMaps.Route6Entry> out = new ArrayList<>();
        routes.forEach((k, r) -> out.add(new FastPathMaps.Route6Entry(VRF, inet6(k.get(0), k.get(1)),
                k.get(2).intValue(), r)));
        return out;
    }

    private static Inet6Address inet6(long hi, long lo) {
        try {
            return Inet6Address.getByAddress(null, ByteBuffer.allocate(16).putLong(hi).putLong(lo).array(), -1);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private String decided(Inet6Address a) throws BpfException {
        byte[] frame = Frames6.ipv6().dmac(mac(1)).smac(mac(2)).dst(a.getHostAddress()).build();
        XdpTestRun.Result r = XdpTestRun.run(prog, frame, LO, 1);
        if (r.verdict() == XdpTestRun.XDP_REDIRECT) return "nh " + (r.output()[5] - 0x10);
        return r.verdict() == XdpTestRun.XDP_DROP ? "drop" : "pass";
    }

    private static String decision(Route r) {
        if (r == null) return "pass";
        if (r.type() == Route.UNICAST) return "nh " + r.nexthopId();
        return r.type() == Route.BLACKHOLE ? "drop" : "pass";
    }

    private void assertForwardsAsWritten(Inet6Address... addresses) throws BpfException {
        for (Inet6Address a : addresses) assertEquals(decision(expected(a)), decided(a), a.getHostAddress());
    }

    private void assertForwardsAsWritten(String... addresses) throws BpfException {
        for (String a : addresses) assertForwardsAsWritten(Frames6.v6(a));
    }

    private boolean inClasses() {
        return maps.hasFib6Classes(VRF);
    }

    @Test
    void changesFollowTheLongestMatchAcrossClasses() throws Exception {
        put("::", 0, Route.unicast(1));
        put("2001:db8::", 32, Route.unicast(2));
        put("2001:db8:100::", 40, Route.unicast(3));
        put("2001:db8:1f0::", 44, Route.unicast(4)); // 16 prefixes of class /48
        put("2001:db8:1f5::", 48, Route.unicast(5)); // takes one of them
        put("2001:db8:1f5:1::", 64, Route.unicast(6));
        put("2001:db8:1f5:1::7", 128, new Route(Route.BLACKHOLE, 0));
        put("2001:d00::", 24, Route.unicast(7));
        put("2001::", 16, Route.unicast(8)); // stays in xg_fib6
        assertTrue(maps.moveToFib6Classes(VRF, entries(), this::known));
        assertTrue(inClasses());
        assertEquals(Set.copyOf(entries()), Set.copyOf(maps.routes6()), "listed from the classes and the trie");
        assertEquals(routes.size(), maps.route6Count());

        String[] probes = {"2001:db8::1", "2001:db8:100::1", "2001:db8:1f0::1", "2001:db8:1f5::1",
            "2001:db8:1f5:1::1", "2001:db8:1f5:1::7", "2001:db8:1ff:ffff::1", "2001:d00::1", "2001:dff::1",
            "2001:1::1", "2002::1", "fd00::1"};
        assertForwardsAsWritten(probes);
        delete("2001:db8:1f5::", 48);
        assertEquals("nh 4", decided(Frames6.v6("2001:db8:1f5::1")), "the /48's prefix goes back to the /44");
        assertForwardsAsWritten(probes);
        delete("2001:db8:1f0::", 44);
        assertEquals("nh 3", decided(Frames6.v6("2001:db8:1f5::1")), "none left in the class: the /40 of the class below");
        assertForwardsAsWritten(probes);
        delete("2001:db8:1f5:1::", 64);
        delete("2001:db8::", 32);
        delete("2001::", 16);
        assertForwardsAsWritten(probes);
        assertEquals(Set.copyOf(entries()), Set.copyOf(maps.routes6()));
        assertNull(maps.lookupRoute6(VRF, Frames6.v6("2001:db8::"), 32));
        assertEquals(Route.unicast(3), maps.lookupRoute6(VRF, Frames6.v6("2001:db8:100::"), 40));
    }

    @Test
    void randomChangesKeepEveryDecisionExact() throws Exception {
        Random random = new Random(5);
        // Every class, its first and last lengths among them (classes of 4, 8 and 16 lengths).
        int[] lengths = {17, 20, 24, 25, 28, 29, 32, 33, 34, 36, 37, 40, 41, 44, 45, 47, 48, 48, 48, 52, 56, 64, 72,
            90, 96, 100, 113, 127, 128};
        long base = 0x2001_0db8_0000_0000L;
        for (int i = 0; i < 300; i++) addRandom(random, lengths, base);
        assertTrue(maps.moveToFib6Classes(VRF, entries(), this::known));
        for (int round = 0; round < 300; round++) {
            if (random.nextBoolean() && !routes.isEmpty()) {
                List<Long> k = new ArrayList<>(routes.keySet()).get(random.nextInt(routes.size()));
                routes.remove(k);
                maps.deleteRoute6(VRF, inet6(k.get(0), k.get(1)), k.get(2).intValue());
            } else {
                addRandom(random, lengths, base);
            }
        }
        List<Inet6Address> probes = new ArrayList<>();
        for (List<Long> k : routes.keySet()) {
            int l = k.get(2).intValue();
            long hi = k.get(0) | (l >= 64 ? 0 : random.nextLong() & ~(-1L << (64 - l)));
            long lo = k.get(1) | (l >= 128 ? 0 : random.nextLong() & (l <= 64 ? -1L : ~(-1L << (128 - l))));
            probes.add(inet6(hi, lo));
        }
        for (int i = 0; i < 200; i++) probes.add(inet6(base | random.nextLong() >>> 40, random.nextLong()));
        for (Inet6Address a : probes) assertForwardsAsWritten(a);
        assertEquals(Set.copyOf(entries()), Set.copyOf(maps.routes6()));
    }

    private void addRandom(Random random, int[] lengths, long base) throws BpfException {
        int l = lengths[random.nextInt(lengths.length)];
        long hi = Fib6Classes.maskHigh(base | (random.nextLong() >>> 40), l);
        long lo = Fib6Classes.maskLow(random.nextLong(), l);
        Route r = Route.unicast(1 + random.nextInt(8));
        maps.putRoute6(VRF, inet6(hi, lo), l, r);
        routes.put(key(hi, lo, l), r);
    }

    @Test
    void gatheredWritesReachTheMapWhenWrittenAndBeforeAnyOtherUseOfIt() throws Exception {
        put("2001:db8::", 32, Route.unicast(2));
        assertTrue(maps.moveToFib6Classes(VRF, entries(), this::known));
        maps.gatherRouteWrites();
        put("2001:db8:1f5::", 48, Route.unicast(5));
        put("2001:db8:1f0::", 44, Route.unicast(4)); // 16 prefixes of class /48, one taken by the /48
        assertEquals("nh 2", decided(Frames6.v6("2001:db8:1f5::1")), "held, not in the map yet");
        maps.writeGatheredRoutes();
        assertForwardsAsWritten("2001:db8:1f5::1", "2001:db8:1f1::1", "2001:db8:2::1");

        // A delete after held writes: they are written first, so the delete finds what it removes.
        maps.gatherRouteWrites();
        put("2001:db8:2f0::", 44, Route.unicast(6));
        delete("2001:db8:2f0::", 44);
        put("2001:db8:3f5::", 48, Route.unicast(7));
        assertEquals(Set.copyOf(entries()), Set.copyOf(maps.routes6()), "listing the routes writes the held ones first");
        put("2001:db8:4f5::", 48, Route.unicast(8));
        maps.writeGatheredRoutes();
        assertForwardsAsWritten("2001:db8:2f1::1", "2001:db8:3f5::1", "2001:db8:4f5::1", "2001:db8:1f1::1");
        assertEquals(Set.copyOf(entries()), Set.copyOf(maps.routes6()));

        // A route moved to another nexthop, its former slot then cleared (its last route gone): the held
        // entry is written before the slot is cleared, so the route never points at a cleared slot.
        maps.gatherRouteWrites();
        put("2001:db8:4f5::", 48, Route.unicast(3));
        maps.clearNexthop(8);
        assertEquals("nh 3", decided(Frames6.v6("2001:db8:4f5::1")), "written before the slot was cleared");
        maps.writeGatheredRoutes();
    }

    @Test
    void droppedClassesLeaveTheVrfToTheTrie() throws Exception {
        put("2001:db8::", 32, Route.unicast(2));
        assertTrue(maps.moveToFib6Classes(VRF, entries(), this::known));
        try (FastPathMaps reader = FastPathMaps.open(root)) {
            assertTrue(reader.hasFib6Classes(VRF), "another process sees the classes");
            assertEquals(Route.unicast(2), reader.lookupRoute6(VRF, Frames6.v6("2001:db8::"), 32));
        }
        delete("2001:db8::", 32);
        maps.dropFib6Classes(VRF);
        assertFalse(maps.hasFib6Classes(VRF));
        assertEquals(0, maps.route6Count());
        assertEquals("pass", decided(Frames6.v6("2001:db8::1")));
    }

    @Test
    void theRoutersAddressesStayLocalWithRouteClasses() throws Exception {
        put("2001:db8::", 32, Route.unicast(2));
        maps.putLocal6(VRF, Frames6.v6("2001:db8:1::1"), LO); // before the move
        assertTrue(maps.moveToFib6Classes(VRF, entries(), this::known));
        maps.putLocal6(VRF, Frames6.v6("2001:db9::1"), LO); // after it, in a block without routes
        assertEquals("pass", decided(Frames6.v6("2001:db8:1::1")));
        assertEquals("pass", decided(Frames6.v6("2001:db9::1")));
        assertEquals("nh 2", decided(Frames6.v6("2001:db8:1::2")), "its neighbour is forwarded");
    }

    @Test
    void classEntriesOfAnotherLayoutAreRefusedNotMisread() throws Exception {
        // A /44 stored under class 3, as the classes of 8 lengths did (33-40 is class 3 now).
        byte[] key = ByteBuffer.allocate(24).order(java.nio.ByteOrder.nativeOrder()).putInt(VRF).put((byte) 3)
                .put(new byte[3]).order(java.nio.ByteOrder.BIG_ENDIAN).putLong(0x2001_0db8_0010_0000L).putLong(0).array();
        byte[] value = ByteBuffer.allocate(12).put(Route.unicast(1).encode()).order(java.nio.ByteOrder.nativeOrder())
                .putInt(44).array();
        try (BpfMap cls = BpfMap.openPinned(root.resolve("xg_fib6_cls"))) {
            cls.update(key, value);
        }
        BpfException e = org.junit.jupiter.api.Assertions.assertThrows(BpfException.class, maps::route6Count);
        assertTrue(e.getMessage().contains("another route class layout"), e.getMessage());
    }
}
