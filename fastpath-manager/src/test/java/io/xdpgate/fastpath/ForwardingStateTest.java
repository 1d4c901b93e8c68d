package io.xdpgate.fastpath;

import io.xdpgate.ebpf.Nexthop;
import io.xdpgate.ebpf.Route;
import io.xdpgate.fpc.FpcAddress;
import io.xdpgate.fpc.FpcLink;
import io.xdpgate.fpc.FpcNeighbour;
import io.xdpgate.fpc.FpcNexthop;
import io.xdpgate.fpc.FpcRoute;
import io.xdpgate.fpc.FpcRouteType;
import io.xdpgate.fpc.FpcStatus;
import io.xdpgate.fpc.FpcSyncBegin;
import io.xdpgate.fpc.FpcRouteList;
import io.xdpgate.fpc.FpcHello;
import io.xdpgate.fpc.FpcSyncEnd;
import io.xdpgate.fpc.FpcVrf;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** IPv4 objects and the behaviour common to every kind of object: slots, links, sweeps, adoption. */
class ForwardingStateTest extends ForwardingStateFixture {

    private static FpcRoute routeVia(boolean add, String prefix, int len, int ifindex, String gw) throws Exception {
        return new FpcRoute(add, VRF, 254, ip(prefix), len, FpcRouteType.UNICAST,
                List.of(new FpcNexthop(ifindex, gw == null ? null : ip(gw), 1)));
    }

    @Test
    void portIsAttachedAndWrittenWithItsMacAndMtu() throws Exception {
        assertTrue(Files.exists(pinRoot.resolve("links").resolve("vrf" + VRF + "-if" + ifindex)), "link pinned");
        var port = maps.port(VRF, ifindex);
        assertNotNull(port);
        assertArrayEquals(PORT_MAC, port.mac());
        assertEquals(1500, port.mtu());
    }

    @Test
    void gatewayNexthopIsResolvedByItsNeighbourAndUnresolvedWhenItGoes() throws Exception {
        ok(routeVia(true, "10.9.0.0", 16, ifindex, "10.1.0.2"));
        Route r = maps.lookupRoute4(VRF, ip("10.9.0.0"), 16);
        assertEquals(Route.UNICAST, r.type());
        Nexthop nh = maps.nexthop(r.nexthopId());
        assertEquals(Nexthop.VALID, nh.flags(), "valid but not resolved yet: " + nh);

        ok(new FpcNeighbour(true, VRF, ifindex, ip("10.1.0.2"), 0x02, GW_MAC, false));
        nh = maps.nexthop(r.nexthopId());
        assertEquals(Nexthop.VALID | Nexthop.RESOLVED, nh.flags());
        assertArrayEquals(GW_MAC, nh.dmac());
        assertArrayEquals(PORT_MAC, nh.smac());
        assertEquals(1500, nh.mtu());

        ok(new FpcNeighbour(false, VRF, ifindex, ip("10.1.0.2"), 0, new byte[0], false));
        assertEquals(Nexthop.VALID, maps.nexthop(r.nexthopId()).flags());
    }

    @Test
    void broadcastNeighbourAddressIsNeverUsed() throws Exception {
        ok(routeVia(true, "10.9.0.0", 16, ifindex, "10.1.0.2"));
        byte[] broadcast = {-1, -1, -1, -1, -1, -1};
        ok(new FpcNeighbour(true, VRF, ifindex, ip("10.1.0.2"), 0x80, broadcast, false));
        Route r = maps.lookupRoute4(VRF, ip("10.9.0.0"), 16);
        assertEquals(0, maps.nexthop(r.nexthopId()).flags() & Nexthop.RESOLVED);
        assertNull(maps.neighbour4(VRF, ifindex, ip("10.1.0.2")));
    }

