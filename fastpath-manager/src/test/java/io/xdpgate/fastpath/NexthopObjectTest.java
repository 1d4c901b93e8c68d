package io.xdpgate.fastpath;

import io.xdpgate.ebpf.Nexthop;
import io.xdpgate.ebpf.Route;
import io.xdpgate.fpc.FpcControl;
import io.xdpgate.fpc.FpcControlType;
import io.xdpgate.fpc.FpcGroupMember;
import io.xdpgate.fpc.FpcLink;
import io.xdpgate.fpc.FpcNeighbour;
import io.xdpgate.fpc.FpcNexthop;
import io.xdpgate.fpc.FpcNexthopGroup;
import io.xdpgate.fpc.FpcNexthopObject;
import io.xdpgate.fpc.FpcRoute;
import io.xdpgate.fpc.FpcRouteType;
import io.xdpgate.fpc.FpcStatus;
import io.xdpgate.fpc.FpcSyncBegin;
import io.xdpgate.fpc.FpcSyncEnd;
import io.xdpgate.fpc.FpcVrf;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Routes through kernel nexthop objects and groups (RTA_NH_ID), against the real maps. */
class NexthopObjectTest extends ForwardingStateFixture {

    private FpcNexthopObject object(boolean add, int id, String gw) throws Exception {
        return new FpcNexthopObject(add, VRF, id, ifindex, gw == null ? null : InetAddress.getByName(gw), false);
    }

    private static FpcNexthopObject blackhole(int id) {
        return new FpcNexthopObject(true, VRF, id, 0, null, true);
    }

    private static FpcNexthopGroup group(boolean add, int id, int... members) {
        List<FpcGroupMember> list = new ArrayList<>();
        for (int m : members) list.add(new FpcGroupMember(m, 1));
        return new FpcNexthopGroup(add, VRF, id, list);
    }

    /** A unicast route of either family through nexthop object or group {@code id}. */
    private static FpcRoute routeThrough(boolean add, String prefix, int len, int id) throws Exception {
        return new FpcRoute(add, VRF, 254, InetAddress.getByName(prefix), len, FpcRouteType.UNICAST, List.of(), id);
    }

    private FpcNeighbour neighbour(String address, byte[] mac) throws Exception {
        return new FpcNeighbour(true, VRF, ifindex, InetAddress.getByName(address), 0x02, mac, false);
    }

    @Test
    void routeThroughAnObjectForwardsThroughTheSlotOfItsGatewaySharedWithPlainRoutes() throws Exception {
        ok(neighbour("10.1.0.2", GW_MAC));
        ok(object(true, 7, "10.1.0.2"));
        ok(routeThrough(true, "10.9.0.0", 16, 7));
        ok(new FpcRoute(true, VRF, 254, ip("10.10.0.0"), 16, FpcRouteType.UNICAST,
                List.of(new FpcNexthop(ifindex, ip("10.1.0.2"), 1))));
        Nexthop nh = slotOf("10.9.0.0", 16);
        assertEquals(Nexthop.VALID | Nexthop.RESOLVED, nh.flags());
        assertArrayEquals(GW_MAC, nh.dmac());
        assertEquals(ifindex, nh.ifindex());
        assertEquals(route("10.10.0.0", 16).nexthopId(), route("10.9.0.0", 16).nexthopId());
        assertEquals(1, state.nexthopSlots());

        ok(neighbour("10.1.0.2", OTHER_MAC));
        assertArrayEquals(OTHER_MAC, slotOf("10.9.0.0", 16).dmac(), "a neighbour change reaches routes through objects");
    }

    @Test
    void ipv6RouteThroughAnObjectWithALinkLocalGateway() throws Exception {
        ok(object(true, 8, "fe80::2"));
        ok(routeThrough(true, "2001:db8:9::", 48, 8));
        assertEquals(Nexthop.VALID, slotOf("2001:db8:9::", 48).flags());
        ok(neighbour("fe80::2", GW_MAC));
        assertEquals(Nexthop.VALID | Nexthop.RESOLVED, slotOf("2001:db8:9::", 48).flags());
        assertArrayEquals(GW_MAC, slotOf("2001:db8:9::", 48).dmac());
    }

    @Test
    void routeBeforeItsObjectIsLeftToLinuxUntilTheObjectArrives() throws Exception {
        ok(routeThrough(true, "10.9.0.0", 16, 7));
        ok(routeThrough(true, "2001:db8:9::", 48, 7));
        assertEquals(Route.UNREACHABLE, route("10.9.0.0", 16).type());
        assertEquals(Route.UNREACHABLE, route("2001:db8:9::", 48).type());
        assertEquals(0, state.nexthopSlots());

        ok(object(true, 7, null));
        assertEquals(Nexthop.VALID | Nexthop.CONNECTED, slotOf("10.9.0.0", 16).flags());
        assertEquals(route("10.9.0.0", 16).nexthopId(), route("2001:db8:9::", 48).nexthopId());
    }

