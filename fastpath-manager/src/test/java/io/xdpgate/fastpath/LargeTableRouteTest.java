package io.xdpgate.fastpath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.ebpf.Route;
import io.xdpgate.fpc.FpcNexthop;
import io.xdpgate.fpc.FpcRoute;
import io.xdpgate.fpc.FpcRouteType;
import io.xdpgate.fpc.FpcSyncBegin;
import io.xdpgate.fpc.FpcSyncEnd;
import io.xdpgate.fpc.FpcVrf;
import java.net.Inet4Address;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A VRF that grows past --large-table-routes (4 here) moves to its large-table layouts (an IPv4
 * DIR-24 table, IPv6 route classes), and the manager keeps them exact: deletes give a route's
 * place to the route covering it, sweeps and VRF removal too, and a restarted manager adopts them.
 */
class LargeTableRouteTest extends ForwardingStateFixture {

    /** Announced prefix -> the nexthop gateway's last byte (each its own slot). */
    private final Map<String, Integer> announced = new LinkedHashMap<>();

    @Override
    FastPathOptions options() {
        return new FastPathOptions(pinRoot, Path.of("/unused"), Set.of(), List.of("xga"), null, 4);
    }

    private void route(boolean add, String prefix, int length, int gw) throws Exception {
        ok(new FpcRoute(add, VRF, 254, ip(prefix), length, FpcRouteType.UNICAST,
                List.of(new FpcNexthop(ifindex, ip("10.1.0." + gw), 1))));
        if (add) announced.put(prefix + "/" + length, gw);
        else announced.remove(prefix + "/" + length);
    }

    /** Every probe decided as the longest announced prefix says: the route of that prefix. */
    private void assertLongestMatches(String... probes) throws Exception {
        for (String p : probes) {
            Inet4Address a = (Inet4Address) ip(p);
            String best = null;
            int bestLength = -1;
            for (String k : announced.keySet()) {
                String[] pl = k.split("/");
                int length = Integer.parseInt(pl[1]);
                if (length > bestLength && RouteTable.mask(RouteTable.ipv4(a), length)
                        == RouteTable.ipv4((Inet4Address) ip(pl[0]))) {
                    best = k;
                    bestLength = length;
                }
            }
            Route expected = best == null ? null
                    : maps.lookupRoute4(VRF, (Inet4Address) ip(best.split("/")[0]), bestLength);
            assertEquals(expected, maps.longestMatch4(VRF, a), p + " (longest announced: " + best + ")");
            if (best != null) assertEquals(Route.UNICAST, expected.type(), best);
        }
    }

    private static final String[] PROBES = {"10.0.0.1", "10.2.3.4", "10.2.9.9", "10.2.3.200", "10.2.3.7",
        "10.9.9.9", "11.1.1.1", "192.0.2.1"};

    @Test
    void aGrowingVrfMovesToATableAndStaysExact() throws Exception {
        route(true, "10.0.0.0", 8, 8);
        route(true, "10.2.0.0", 16, 16);
        route(true, "10.2.3.128", 25, 25);
        try (FastPathMaps reader = FastPathMaps.open(pinRoot)) {
            assertFalse(reader.hasFib4Dir(VRF), "three routes: xg_fib4 only");
        }
        route(true, "10.2.3.0", 24, 24);
        try (FastPathMaps reader = FastPathMaps.open(pinRoot)) {
            assertTrue(reader.hasFib4Dir(VRF), "four routes: moved");
        }
        route(true, "10.2.3.7", 32, 32);
        assertEquals(5, maps.route4Count());
        assertLongestMatches(PROBES);

        route(false, "10.2.0.0", 16, 0);
        assertNull(maps.lookupRoute4(VRF, (Inet4Address) ip("10.2.0.0"), 16));
        assertLongestMatches(PROBES);
        route(false, "10.2.3.0", 24, 0);
        assertLongestMatches(PROBES);
        route(false, "10.2.3.128", 25, 0);
        assertLongestMatches(PROBES);
        route(true, "0.0.0.0", 0, 1);
        assertLongestMatches(PROBES);
        assertEquals(announced.size(), maps.route4Count());
    }

    @Test
    void aSweepAndARestartKeepTheTableExact() throws Exception {
        for (int i = 0; i < 6; i++) route(true, "10." + i + ".0.0", 16, 10 + i);
        route(true, "10.0.0.0", 8, 8);
        ok(new FpcSyncEnd(1));
        // The next generation announces all but two /16: the sweep deletes them.
        ok(new FpcSyncBegin(2));
        ok(new FpcVrf(true, VRF, netns));
        ok(link(UP));
        announced.clear();
        for (int i = 0; i < 4; i++) route(true, "10." + i + ".0.0", 16, 10 + i);
        route(true, "10.0.0.0", 8, 8);
        ok(new FpcSyncEnd(2));
        assertEquals(announced.size(), maps.route4Count(), "swept");
        assertLongestMatches("10.4.1.1", "10.5.1.1", "10.3.1.1", "10.0.0.1");

        restart();
        ok(new FpcSyncBegin(3));
        ok(new FpcVrf(true, VRF, netns));
        ok(link(UP));
        route(false, "10.3.0.0", 16, 0); // a delete right after adoption: its /24s go to the adopted /8
        assertLongestMatches("10.3.1.1", "10.2.1.1");

        ok(new FpcVrf(false, VRF, netns));
        try (FastPathMaps reader = FastPathMaps.open(pinRoot)) {
            assertFalse(reader.hasFib4Dir(VRF), "the removed VRF's table is gone");
            assertEquals(0, reader.route4Count());
        }
    }

    private void route6(boolean add, String prefix, int length) throws Exception {
        ok(new FpcRoute(add, VRF, 254, ip6(prefix), length, FpcRouteType.UNICAST,
                List.of(new FpcNexthop(ifindex, ip6("2001:db8:ffff::1"), 1))));
    }

    @Test
    void ipv6RoutesMoveToClassesAndStayWritableAfterARestart() throws Exception {
        route6(true, "2001:db8:1::", 48);
        route6(true, "2001:db8:2::", 48);
        route6(true, "2001:db8::", 32);
        try (FastPathMaps reader = FastPathMaps.open(pinRoot)) {
            assertFalse(reader.hasFib6Classes(VRF), "three routes: xg_fib6 only");
        }
        route6(true, "2001:db8:10::", 44);
        try (FastPathMaps reader = FastPathMaps.open(pinRoot)) {
            assertTrue(reader.hasFib6Classes(VRF), "four routes: moved");
            assertEquals(4, reader.route6Count());
        }
        Route r44 = maps.lookupRoute6(VRF, ip6("2001:db8:10::"), 44);
        assertEquals(Route.UNICAST, r44.type());
        restart();
        ok(new FpcSyncBegin(3));
        ok(new FpcVrf(true, VRF, netns));
        ok(link(UP));
        route6(true, "2001:db8:12::", 48); // inside the /44: takes one of its prefixes
        route6(false, "2001:db8:10::", 44);
        assertNull(maps.lookupRoute6(VRF, ip6("2001:db8:10::"), 44));
        assertEquals(Route.UNICAST, maps.lookupRoute6(VRF, ip6("2001:db8:12::"), 48).type());
        assertEquals(4, maps.route6Count());
        ok(new FpcVrf(false, VRF, netns));
        try (FastPathMaps reader = FastPathMaps.open(pinRoot)) {
            assertFalse(reader.hasFib6Classes(VRF), "the removed VRF's classes are gone");
            assertEquals(0, reader.route6Count());
        }
    }
}
