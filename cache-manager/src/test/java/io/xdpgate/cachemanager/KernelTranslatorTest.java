package io.xdpgate.cachemanager;

import io.xdpgate.fpc.FpcLink;
import io.xdpgate.fpc.FpcNeighbour;
import io.xdpgate.fpc.FpcNexthop;
import io.xdpgate.fpc.FpcRoute;
import io.xdpgate.fpc.FpcRouteType;
import io.xdpgate.netlink.Link;
import io.xdpgate.netlink.Neighbour;
import io.xdpgate.netlink.Route;
import io.xdpgate.netlink.RouteNexthop;
import io.xdpgate.netlink.RtnlEvent;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelTranslatorTest {

    private static final int AF_INET = 2;
    private static final int NUD_REACHABLE = 0x02;
    private static final int NUD_FAILED = 0x20;
    private static final byte[] MAC = {0x02, 0, 0, 0, 0, 0x42};
    private final KernelTranslator translator = new KernelTranslator(3);

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    private static Route route(int table, int type, String dst, int len, String gw, int oif, List<RouteNexthop> mp, int nhId)
            throws Exception {
        return new Route(AF_INET, table, type, 3, 0, len, ip(dst), gw == null ? null : ip(gw), oif, 0, mp, nhId);
    }

    @Test
    void mainTableRouteViaGatewayBecomesAUnicastRouteWithOneNexthopInTheVrf() throws Exception {
        FpcRoute r = (FpcRoute) translator.translate(new RtnlEvent(false, route(254, 1, "10.9.0.0", 16, "10.1.0.2", 7, List.of(), 0)));
        assertTrue(r.add());
        assertEquals(3, r.vrf());
        assertEquals(FpcRouteType.UNICAST, r.type());
        assertEquals(ip("10.9.0.0"), r.prefix());
        assertEquals(16, r.prefixLength());
        assertEquals(List.of(new FpcNexthop(7, ip("10.1.0.2"), 1)), r.nexthops());
    }

    @Test
    void routesOfOtherTablesAndBroadcastRoutesAreNotMirrored() throws Exception {
        assertNull(translator.translate(new RtnlEvent(false, route(100, 1, "10.9.0.0", 16, "10.1.0.2", 7, List.of(), 0))));
        assertNull(translator.translate(new RtnlEvent(false, route(254, 3 /* RTN_BROADCAST */, "10.9.255.255", 32, null, 7, List.of(), 0))));
    }

    @Test
    void aConfiguredLocalRouteIsSentTheKernelsOwnLocalRoutesAreNot() throws Exception {
        FpcRoute r = (FpcRoute) translator.translate(new RtnlEvent(false, route(255, 2, "10.204.0.0", 24, null, 1, List.of(), 0)));
        assertEquals(255, r.table());
        assertEquals(FpcRouteType.LOCAL, r.type());
        assertEquals(ip("10.204.0.0"), r.prefix());
        assertEquals(24, r.prefixLength());
        assertEquals(List.of(), r.nexthops());
        Route ofAnAddress = new Route(AF_INET, 255, 2, 2 /* RTPROT_KERNEL */, 254, 32, ip("10.1.0.1"), null, 7, 0,
                List.of(), 0);
        assertNull(translator.translate(new RtnlEvent(false, ofAnAddress)), "sent as the address it is");
        assertNull(translator.translate(new RtnlEvent(false, route(255, 3 /* RTN_BROADCAST */, "10.1.0.255", 32, null, 7,
                List.of(), 0))));
    }

    @Test
    void multipathKeepsEveryNexthopWithItsWeight() throws Exception {
        List<RouteNexthop> mp = List.of(new RouteNexthop(7, ip("10.1.0.2"), 1), new RouteNexthop(8, ip("10.2.0.2"), 3));
        FpcRoute r = (FpcRoute) translator.translate(new RtnlEvent(false, route(254, 1, "10.9.0.0", 16, null, 0, mp, 0)));
        assertEquals(List.of(new FpcNexthop(7, ip("10.1.0.2"), 1), new FpcNexthop(8, ip("10.2.0.2"), 3)), r.nexthops());
    }

    @Test
    void routeThroughANexthopObjectNamesItAndCarriesNoNexthops() throws Exception {
        FpcRoute r = (FpcRoute) translator.translate(new RtnlEvent(false, route(254, 1, "10.9.0.0", 16, null, 0, List.of(), 12)));
        assertTrue(r.nexthops().isEmpty());
        assertEquals(12, r.nexthopId());
    }

    @Test
    void blackholeRouteKeepsItsType() throws Exception {
        FpcRoute r = (FpcRoute) translator.translate(new RtnlEvent(true, route(254, 6, "10.66.0.0", 16, null, 0, List.of(), 0)));
        assertFalse(r.add());
        assertEquals(FpcRouteType.BLACKHOLE, r.type());
        assertTrue(r.nexthops().isEmpty());
    }

    @Test
    void unusableNeighbourIsWithdrawn() throws Exception {
        FpcNeighbour reachable = (FpcNeighbour) translator.translate(
                new RtnlEvent(false, new Neighbour(AF_INET, 7, ip("10.1.0.2"), MAC, NUD_REACHABLE, 0)));
        assertTrue(reachable.add());
        FpcNeighbour failed = (FpcNeighbour) translator.translate(
                new RtnlEvent(false, new Neighbour(AF_INET, 7, ip("10.1.0.2"), null, NUD_FAILED, 0)));
        assertFalse(failed.add(), "a FAILED neighbour must not stay in the fast path");
    }

    @Test
    void linkCarriesItsStateAndAddress() {
        FpcLink l = (FpcLink) translator.translate(new RtnlEvent(false, new Link(7, "xgr-h1", "veth", MAC, 1500, 0x10043, 6, 0)));
        assertEquals(7, l.ifindex());
        assertEquals("xgr-h1", l.name());
        assertEquals(1500, l.mtu());
        assertEquals(3, l.vrf());
    }

    @Test
    void aVxlanDeviceIsAlsoAnnouncedWithItsParameters() throws Exception {
        Link vx = new Link(9, "vx0", "vxlan", MAC, 1450, 0x10043, 6, 0,
                new io.xdpgate.netlink.VxlanInfo(42, ip("10.201.1.1"), ip("10.201.1.2"), 4789, 7, 0, true), 7, -1);
        assertEquals(new io.xdpgate.fpc.FpcVxlan(true, 3, 9, 42, 4789, ip("10.201.1.1"), ip("10.201.1.2"), 0),
                translator.vxlanOf(new RtnlEvent(false, vx)), "its unicast group is its remote endpoint");
        Link flooding = new Link(9, "vx0", "vxlan", MAC, 1450, 0x10043, 6, 0,
                new io.xdpgate.netlink.VxlanInfo(42, ip("10.201.1.1"), ip("239.1.1.1"), 4789, 7, 16, true), 7, -1);
        assertEquals(new io.xdpgate.fpc.FpcVxlan(true, 3, 9, 42, 4789, ip("10.201.1.1"), null, 16),
                translator.vxlanOf(new RtnlEvent(false, flooding)), "a multicast group is no remote endpoint");
        assertNull(translator.vxlanOf(new RtnlEvent(true, vx)), "a deleted device: its LINK_DEL ends it");
        assertNull(translator.vxlanOf(new RtnlEvent(false, new Link(7, "xgr-h1", "veth", MAC, 1500, 0x10043, 6, 0))));
    }
}
