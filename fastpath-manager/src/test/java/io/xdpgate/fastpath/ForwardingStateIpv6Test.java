package io.xdpgate.fastpath;

import io.xdpgate.ebpf.Nexthop;
import io.xdpgate.ebpf.Route;
import io.xdpgate.fpc.FpcAddress;
import io.xdpgate.fpc.FpcNeighbour;
import io.xdpgate.fpc.FpcNexthop;
import io.xdpgate.fpc.FpcRoute;
import io.xdpgate.fpc.FpcRouteType;
import io.xdpgate.fpc.FpcSyncBegin;
import io.xdpgate.fpc.FpcSyncEnd;
import io.xdpgate.fpc.FpcVrf;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** IPv6 addresses, neighbours and routes, and gateways of either family, against the real maps. */
class ForwardingStateIpv6Test extends ForwardingStateFixture {

    private static final String GW6 = "fe80::2";

    /** A route of either family through one path; gw null: directly connected. */
    private FpcRoute routeVia(boolean add, String prefix, int len, String gw) throws Exception {
        return new FpcRoute(add, VRF, 254, InetAddress.getByName(prefix), len, FpcRouteType.UNICAST,
                List.of(new FpcNexthop(ifindex, gw == null ? null : InetAddress.getByName(gw), 1)));
    }

    private FpcNeighbour neighbour6(boolean add, String address, byte[] mac) throws Exception {
        return new FpcNeighbour(add, VRF, ifindex, ip6(address), add ? 0x02 : 0, add ? mac : new byte[0], true);
    }

    @Test
    void routeViaALinkLocalGatewayIsResolvedByItsNeighbourWhichRewritesTheSlotWhenItChanges() throws Exception {
        ok(routeVia(true, "2001:db8:9::", 48, GW6));
        Route r = route("2001:db8:9::", 48);
        assertEquals(Route.UNICAST, r.type());
        assertEquals(Nexthop.VALID, maps.nexthop(r.nexthopId()).flags(), "valid, not resolved yet");

        ok(neighbour6(true, GW6, GW_MAC));
        Nexthop nh = maps.nexthop(r.nexthopId());
        assertEquals(Nexthop.VALID | Nexthop.RESOLVED, nh.flags());
        assertArrayEquals(GW_MAC, nh.dmac());
        assertArrayEquals(PORT_MAC, nh.smac());
        assertEquals(ifindex, nh.ifindex());
        assertArrayEquals(GW_MAC, maps.neighbour6(VRF, ifindex, ip6(GW6)).mac());

        ok(neighbour6(true, GW6, OTHER_MAC));
        assertArrayEquals(OTHER_MAC, maps.nexthop(r.nexthopId()).dmac(), "the new MAC is in the same slot");
        assertEquals(r, route("2001:db8:9::", 48), "the route itself is not rewritten");

        ok(neighbour6(false, GW6, null));
        assertEquals(Nexthop.VALID, maps.nexthop(r.nexthopId()).flags());
        assertNull(maps.neighbour6(VRF, ifindex, ip6(GW6)));
    }

    @Test
    void multicastOrBroadcastLinkLayerAddressesAreNeverUsed() throws Exception {
        ok(routeVia(true, "2001:db8:9::", 48, GW6));
        ok(neighbour6(true, GW6, new byte[] {0x33, 0x33, 0, 0, 0, 1}));
        ok(neighbour6(true, "2001:db8:1::5", new byte[] {-1, -1, -1, -1, -1, -1}));
        assertNull(maps.neighbour6(VRF, ifindex, ip6(GW6)));
        assertNull(maps.neighbour6(VRF, ifindex, ip6("2001:db8:1::5")));
        assertEquals(0, slotOf("2001:db8:9::", 48).flags() & Nexthop.RESOLVED);
    }

    @Test
    void ipv4RouteViaAnIpv6GatewaySharesTheSlotOfIpv6RoutesViaIt() throws Exception {
        ok(neighbour6(true, GW6, GW_MAC));
        ok(routeVia(true, "10.9.0.0", 16, GW6)); // RFC 5549
        ok(routeVia(true, "2001:db8:9::", 48, GW6));
        int v4 = route("10.9.0.0", 16).nexthopId();
        assertEquals(v4, route("2001:db8:9::", 48).nexthopId());
        assertEquals(Nexthop.VALID | Nexthop.RESOLVED, maps.nexthop(v4).flags());
        assertArrayEquals(GW_MAC, maps.nexthop(v4).dmac());
        assertEquals(1, state.nexthopSlots());
    }

