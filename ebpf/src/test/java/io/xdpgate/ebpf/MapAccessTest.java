package io.xdpgate.ebpf;

import static io.xdpgate.ebpf.Frames.ip;
import static io.xdpgate.ebpf.Frames6.v6;
import static io.xdpgate.ebpf.XdpFixtureTest.v4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** FastPathMaps and BpfMap against real pinned maps. */
class MapAccessTest {
    private Path root;
    private FastPathProgram prog;
    private FastPathMaps maps;

    @BeforeEach
    void load() throws Exception {
        root = Privileged.freshPinRoot();
        prog = FastPathProgram.load(root, 7);
        maps = FastPathMaps.open(root);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (maps != null) {
            maps.close();
        }
        if (prog != null) {
            prog.close();
        }
        Privileged.removePinRoot(root);
    }

    @Test
    void routeLookupIsExactNotLongestPrefix() throws Exception {
        assertNull(maps.lookupRoute4(7, v4(ip(10, 0, 0, 0)), 8), "empty trie");
        maps.putRoute4(7, v4(ip(10, 0, 0, 0)), 8, Route.unicast(1));
        maps.putRoute4(7, v4(ip(10, 1, 2, 0)), 24, Route.unicast(2));
        maps.putRoute4(7, v4(ip(10, 9, 9, 9)), 32, new Route(Route.BLACKHOLE, 0));
        assertEquals(Route.unicast(1), maps.lookupRoute4(7, v4(ip(10, 0, 0, 0)), 8));
        assertEquals(Route.unicast(2), maps.lookupRoute4(7, v4(ip(10, 1, 2, 0)), 24));
        assertEquals(new Route(Route.BLACKHOLE, 0), maps.lookupRoute4(7, v4(ip(10, 9, 9, 9)), 32));
        assertNull(maps.lookupRoute4(7, v4(ip(10, 1, 0, 0)), 16), "covered by the /8 but not stored");
        assertNull(maps.lookupRoute4(7, v4(ip(10, 1, 2, 3)), 32), "covered by the /24 but not stored");
        assertNull(maps.lookupRoute4(8, v4(ip(10, 0, 0, 0)), 8), "another VRF");
        assertEquals(Route.unicast(2), maps.lookupRoute4(7, v4(ip(10, 1, 2, 99)), 24), "host bits are ignored");
        assertEquals(3, maps.route4Count());
        assertTrue(maps.deleteRoute4(7, v4(ip(10, 1, 2, 0)), 24));
        assertFalse(maps.deleteRoute4(7, v4(ip(10, 1, 2, 0)), 24), "already gone");
        assertEquals(2, maps.route4Count());
        assertThrows(IllegalArgumentException.class, () -> maps.putRoute4(7, v4(0), 33, Route.unicast(1)));
    }

    @Test
    void recordsRoundTripThroughTheMaps() throws Exception {
        Port port = new Port(Frames.mac(9), Port.UP, 9000);
        maps.putPort(3, 42, port);
        assertEquals(port, maps.port(3, 42));
        maps.deletePort(3, 42);
        assertNull(maps.port(3, 42));

        Nexthop nh = Nexthop.resolved(42, 1500, Frames.mac(3), Frames.mac(4));
        maps.putNexthop(65535, nh);
        assertEquals(nh, maps.nexthop(65535));
        maps.clearNexthop(65535);
        assertEquals(0, maps.nexthop(65535).flags());
        assertNull(maps.nexthop(65536), "beyond the array");

        Neighbour n = new Neighbour(Frames.mac(5), 0x80, true);
        maps.putNeighbour4(3, 42, v4(ip(192, 0, 2, 1)), n);
        assertEquals(n, maps.neighbour4(3, 42, v4(ip(192, 0, 2, 1))));
        assertTrue(maps.deleteNeighbour4(3, 42, v4(ip(192, 0, 2, 1))));
        assertFalse(maps.deleteNeighbour4(3, 42, v4(ip(192, 0, 2, 1))));

        maps.putLocal4(3, v4(ip(192, 0, 2, 254)), 42);
        assertTrue(maps.deleteLocal4(3, v4(ip(192, 0, 2, 254))));
        assertFalse(maps.deleteLocal4(3, v4(ip(192, 0, 2, 254))));
    }