    @Test
    void changedObjectRewritesItsRoutesAndFreesTheOldSlot() throws Exception {
        ok(neighbour("10.1.0.2", GW_MAC));
        ok(neighbour("10.1.0.3", OTHER_MAC));
        ok(object(true, 7, "10.1.0.2"));
        ok(routeThrough(true, "10.9.0.0", 16, 7));
        ok(routeThrough(true, "10.10.0.0", 16, 7));
        int before = route("10.9.0.0", 16).nexthopId();

        ok(object(true, 7, "10.1.0.2")); // the same again: nothing to do
        assertEquals(before, route("10.9.0.0", 16).nexthopId());

        ok(object(true, 7, "10.1.0.3"));
        int after = route("10.9.0.0", 16).nexthopId();
        assertNotEquals(before, after);
        assertEquals(after, route("10.10.0.0", 16).nexthopId());
        assertArrayEquals(OTHER_MAC, maps.nexthop(after).dmac());
        assertEquals(0, maps.nexthop(before).flags(), "the old slot is cleared with its last route");
        assertEquals(1, state.nexthopSlots());
    }

    @Test
    void blackholeObjectMakesItsRoutesBlackholes() throws Exception {
        ok(blackhole(9));
        ok(routeThrough(true, "10.9.0.0", 16, 9));
        assertEquals(new Route(Route.BLACKHOLE, 0), route("10.9.0.0", 16));
        ok(object(true, 9, null)); // replaced by a connected one (a sender coalescing DEL + ADD)
        assertEquals(Nexthop.VALID | Nexthop.CONNECTED, slotOf("10.9.0.0", 16).flags());
    }

    @Test
    void groupOfSeveralMembersIsANexthopGroupAndAGroupOfOneIsThatMember() throws Exception {
        ok(object(true, 1, "10.1.0.2"));
        ok(object(true, 2, "10.1.0.3"));
        ok(group(true, 10, 1, 2));
        ok(routeThrough(true, "10.9.0.0", 16, 10));
        assertTrue(route("10.9.0.0", 16).isGroup(), "ECMP in the fast path");
        assertEquals(2, state.nexthopSlots());
        assertEquals(1, state.nexthopGroups());

        ok(group(true, 10, 2));
        Route one = route("10.9.0.0", 16);
        assertEquals(Route.UNICAST, one.type());
        ok(neighbour("10.1.0.3", GW_MAC));
        assertArrayEquals(GW_MAC, maps.nexthop(one.nexthopId()).dmac(), "the slot of member 2");

        ok(object(true, 2, "10.1.0.4")); // the member changes: the route through the group follows
        assertNotEquals(one.nexthopId(), route("10.9.0.0", 16).nexthopId());
        assertEquals(Nexthop.VALID, slotOf("10.9.0.0", 16).flags(), "10.1.0.4 is not resolved");

        ok(group(true, 10, 1, 2));
        assertTrue(route("10.9.0.0", 16).isGroup());
        assertEquals(2, state.nexthopSlots());
        assertEquals(1, state.nexthopGroups());

        ok(group(false, 10));
        assertEquals(new Route(Route.UNREACHABLE, 0), route("10.9.0.0", 16), "a deleted group: left to Linux");
        assertEquals(0, state.nexthopGroups());
        ok(group(true, 10, 1));
        assertEquals(Route.UNICAST, route("10.9.0.0", 16).type(), "a deleted group that comes back is used again");
    }

    @Test
    void deletedObjectLeavesTheRoutesStillNamingItToLinuxUntilItComesBack() throws Exception {
        ok(object(true, 7, "10.1.0.2"));
        ok(group(true, 11, 7));
        ok(routeThrough(true, "10.9.0.0", 16, 7));
        ok(routeThrough(true, "10.10.0.0", 16, 11));
        int slot = route("10.9.0.0", 16).nexthopId();
        assertEquals(slot, route("10.10.0.0", 16).nexthopId());

        ok(object(false, 7, "10.1.0.2"));
        assertEquals(new Route(Route.UNREACHABLE, 0), route("10.9.0.0", 16));
        assertEquals(new Route(Route.UNREACHABLE, 0), route("10.10.0.0", 16), "its group of one member too");
        assertEquals(0, maps.nexthop(slot).flags(), "no stale slot");
        assertEquals(0, state.nexthopSlots());

        ok(group(false, 7)); // a group delete never removes an object of the same id, nor an absent one
        ok(object(true, 7, "10.1.0.2"));
        assertEquals(Route.UNICAST, route("10.9.0.0", 16).type());
        assertEquals(Route.UNICAST, route("10.10.0.0", 16).type());

        ok(routeThrough(false, "10.9.0.0", 16, 7)); // the kernel's flush, as the sender reports it
        ok(routeThrough(false, "10.10.0.0", 16, 11));
        assertNull(route("10.9.0.0", 16));
        assertEquals(0, state.nexthopSlots());
    }