    @Test
    void routesThroughTheSameGatewayShareOneNexthopSlotFreedWithTheLastRoute() throws Exception {
        ok(routeVia(true, "10.9.0.0", 16, ifindex, "10.1.0.2"));
        ok(routeVia(true, "10.10.0.0", 16, ifindex, "10.1.0.2"));
        ok(routeVia(true, "10.11.0.0", 16, ifindex, null));
        int a = maps.lookupRoute4(VRF, ip("10.9.0.0"), 16).nexthopId();
        int b = maps.lookupRoute4(VRF, ip("10.10.0.0"), 16).nexthopId();
        int c = maps.lookupRoute4(VRF, ip("10.11.0.0"), 16).nexthopId();
        assertEquals(a, b);
        assertNotEquals(a, c);
        assertEquals(Nexthop.VALID | Nexthop.CONNECTED, maps.nexthop(c).flags());
        assertEquals(2, state.nexthopSlots());

        ok(routeVia(false, "10.9.0.0", 16, ifindex, "10.1.0.2"));
        assertEquals(Nexthop.VALID, maps.nexthop(a).flags(), "still used by 10.10/16");
        ok(routeVia(false, "10.10.0.0", 16, ifindex, "10.1.0.2"));
        assertEquals(0, maps.nexthop(a).flags(), "slot cleared with its last route");
        assertNull(maps.lookupRoute4(VRF, ip("10.10.0.0"), 16));
        assertEquals(1, state.nexthopSlots());
    }

    @Test
    void linkDownInvalidatesItsNexthopsAndLinkUpRestoresThem() throws Exception {
        ok(routeVia(true, "10.9.0.0", 16, ifindex, null));
        int id = maps.lookupRoute4(VRF, ip("10.9.0.0"), 16).nexthopId();
        ok(link(0x1)); // IFF_UP without carrier
        assertEquals(Nexthop.CONNECTED, maps.nexthop(id).flags());
        assertEquals(0, maps.port(VRF, ifindex).flags());
        ok(link(UP));
        assertEquals(Nexthop.VALID | Nexthop.CONNECTED, maps.nexthop(id).flags());
    }

    @Test
    void syncEndSweepsWhatTheNewGenerationDidNotRefresh() throws Exception {
        ok(new FpcAddress(true, VRF, ifindex, 24, ip("10.1.0.1")));
        ok(routeVia(true, "10.9.0.0", 16, ifindex, "10.1.0.2"));
        ok(routeVia(true, "10.10.0.0", 16, ifindex, "10.1.0.2"));
        ok(new FpcSyncEnd(1));

        ok(new FpcSyncBegin(2));
        ok(new FpcVrf(true, VRF, netns));
        ok(link(UP));
        ok(routeVia(true, "10.9.0.0", 16, ifindex, "10.1.0.2"));
        assertNotNull(maps.lookupRoute4(VRF, ip("10.10.0.0"), 16), "nothing is swept before SYNC_END");
        ok(new FpcSyncEnd(2));

        assertNotNull(maps.lookupRoute4(VRF, ip("10.9.0.0"), 16));
        assertNull(maps.lookupRoute4(VRF, ip("10.10.0.0"), 16), "stale route swept");
        assertEquals(1, state.nexthopSlots());
    }

    /** {@code count} generations, numbered from {@code first}, of a VRF of their own, each begun and completed. */
    private void completeGenerationsOfAnotherVrf(long first, int count) {
        int other = VRF + 1;
        ok(new FpcVrf(true, other, ""));
        for (long g = first; g < first + count; g++) {
            ok(new FpcSyncBegin(g, other));
            ok(new FpcSyncEnd(g, other));
        }
    }

    @Test
    void aGenerationForgottenAmongManyOthersIsStillSweptRight() throws Exception {
        ok(new FpcAddress(true, VRF, ifindex, 24, ip("10.1.0.1")));
        ok(new FpcSyncEnd(1));
        ok(new FpcSyncBegin(2, VRF));
        ok(routeVia(true, "10.9.0.0", 16, ifindex, "10.1.0.2"));
        ok(new FpcSyncEnd(2, VRF));
        // More generations of another VRF than the manager remembers: generation 2 is forgotten.
        completeGenerationsOfAnotherVrf(3, 70_000);
        assertTrue(state.epochsRemembered() <= 65_536, state.epochsRemembered() + " generations remembered");
        // A live change of the forgotten generation, then the VRF's next generation refreshes only it.
        ok(routeVia(true, "10.10.0.0", 16, ifindex, "10.1.0.2"));
        ok(new FpcSyncBegin(80_000, VRF));
        ok(routeVia(true, "10.10.0.0", 16, ifindex, "10.1.0.2"));
        ok(new FpcSyncEnd(80_000, VRF));
        assertNotNull(maps.lookupRoute4(VRF, ip("10.10.0.0"), 16), "refreshed: kept");
        assertNull(maps.lookupRoute4(VRF, ip("10.9.0.0"), 16), "not refreshed: swept");
    }