    @Test
    void connectedRoutesOfBothFamiliesOnOneLinkShareItsConnectedSlot() throws Exception {
        ok(routeVia(true, "10.1.0.0", 24, null));
        ok(routeVia(true, "2001:db8:1::", 64, null));
        assertEquals(route("10.1.0.0", 24).nexthopId(), route("2001:db8:1::", 64).nexthopId());
        assertEquals(Nexthop.VALID | Nexthop.CONNECTED, slotOf("2001:db8:1::", 64).flags());
        // A connected destination is looked up per packet in xg_neigh6.
        ok(neighbour6(true, "2001:db8:1::5", GW_MAC));
        assertArrayEquals(GW_MAC, maps.neighbour6(VRF, ifindex, ip6("2001:db8:1::5")).mac());
    }

    @Test
    void linkDownInvalidatesIpv6SlotsAndLinkUpRestoresThem() throws Exception {
        ok(neighbour6(true, GW6, GW_MAC));
        ok(routeVia(true, "::", 0, GW6));
        int id = route("::", 0).nexthopId();
        ok(link(0x1));
        assertEquals(Nexthop.RESOLVED, maps.nexthop(id).flags());
        ok(link(UP));
        assertEquals(Nexthop.VALID | Nexthop.RESOLVED, maps.nexthop(id).flags());
    }

    @Test
    void localAddressesGoToXgLocal6AndStayWhileTheAddressIsOnAnotherInterface() throws Exception {
        int peer = ifindexOf("xgb");
        ok(new FpcAddress(true, VRF, ifindex, 64, ip6("2001:db8:1::1")));
        ok(new FpcAddress(true, VRF, peer, 128, ip6("2001:db8:1::1")));
        assertTrue(maps.local6(VRF, ip6("2001:db8:1::1")) > 0);
        ok(new FpcAddress(false, VRF, ifindex, 64, ip6("2001:db8:1::1")));
        assertEquals(peer, maps.local6(VRF, ip6("2001:db8:1::1")), "still on xgb");
        ok(new FpcAddress(false, VRF, peer, 128, ip6("2001:db8:1::1")));
        assertEquals(-1, maps.local6(VRF, ip6("2001:db8:1::1")));
    }

    @Test
    void hostBitsAreClearedAndTheRouteIsDeletedByEitherSpelling() throws Exception {
        ok(routeVia(true, "2001:db8:9::1", 48, null));
        assertNotNull(route("2001:db8:9::", 48));
        ok(routeVia(false, "2001:db8:9::ff", 48, null));
        assertNull(route("2001:db8:9::", 48));
        assertEquals(0, state.nexthopSlots());
    }

    @Test
    void linkLocalAndMulticastRoutesAreNotMirroredButDefaultAndOtherTypesAre() throws Exception {
        ok(routeVia(true, "fe80::", 64, null));
        ok(new FpcRoute(true, VRF, 254, ip6("ff00::"), 8, FpcRouteType.UNICAST, List.of(new FpcNexthop(ifindex, null, 1))));
        assertNull(route("fe80::", 64), "link-local destinations go to Linux before any lookup");
        assertNull(route("ff00::", 8));
        assertEquals(0, state.nexthopSlots());
        ok(new FpcRoute(true, VRF, 254, ip6("2001:db8:66::"), 48, FpcRouteType.BLACKHOLE, List.of()));
        ok(new FpcRoute(true, VRF, 254, ip6("2001:db8:67::"), 48, FpcRouteType.PROHIBIT, List.of()));
        ok(routeVia(true, "::", 0, GW6));
        assertEquals(Route.BLACKHOLE, route("2001:db8:66::", 48).type());
        assertEquals(Route.PROHIBIT, route("2001:db8:67::", 48).type());
        assertEquals(Route.UNICAST, route("::", 0).type());
    }

    @Test
    void multipathIpv6RouteForwardsThroughAGroupOfItsLinkLocalGateways() throws Exception {
        ok(new FpcRoute(true, VRF, 254, ip6("2001:db8:9::"), 48, FpcRouteType.UNICAST,
                List.of(new FpcNexthop(ifindex, ip6("fe80::3"), 1), new FpcNexthop(ifindex, ip6("fe80::2"), 1))));
        Route r = route("2001:db8:9::", 48);
        assertTrue(r.isGroup(), r.toString());
        var g = maps.nexthopGroup(r.groupId());
        assertEquals(2, g.bucketsBySlot().size());
        ok(neighbour6(true, GW6, GW_MAC));
        assertArrayEquals(GW_MAC, maps.nexthop(g.bucket(0)).dmac(), "fe80::2 first: the buckets follow the gateways' order");
        assertEquals(Nexthop.VALID, maps.nexthop(g.bucket(127)).flags(), "fe80::3 not resolved");
    }

