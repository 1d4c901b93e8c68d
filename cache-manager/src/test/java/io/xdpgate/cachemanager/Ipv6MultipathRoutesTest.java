package io.xdpgate.cachemanager;

import io.xdpgate.netlink.Route;
import io.xdpgate.netlink.RouteNexthop;
import io.xdpgate.netlink.RtnlEvent;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The removal of one path of an IPv6 multipath route, as this kernel announces it: `ip -6 route del
 * 2001:db8:100::/48 via 2001:db8:9::2 dev xgb` on a three-path route gives "Deleted 2001:db8:100::/48
 * via 2001:db8:9::2 dev xgb metric 1024" while the route keeps its two other paths.
 */
class Ipv6MultipathRoutesTest {

    private final Ipv6MultipathRoutes routes = new Ipv6MultipathRoutes();

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    private static Route multipath(List<RouteNexthop> paths) throws Exception {
        return new Route(10, 254, 1, 3, 0, 48, ip("2001:db8:100::"), null, 0, 1024, paths, 0);
    }

    private static Route onePath(String gateway, int oif, int priority) throws Exception {
        return new Route(10, 254, 1, 3, 0, 48, ip("2001:db8:100::"), ip(gateway), oif, priority, List.of(), 0);
    }

    private static RouteNexthop path(String gateway, int oif) throws Exception {
        return new RouteNexthop(oif, ip(gateway), 1);
    }

    @Test
    void removingOnePathLeavesTheRouteWithTheOthers() throws Exception {
        List<RouteNexthop> three = List.of(path("2001:db8:8::3", 7), path("2001:db8:8::2", 7), path("2001:db8:9::2", 8));
        routes.apply(new RtnlEvent(false, multipath(three)));

        RtnlEvent out = routes.apply(new RtnlEvent(true, onePath("2001:db8:9::2", 8, 1024)));
        assertFalse(out.deleted(), "the route is still there");
        assertEquals(List.of(path("2001:db8:8::3", 7), path("2001:db8:8::2", 7)), ((Route) out.object()).multipath());

        // Down to one path: an ordinary route, with its gateway and oif.
        out = routes.apply(new RtnlEvent(true, onePath("2001:db8:8::3", 7, 1024)));
        Route single = (Route) out.object();
        assertFalse(out.deleted());
        assertTrue(single.multipath().isEmpty());
        assertEquals(ip("2001:db8:8::2"), single.gateway());
        assertEquals(7, single.oif());
        assertEquals(0, routes.size());

        // Its last path going is the route going.
        RtnlEvent last = new RtnlEvent(true, onePath("2001:db8:8::2", 7, 1024));
        assertSame(last, routes.apply(last));
    }

    @Test
    void wholeRouteDeletionsAndUnknownPathsPassAsTheyCome() throws Exception {
        List<RouteNexthop> two = List.of(path("2001:db8:8::2", 7), path("2001:db8:9::2", 8));
        routes.apply(new RtnlEvent(false, multipath(two)));
        RtnlEvent whole = new RtnlEvent(true, multipath(two));
        assertSame(whole, routes.apply(whole));
        assertEquals(0, routes.size());

        routes.apply(new RtnlEvent(false, multipath(two)));
        RtnlEvent otherMetric = new RtnlEvent(true, onePath("2001:db8:9::2", 8, 100));
        assertSame(otherMetric, routes.apply(otherMetric), "another route (metric 100) of the same prefix");
        RtnlEvent notAPath = new RtnlEvent(true, onePath("2001:db8:9::9", 8, 1024));
        assertSame(notAPath, routes.apply(notAPath));
    }

    @Test
    void aSinglePathReplacementOrANewDumpForgetsTheRoute() throws Exception {
        routes.apply(new RtnlEvent(false, multipath(List.of(path("2001:db8:8::2", 7), path("2001:db8:9::2", 8)))));
        routes.apply(new RtnlEvent(false, onePath("2001:db8:8::2", 7, 1024)));
        assertEquals(0, routes.size());
        routes.apply(new RtnlEvent(false, multipath(List.of(path("2001:db8:8::2", 7), path("2001:db8:9::2", 8)))));
        routes.clear();
        assertEquals(0, routes.size());
    }
}