    @Test
    void aGenerationInProgressIsNeverForgottenHoweverManyOthersPass() throws Exception {
        ok(new FpcAddress(true, VRF, ifindex, 24, ip("10.1.0.1")));
        ok(new FpcSyncEnd(1));
        ok(new FpcSyncBegin(2, VRF));
        ok(routeVia(true, "10.9.0.0", 16, ifindex, "10.1.0.2"));
        // While the VRF's generation 2 is in progress, more generations of another VRF than the manager remembers.
        completeGenerationsOfAnotherVrf(3, 70_000);
        ok(routeVia(true, "10.10.0.0", 16, ifindex, "10.1.0.2"));
        ok(new FpcSyncEnd(2, VRF));
        assertNotNull(maps.lookupRoute4(VRF, ip("10.9.0.0"), 16), "written early in generation 2: kept by its sweep");
        assertNotNull(maps.lookupRoute4(VRF, ip("10.10.0.0"), 16), "written late in generation 2: kept by its sweep");
        assertTrue(state.epochsRemembered() <= 65_536, state.epochsRemembered() + " generations remembered");
    }

    @Test
    void aSyncCutShortByItsConnectionNoLongerHoldsItsGeneration() throws Exception {
        ok(new FpcSyncBegin(2, VRF)); // generations 1 (all VRFs, the fixture's) and 2 in progress
        applier.connectionClosed();
        ConnectionApplier next = new ConnectionApplier(state);
        next.connected(new FpcHello(1, 0, "cache-manager/next"));
        for (long g = 3; g < 3 + 70_000; g++) {
            assertEquals(FpcStatus.OK, next.apply(new FpcSyncBegin(g, VRF)));
            assertEquals(FpcStatus.OK, next.apply(new FpcSyncEnd(g, VRF)));
        }
        assertEquals(65_536, state.epochsRemembered(), "the closed connection's generations were forgotten like others");
    }

    @Test
    void aRouteListIsAppliedAsItsRoutesAndReportsTheFirstRefusal() throws Exception {
        ok(new FpcAddress(true, VRF, ifindex, 24, ip("10.1.0.1")));
        assertEquals(FpcHello.ROUTE_ADD_LISTS, applier.capabilities() & FpcHello.ROUTE_ADD_LISTS);
        ok(new FpcRouteList(List.of(routeVia(true, "10.9.0.0", 16, ifindex, "10.1.0.2"),
                routeVia(true, "10.10.0.0", 16, ifindex, "10.1.0.2"))));
        assertNotNull(maps.lookupRoute4(VRF, ip("10.9.0.0"), 16));
        assertNotNull(maps.lookupRoute4(VRF, ip("10.10.0.0"), 16));
        FpcRoute unknownVrf = new FpcRoute(true, VRF + 7, 254, ip("10.11.0.0"), 16, FpcRouteType.UNICAST, List.of());
        assertEquals(FpcStatus.INVALID, applier.apply(new FpcRouteList(List.of(unknownVrf,
                routeVia(true, "10.12.0.0", 16, ifindex, "10.1.0.2")))));
        assertNotNull(maps.lookupRoute4(VRF, ip("10.12.0.0"), 16), "the routes after a refused one are applied");
    }

    @Test
    void localAddressIsAnExceptionEntryUntilDeleted() throws Exception {
        ok(new FpcAddress(true, VRF, ifindex, 24, ip("10.1.0.1")));
        assertEquals(ifindex, maps.local4(VRF, ip("10.1.0.1")));
        assertEquals(-1, maps.local4(VRF + 1, ip("10.1.0.1")), "local to its own VRF only");
        ok(new FpcAddress(false, VRF, ifindex, 24, ip("10.1.0.1")));
        assertEquals(-1, maps.local4(VRF, ip("10.1.0.1")));
    }

    @Test
    void objectsOfAnUnannouncedVrfAreRefusedAndRoutesOfOtherTablesIgnored() throws Exception {
        FpcRoute otherVrf = new FpcRoute(true, 99, 254, ip("10.9.0.0"), 16, FpcRouteType.BLACKHOLE, List.of());
        assertEquals(FpcStatus.INVALID, applier.apply(otherVrf));
        ok(new FpcRoute(true, VRF, 100, ip("10.50.0.0"), 16, FpcRouteType.BLACKHOLE, List.of()));
        assertNull(maps.lookupRoute4(VRF, ip("10.50.0.0"), 16));
    }