    @Test
    void aRouteMovedOffAnObjectIsNoLongerRewrittenByIt() throws Exception {
        ok(object(true, 7, "10.1.0.2"));
        ok(routeThrough(true, "10.9.0.0", 16, 7));
        ok(new FpcRoute(true, VRF, 254, ip("10.9.0.0"), 16, FpcRouteType.BLACKHOLE, List.of()));
        ok(object(false, 7, null));
        assertEquals(Route.BLACKHOLE, route("10.9.0.0", 16).type());
    }

    @Test
    void deletedLinkTakesItsObjectsWithIt() throws Exception {
        ok(object(true, 7, "10.1.0.2"));
        ok(routeThrough(true, "10.9.0.0", 16, 7));
        ok(new FpcLink(false, VRF, ifindex, "xga", "veth", PORT_MAC, 1500, UP, 6, 0));
        assertEquals(Route.UNREACHABLE, route("10.9.0.0", 16).type());
        assertEquals(0, state.nexthopSlots());
    }

    @Test
    void syncEndSweepsObjectsTheNewGenerationDidNotAnnounce() throws Exception {
        ok(object(true, 7, "10.1.0.2"));
        ok(object(true, 8, "10.1.0.3"));
        ok(group(true, 20, 7, 8));
        ok(routeThrough(true, "10.9.0.0", 16, 7));
        ok(routeThrough(true, "10.10.0.0", 16, 8));
        ok(routeThrough(true, "10.11.0.0", 16, 20));
        ok(new FpcSyncEnd(1));

        ok(new FpcSyncBegin(2));
        ok(new FpcVrf(true, VRF, netns));
        ok(link(UP));
        ok(object(true, 7, "10.1.0.2"));
        ok(routeThrough(true, "10.9.0.0", 16, 7));
        ok(routeThrough(true, "10.10.0.0", 16, 8)); // its object is not announced: it is gone
        ok(new FpcSyncEnd(2));

        assertEquals(Route.UNICAST, route("10.9.0.0", 16).type());
        assertEquals(new Route(Route.UNREACHABLE, 0), route("10.10.0.0", 16), "its object was swept");
        assertNull(route("10.11.0.0", 16));
        assertEquals(1, state.nexthopSlots());

        ok(new FpcSyncBegin(3));
        ok(new FpcVrf(true, VRF, netns));
        ok(link(UP));
        ok(group(true, 20, 7)); // group 20 is a new object of generation 3; id 8 comes back as well
        ok(object(true, 8, "10.1.0.3"));
        ok(routeThrough(true, "10.10.0.0", 16, 8));
        ok(routeThrough(true, "10.11.0.0", 16, 20));
        ok(new FpcSyncEnd(3));
        assertEquals(Route.UNICAST, route("10.10.0.0", 16).type());
        assertNull(route("10.9.0.0", 16), "not announced in generation 3");
        assertEquals(new Route(Route.UNREACHABLE, 0), route("10.11.0.0", 16), "member 7 was swept");
    }

    @Test
    void restartedManagerAdoptsRoutesThroughObjectsAndItsResyncRewritesThem() throws Exception {
        ok(neighbour("10.1.0.2", GW_MAC));
        ok(object(true, 7, "10.1.0.2"));
        ok(routeThrough(true, "10.9.0.0", 16, 7));
        ok(routeThrough(true, "10.10.0.0", 16, 7));
        ok(new FpcSyncEnd(1));
        int oldSlot = route("10.9.0.0", 16).nexthopId();
        restart();
        assertEquals(Nexthop.VALID | Nexthop.RESOLVED, maps.nexthop(oldSlot).flags(), "adoption rewrites nothing");
        assertEquals(1, state.nexthopSlots());

        ok(new FpcSyncBegin(2));
        ok(new FpcVrf(true, VRF, netns));
        ok(link(UP));
        ok(neighbour("10.1.0.2", GW_MAC));
        ok(object(true, 7, "10.1.0.2"));
        ok(routeThrough(true, "10.9.0.0", 16, 7));
        assertNotNull(route("10.10.0.0", 16), "still forwarding until SYNC_END");
        ok(new FpcSyncEnd(2));

        assertNull(route("10.10.0.0", 16));
        assertEquals(1, state.nexthopSlots(), "the adopted slot was freed once no route used it");
        ok(object(true, 7, null)); // the object is known again: a change rewrites its route
        assertEquals(Nexthop.VALID | Nexthop.CONNECTED, slotOf("10.9.0.0", 16).flags());
    }

    @Test
    void objectsAndGroupsAreAcceptedAndControlRequestsAreNot() throws Exception {
        ok(object(true, 7, "10.1.0.2"));
        ok(group(true, 10, 7));
        assertEquals(FpcStatus.UNSUPPORTED,
                applier.apply(new FpcControl(FpcControlType.PORT_DISABLE, VRF, ifindex, 0)));
        assertEquals(FpcStatus.INVALID, applier.apply(new FpcNexthopObject(true, 99, 7, 1, null, false)),
                "an unannounced VRF");
    }
}
