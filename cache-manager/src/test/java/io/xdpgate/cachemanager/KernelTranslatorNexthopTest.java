package io.xdpgate.cachemanager;

import io.xdpgate.fpc.FpcGroupMember;
import io.xdpgate.fpc.FpcNexthopGroup;
import io.xdpgate.fpc.FpcNexthopObject;
import io.xdpgate.fpc.FpcRoute;
import io.xdpgate.fpc.FpcRouteType;
import io.xdpgate.netlink.NexthopObject;
import io.xdpgate.netlink.Route;
import io.xdpgate.netlink.RouteNexthop;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.xdpgate.cachemanager.KernelEvents.add;
import static io.xdpgate.cachemanager.KernelEvents.blackhole;
import static io.xdpgate.cachemanager.KernelEvents.del;
import static io.xdpgate.cachemanager.KernelEvents.group;
import static io.xdpgate.cachemanager.KernelEvents.ip;
import static io.xdpgate.cachemanager.KernelEvents.object;
import static io.xdpgate.cachemanager.KernelEvents.routeVia;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelTranslatorNexthopTest {

    private final KernelTranslator translator = new KernelTranslator(3);

    @Test
    void singleNexthopsKeepIfindexAndGateway() {
        assertEquals(new FpcNexthopObject(true, 3, 10, 7, ip("10.8.0.2"), false), translator.translate(add(object(10, "10.8.0.2", 7))));
        assertEquals(new FpcNexthopObject(true, 3, 11, 7, null, false), translator.translate(add(object(11, null, 7))),
                "directly connected: no gateway");
        NexthopObject v6 = new NexthopObject(20, 10, 7, ip("fe80::1"), false, List.of(), 0, 0);
        assertEquals(new FpcNexthopObject(true, 3, 20, 7, ip("fe80::1"), false), translator.translate(add(v6)));
        assertEquals(new FpcNexthopObject(false, 3, 10, 7, ip("10.8.0.2"), false), translator.translate(del(object(10, "10.8.0.2", 7))));
    }

    @Test
    void blackholeHasNeitherIfindexNorGateway() {
        assertEquals(new FpcNexthopObject(true, 3, 5, 0, null, true), translator.translate(add(blackhole(5))));
    }

    @Test
    void groupsKeepTheirMembersAndWeights() {
        FpcNexthopGroup g = (FpcNexthopGroup) translator.translate(add(group(30, 10, 1, 11, 300)));
        assertEquals(new FpcNexthopGroup(true, 3, 30, List.of(new FpcGroupMember(10, 1), new FpcGroupMember(11, 300))), g);
        FpcNexthopGroup gone = (FpcNexthopGroup) translator.translate(del(group(30, 10, 1)));
        assertEquals(30, gone.id());
        assertTrue(!gone.add());
    }

    @Test
    void routeThroughAnObjectNamesItAndLeavesOutThePathsTheKernelCopiesIn() {
        FpcRoute single = (FpcRoute) translator.translate(add(routeVia("10.1.0.0", 16, 10)));
        assertEquals(new FpcRoute(true, 3, 254, ip("10.1.0.0"), 16, FpcRouteType.UNICAST, List.of(), 10), single);
        // Through a group, the kernel (nexthop_compat_mode) adds the group's paths as RTA_MULTIPATH.
        Route viaGroup = new Route(2, 254, 1, 3, 0, 16, ip("10.3.0.0"), null, 0, 0,
                List.of(new RouteNexthop(7, ip("10.8.0.2"), 1), new RouteNexthop(7, ip("10.8.0.3"), 1)), 30);
        assertEquals(new FpcRoute(true, 3, 254, ip("10.3.0.0"), 16, FpcRouteType.UNICAST, List.of(), 30),
                translator.translate(add(viaGroup)));
    }

    @Test
    void routeThroughABlackholeObjectStaysABlackholeAndNamesTheObject() {
        // `ip route add 10.10.0.0/16 nhid 5` with 5 a blackhole: the kernel reports type blackhole. A route
        // of its own type blackhole may also name a forwarding object: the type is kept as reported.
        Route r = new Route(2, 254, 6, 3, 0, 16, ip("10.10.0.0"), null, 0, 0, List.of(), 5);
        FpcRoute m = (FpcRoute) translator.translate(add(r));
        assertEquals(FpcRouteType.BLACKHOLE, m.type());
        assertEquals(5, m.nexthopId());
        assertTrue(m.nexthops().isEmpty());
    }
}