    @Test
    void syncEndSweepsStaleIpv6Objects() throws Exception {
        ok(new FpcAddress(true, VRF, ifindex, 64, ip6("2001:db8:1::1")));
        ok(new FpcAddress(true, VRF, ifindex, 64, ip6("2001:db8:2::1")));
        ok(neighbour6(true, GW6, GW_MAC));
        ok(neighbour6(true, "fe80::3", OTHER_MAC));
        ok(routeVia(true, "2001:db8:9::", 48, GW6));
        ok(routeVia(true, "2001:db8:10::", 48, "fe80::3"));
        ok(new FpcSyncEnd(1));

        ok(new FpcSyncBegin(2));
        ok(new FpcVrf(true, VRF, netns));
        ok(link(UP));
        ok(new FpcAddress(true, VRF, ifindex, 64, ip6("2001:db8:1::1")));
        ok(neighbour6(true, GW6, GW_MAC));
        ok(routeVia(true, "2001:db8:9::", 48, GW6));
        assertNotNull(route("2001:db8:10::", 48), "nothing is swept before SYNC_END");
        ok(new FpcSyncEnd(2));

        assertNotNull(route("2001:db8:9::", 48));
        assertNull(route("2001:db8:10::", 48));
        assertEquals(1, state.nexthopSlots(), "the stale route's slot was freed");
        assertNotNull(maps.neighbour6(VRF, ifindex, ip6(GW6)));
        assertNull(maps.neighbour6(VRF, ifindex, ip6("fe80::3")));
        assertEquals(ifindex, maps.local6(VRF, ip6("2001:db8:1::1")));
        assertEquals(-1, maps.local6(VRF, ip6("2001:db8:2::1")));
    }

    @Test
    void restartedManagerAdoptsIpv6StateAndItsFirstResyncSweepsOnlyWhatIsGone() throws Exception {
        ok(neighbour6(true, GW6, GW_MAC));
        ok(neighbour6(true, "fe80::3", OTHER_MAC));
        ok(new FpcAddress(true, VRF, ifindex, 64, ip6("2001:db8:1::1")));
        ok(new FpcAddress(true, VRF, ifindex, 64, ip6("2001:db8:2::1")));
        ok(routeVia(true, "2001:db8:9::", 48, GW6));
        ok(routeVia(true, "2001:db8:10::", 48, GW6));
        ok(routeVia(true, "10.9.0.0", 16, GW6));
        ok(new FpcSyncEnd(1));
        int oldSlot = route("2001:db8:9::", 48).nexthopId();
        restart();
        assertEquals(Nexthop.VALID | Nexthop.RESOLVED, maps.nexthop(oldSlot).flags(), "adoption rewrites nothing");
        assertEquals(1, state.nexthopSlots());

        ok(new FpcSyncBegin(2));
        ok(new FpcVrf(true, VRF, netns));
        ok(link(UP));
        ok(neighbour6(true, GW6, GW_MAC));
        ok(new FpcAddress(true, VRF, ifindex, 64, ip6("2001:db8:1::1")));
        ok(routeVia(true, "2001:db8:9::", 48, GW6));
        Route rewritten = route("2001:db8:9::", 48);
        assertEquals(Nexthop.VALID | Nexthop.RESOLVED, maps.nexthop(rewritten.nexthopId()).flags());
        assertNotNull(route("2001:db8:10::", 48), "still forwarding until SYNC_END");
        assertEquals(Nexthop.VALID | Nexthop.RESOLVED, maps.nexthop(oldSlot).flags(), "adopted routes still use it");
        ok(new FpcSyncEnd(2));

        assertNull(route("2001:db8:10::", 48), "gone from the kernel: swept");
        assertNull(route("10.9.0.0", 16));
        assertNotNull(route("2001:db8:9::", 48));
        assertEquals(1, state.nexthopSlots(), "the adopted slot was freed once no route used it");
        if (rewritten.nexthopId() != oldSlot) assertEquals(0, maps.nexthop(oldSlot).flags());
        assertEquals(ifindex, maps.local6(VRF, ip6("2001:db8:1::1")), "the address survived its own re-announcement");
        assertEquals(-1, maps.local6(VRF, ip6("2001:db8:2::1")));
        assertNotNull(maps.neighbour6(VRF, ifindex, ip6(GW6)));
        assertNull(maps.neighbour6(VRF, ifindex, ip6("fe80::3")));
    }

    @Test
    void neighbourOfTheSameAddressOnAnotherLinkDoesNotResolveTheGateway() throws Exception {
        int peer = ifindexOf("xgb");
        ok(routeVia(true, "2001:db8:9::", 48, GW6));
        ok(new FpcNeighbour(true, VRF, peer, ip6(GW6), 0x02, GW_MAC, false));
        assertEquals(Nexthop.VALID, slotOf("2001:db8:9::", 48).flags(), "fe80::2 of xgb is not fe80::2 of xga");
        assertNotNull(maps.neighbour6(VRF, peer, ip6(GW6)));
    }
}