    @Test
    void failuresNameTheCallTheMapAndTheErrno() throws Exception {
        try (BpfMap nh = BpfMap.openPinned(root.resolve("xg_nh"))) {
            byte[] key = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(70000).array();
            BpfException e = assertThrows(BpfException.class, () -> nh.update(key, new byte[28]));
            assertEquals("bpf(BPF_MAP_UPDATE_ELEM) on xg_nh failed: E2BIG (Argument list too long)", e.getMessage());
            assertEquals(BpfException.E2BIG, e.errno());
        }
        BpfException e = assertThrows(BpfException.class, () -> BpfMap.openPinned(root.resolve("nothing")));
        assertEquals("bpf(BPF_OBJ_GET) on " + root.resolve("nothing") + " failed: ENOENT (No such file or directory)",
                e.getMessage());
    }

    @Test
    void perCpuLookupGivesOneValuePerPossibleCpu() throws Exception {
        try (BpfMap stats = BpfMap.openPinned(root.resolve("xg_stats"))) {
            byte[] key = new byte[4];
            byte[][] perCpu = stats.lookupPerCpu(key);
            assertEquals(io.xdpgate.ebpf.libbpf.Bpf.numPossibleCpus(), perCpu.length);
            for (byte[] v : perCpu) {
                assertArrayEquals(new byte[16], v);
            }
            assertThrows(IllegalStateException.class, () -> stats.lookup(key));
        }
        assertEquals(Stat.values().length, maps.stats().size());
    }

    @Test
    void keysWalksEveryKey() throws Exception {
        try (BpfMap ports = BpfMap.openPinned(root.resolve("xg_ports"))) {
            for (int i = 1; i <= 5; i++) {
                maps.putPort(1, i, new Port(Frames.mac(i), Port.UP, 1500));
            }
            assertEquals(5, ports.keys().size());
            assertEquals(5, ports.count());
        }
    }

    @Test
    void everyTableCanBeListedBackAsWritten() throws Exception {
        byte[] mac = {2, 0, 0, 0, 0, 9};
        maps.putRoute4(7, v4(ip(10, 1, 2, 0)), 24, Route.unicast(3));
        maps.putRoute4(8, v4(ip(0, 0, 0, 0)), 0, new Route(Route.BLACKHOLE, 0));
        maps.putNeighbour4(7, 4, v4(ip(10, 1, 2, 5)), new Neighbour(mac, 2, false));
        maps.putLocal4(7, v4(ip(10, 1, 2, 1)), 4);
        maps.putPort(7, 4, new Port(mac, Port.UP, 1500));
        maps.putNexthop(3, Nexthop.resolved(4, 1500, mac, mac));

        assertEquals(java.util.Set.of(
                        new FastPathMaps.Route4Entry(7, v4(ip(10, 1, 2, 0)), 24, Route.unicast(3)),
                        new FastPathMaps.Route4Entry(8, v4(ip(0, 0, 0, 0)), 0, new Route(Route.BLACKHOLE, 0))),
                java.util.Set.copyOf(maps.routes4()));
        assertEquals(java.util.List.of(new FastPathMaps.Neighbour4Entry(7, 4, v4(ip(10, 1, 2, 5)), new Neighbour(mac, 2, false))),
                maps.neighbours4());
        assertEquals(java.util.List.of(new FastPathMaps.Local4Entry(7, v4(ip(10, 1, 2, 1)), 4)), maps.locals4());
        assertEquals(4, maps.local4(7, v4(ip(10, 1, 2, 1))));
        assertEquals(-1, maps.local4(7, v4(ip(10, 1, 2, 2))));
        assertEquals(java.util.List.of(new FastPathMaps.PortEntry(7, 4, new Port(mac, Port.UP, 1500))), maps.ports());
        assertEquals(java.util.Map.of(3, Nexthop.resolved(4, 1500, mac, mac)), maps.nexthopsInUse());
    }