    @Test
    void multipathRouteForwardsThroughAGroupAndAPathWithoutEgressLeavesItToLinux() throws Exception {
        FpcRoute ecmp = new FpcRoute(true, VRF, 254, ip("10.9.0.0"), 16, FpcRouteType.UNICAST,
                List.of(new FpcNexthop(ifindex, ip("10.1.0.2"), 1), new FpcNexthop(ifindex, ip("10.1.0.3"), 1)));
        ok(ecmp);
        assertTrue(maps.lookupRoute4(VRF, ip("10.9.0.0"), 16).isGroup());
        ok(new FpcRoute(true, VRF, 254, ip("10.9.0.0"), 16, FpcRouteType.UNICAST,
                List.of(new FpcNexthop(ifindex, ip("10.1.0.2"), 1), new FpcNexthop(0, ip("10.1.0.3"), 1))));
        assertEquals(new Route(Route.UNREACHABLE, 0), maps.lookupRoute4(VRF, ip("10.9.0.0"), 16));
        assertEquals(0, state.nexthopGroups());
        assertEquals(0, state.nexthopSlots());
    }

    @Test
    void restartedManagerAdoptsThePinnedStateAndItsFirstResyncSweepsOnlyWhatIsGone() throws Exception {
        ok(new FpcNeighbour(true, VRF, ifindex, ip("10.1.0.2"), 0x02, GW_MAC, false));
        ok(new FpcAddress(true, VRF, ifindex, 24, ip("10.1.0.1")));
        ok(routeVia(true, "10.9.0.0", 16, ifindex, "10.1.0.2"));
        ok(routeVia(true, "10.10.0.0", 24, ifindex, "10.1.0.2"));
        ok(new FpcSyncEnd(1));
        int oldSlot = maps.lookupRoute4(VRF, ip("10.9.0.0"), 16).nexthopId();
        restart(); // the daemon stops: pinned maps and links stay, forwarding goes on
        assertEquals(Nexthop.VALID | Nexthop.RESOLVED, maps.nexthop(oldSlot).flags(), "adoption rewrites nothing");
        assertEquals(1, state.nexthopSlots());

        ok(new FpcSyncBegin(2));
        ok(new FpcVrf(true, VRF, netns));
        ok(link(UP));
        ok(new FpcNeighbour(true, VRF, ifindex, ip("10.1.0.2"), 0x02, GW_MAC, false));
        ok(new FpcAddress(true, VRF, ifindex, 24, ip("10.1.0.1")));
        ok(routeVia(true, "10.9.0.0", 16, ifindex, "10.1.0.2"));
        Route rewritten = maps.lookupRoute4(VRF, ip("10.9.0.0"), 16);
        assertEquals(Nexthop.VALID | Nexthop.RESOLVED, maps.nexthop(rewritten.nexthopId()).flags());
        assertNotNull(maps.lookupRoute4(VRF, ip("10.10.0.0"), 24), "still forwarding until SYNC_END");
        ok(new FpcSyncEnd(2));

        assertNull(maps.lookupRoute4(VRF, ip("10.10.0.0"), 24), "gone from the kernel: swept");
        assertNotNull(maps.lookupRoute4(VRF, ip("10.9.0.0"), 16));
        assertEquals(1, state.nexthopSlots(), "the adopted slot was freed once no route used it");
        if (rewritten.nexthopId() != oldSlot) assertEquals(0, maps.nexthop(oldSlot).flags());
        assertEquals(ifindex, maps.local4(VRF, ip("10.1.0.1")), "the address survived its own re-announcement");
        assertNotNull(maps.neighbour4(VRF, ifindex, ip("10.1.0.2")));
        assertTrue(Files.exists(pinRoot.resolve("links").resolve("vrf" + VRF + "-if" + ifindex)), "port still attached");
        assertNotNull(maps.port(VRF, ifindex));
    }

    @Test
    void portOfAPreviousRunThatIsGoneIsDetachedBySweep() throws Exception {
        ok(new FpcSyncEnd(1));
        TestSupport.sh("ip", "-n", netns, "link", "set", "xga", "name", "xgc"); // no longer a configured port
        restart();
        ok(new FpcSyncBegin(2));
        ok(new FpcVrf(true, VRF, netns));
        ok(new FpcLink(true, VRF, ifindex, "xgc", "veth", PORT_MAC, 1500, UP, 6, 0));
        ok(new FpcSyncEnd(2));
        assertNull(maps.port(VRF, ifindex));
        assertTrue(Files.notExists(pinRoot.resolve("links").resolve("vrf" + VRF + "-if" + ifindex)), "link unpinned");
    }
}