    @Test
    void ipv6RouteLookupIsExactNotLongestPrefix() throws Exception {
        assertNull(maps.lookupRoute6(7, v6("2001:db8::"), 32), "empty trie");
        maps.putRoute6(7, v6("2001:db8::"), 32, Route.unicast(1));
        maps.putRoute6(7, v6("2001:db8:1:2::"), 64, Route.unicast(2));
        maps.putRoute6(7, v6("2001:db8::9"), 128, new Route(Route.BLACKHOLE, 0));
        assertEquals(Route.unicast(1), maps.lookupRoute6(7, v6("2001:db8::"), 32));
        assertEquals(Route.unicast(2), maps.lookupRoute6(7, v6("2001:db8:1:2::"), 64));
        assertEquals(new Route(Route.BLACKHOLE, 0), maps.lookupRoute6(7, v6("2001:db8::9"), 128));
        assertNull(maps.lookupRoute6(7, v6("2001:db8:1::"), 48), "covered by the /32 but not stored");
        assertNull(maps.lookupRoute6(7, v6("2001:db8:1:2::1"), 128), "covered by the /64 but not stored");
        assertNull(maps.lookupRoute6(8, v6("2001:db8::"), 32), "another VRF");
        assertEquals(Route.unicast(2), maps.lookupRoute6(7, v6("2001:db8:1:2:ffff::1"), 64), "host bits are ignored");
        assertEquals(3, maps.route6Count());
        assertEquals(0, maps.route4Count(), "IPv6 routes live in xg_fib6 only");
        assertTrue(maps.deleteRoute6(7, v6("2001:db8:1:2::"), 64));
        assertFalse(maps.deleteRoute6(7, v6("2001:db8:1:2::"), 64), "already gone");
        assertEquals(2, maps.route6Count());
        assertThrows(IllegalArgumentException.class, () -> maps.putRoute6(7, v6("::"), 129, Route.unicast(1)));
    }

    @Test
    void ipv6TablesCanBeListedBackAsWritten() throws Exception {
        byte[] mac = {2, 0, 0, 0, 0, 9};
        maps.putRoute6(7, v6("2001:db8:1::"), 48, Route.unicast(3));
        maps.putRoute6(8, v6("::"), 0, new Route(Route.UNREACHABLE, 0));
        maps.putRoute6(7, v6("::ffff:0:0"), 96, Route.unicast(4)); // IPv4-mapped stays an Inet6Address
        maps.putNeighbour6(7, 4, v6("2001:db8:1::5"), new Neighbour(mac, 2, false));
        maps.putNeighbour6(7, 4, v6("fe80::5"), new Neighbour(mac, 0x40, true));
        maps.putLocal6(7, v6("2001:db8:1::1"), 4);

        assertEquals(Set.of(
                        new FastPathMaps.Route6Entry(7, v6("2001:db8:1::"), 48, Route.unicast(3)),
                        new FastPathMaps.Route6Entry(8, v6("::"), 0, new Route(Route.UNREACHABLE, 0)),
                        new FastPathMaps.Route6Entry(7, v6("::ffff:0:0"), 96, Route.unicast(4))),
                Set.copyOf(maps.routes6()));
        assertEquals(3, maps.route6Count());
        assertEquals(Set.of(
                        new FastPathMaps.Neighbour6Entry(7, 4, v6("2001:db8:1::5"), new Neighbour(mac, 2, false)),
                        new FastPathMaps.Neighbour6Entry(7, 4, v6("fe80::5"), new Neighbour(mac, 0x40, true))),
                Set.copyOf(maps.neighbours6()));
        assertEquals(new Neighbour(mac, 2, false), maps.neighbour6(7, 4, v6("2001:db8:1::5")));
        assertNull(maps.neighbour6(7, 5, v6("2001:db8:1::5")), "another interface");
        assertEquals(List.of(new FastPathMaps.Local6Entry(7, v6("2001:db8:1::1"), 4)), maps.locals6());
        assertEquals(4, maps.local6(7, v6("2001:db8:1::1")));
        assertEquals(-1, maps.local6(7, v6("2001:db8:1::2")));
        assertEquals(-1, maps.local6(8, v6("2001:db8:1::1")), "another VRF");
        assertTrue(maps.locals4().isEmpty() && maps.neighbours4().isEmpty(), "nothing leaked into the IPv4 maps");

        assertTrue(maps.deleteNeighbour6(7, 4, v6("fe80::5")));
        assertFalse(maps.deleteNeighbour6(7, 4, v6("fe80::5")));
        assertTrue(maps.deleteLocal6(7, v6("2001:db8:1::1")));
        assertFalse(maps.deleteLocal6(7, v6("2001:db8:1::1")));
        assertEquals(1, maps.neighbours6().size());
        assertTrue(maps.locals6().isEmpty());
    }

    @Test
    void batchedRouteUpdatesWriteEveryRouteAndReplace() throws Exception {
        List<FastPathMaps.Route4Entry> v4routes = new ArrayList<>();
        int n = FastPathMaps.BATCH_CHUNK + 100; // more than one chunk
        for (int i = 0; i < n; i++) {
            v4routes.add(new FastPathMaps.Route4Entry(7, v4(ip(10, i >> 8 & 0xff, i & 0xff, 0)), 24,
                    Route.unicast(i % 7)));
        }
        assertEquals(n, maps.putRoutes4(v4routes));
        assertEquals(n, maps.route4Count());
        assertEquals(Set.copyOf(v4routes), Set.copyOf(maps.routes4()));
        assertEquals(2, maps.putRoutes4(List.of(
                new FastPathMaps.Route4Entry(7, v4(ip(10, 0, 5, 0)), 24, new Route(Route.BLACKHOLE, 0)),
                new FastPathMaps.Route4Entry(7, v4(ip(10, 0, 6, 77)), 24, Route.unicast(9)))), "replace");
        assertEquals(n, maps.route4Count());
        assertEquals(new Route(Route.BLACKHOLE, 0), maps.lookupRoute4(7, v4(ip(10, 0, 5, 0)), 24));
        assertEquals(Route.unicast(9), maps.lookupRoute4(7, v4(ip(10, 0, 6, 0)), 24), "host bits cleared");
        assertEquals(0, maps.putRoutes4(List.of()));

        List<FastPathMaps.Route6Entry> v6routes = List.of(
                new FastPathMaps.Route6Entry(7, v6("2001:db8:1::"), 48, Route.unicast(1)),
                new FastPathMaps.Route6Entry(7, v6("2001:db8:1:2::"), 64, Route.unicast(2)),
                new FastPathMaps.Route6Entry(9, v6("::"), 0, new Route(Route.PROHIBIT, 0)));
        assertEquals(3, maps.putRoutes6(v6routes));
        assertEquals(Set.copyOf(v6routes), Set.copyOf(maps.routes6()));
        assertThrows(IllegalArgumentException.class, () -> maps.putRoutes6(List.of(
                new FastPathMaps.Route6Entry(7, v6("2001:db8:2::"), 48, Route.unicast(1)),
                new FastPathMaps.Route6Entry(7, v6("2001:db8:3::"), 130, Route.unicast(1)))));
        assertNull(maps.lookupRoute6(7, v6("2001:db8:2::"), 48), "every key is checked before anything is written");
    }

    @Test
    void aFailedBatchSaysWhichRouteFailedAndHowManyWereWritten() throws Exception {
        try (BpfMap nh = BpfMap.openPinned(root.resolve("xg_nh"))) {
            // The nexthop array refuses an index beyond its size (E2BIG): the batch stops there.
            List<byte[]> keys = new ArrayList<>();
            List<byte[]> values = new ArrayList<>();
            for (int id : new int[] {1, 2, 65536, 3}) {
                keys.add(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(id).array());
                values.add(new byte[MapLayouts.NEXTHOP.size()]);
            }
            BpfBatchException e = assertThrows(BpfBatchException.class, () -> nh.updateBatch(keys, values, 3));
            assertEquals(2, e.completed());
            assertEquals(BpfException.E2BIG, e.errno());
            assertEquals("bpf(BPF_MAP_UPDATE_BATCH) on xg_nh failed after 2 of 3 entries: E2BIG (Argument list too long)",
                    e.getMessage());
            BpfBatchException second = assertThrows(BpfBatchException.class,
                    () -> nh.updateBatch(keys.subList(0, 4), values.subList(0, 4), 2));
            assertEquals(2, second.completed(), "counted over chunks: the first chunk of 2, then none");
        }
    }
    @Test
    void nexthopGroupsArePutReadClearedAndListedWhenInUse() throws Exception {
        assertEquals(java.util.Map.of(), maps.nexthopGroupsInUse());
        NexthopGroup g = NexthopGroup.of(0xabcdef, new int[] {3, 9}, new int[] {1, 2});
        maps.putNexthopGroup(1, g);
        maps.putNexthopGroup(MapLayouts.NHG_MAX - 1, g);
        assertEquals(g, maps.nexthopGroup(1));
        assertEquals(java.util.Map.of(1, g, MapLayouts.NHG_MAX - 1, g), maps.nexthopGroupsInUse());
        maps.clearNexthopGroup(1);
        assertFalse(maps.nexthopGroup(1).isValid());
        assertEquals(0, maps.nexthopGroup(1).bucket(0));
        assertEquals(java.util.Map.of(MapLayouts.NHG_MAX - 1, g), maps.nexthopGroupsInUse());
        assertNull(maps.nexthopGroup(MapLayouts.NHG_MAX), "beyond the array");
        assertThrows(BpfException.class, () -> maps.putNexthopGroup(MapLayouts.NHG_MAX, g));
    }
}
