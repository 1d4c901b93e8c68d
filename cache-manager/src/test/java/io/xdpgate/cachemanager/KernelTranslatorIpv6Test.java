package io.xdpgate.cachemanager;

import io.xdpgate.fpc.FpcAddress;
import io.xdpgate.fpc.FpcNeighbour;
import io.xdpgate.fpc.FpcNexthop;
import io.xdpgate.fpc.FpcRoute;
import io.xdpgate.fpc.FpcRouteType;
import io.xdpgate.netlink.Address;
import io.xdpgate.netlink.Neighbour;
import io.xdpgate.netlink.Route;
import io.xdpgate.netlink.RouteNexthop;
import io.xdpgate.netlink.RtnlEvent;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** IPv6 objects as the kernel announces them (values as seen with `ip -6 monitor`). */
class KernelTranslatorIpv6Test {

    private static final int AF_INET6 = 10;
    private static final int RTN_UNICAST = 1;
    private static final int RTN_LOCAL = 2;
    private static final int RTN_MULTICAST = 5;
    private static final int RTN_BLACKHOLE = 6;
    private static final int RTN_UNREACHABLE = 7;
    private static final int RTN_PROHIBIT = 8;
    private static final int SCOPE_LINK = 253;
    private static final int NUD_REACHABLE = 0x02;
    private static final int NUD_STALE = 0x04;
    private static final int NTF_ROUTER = 0x80;
    private static final byte[] MAC = {0x02, 0, 0, 0, 0, 0x42};
    private final KernelTranslator translator = new KernelTranslator(3);

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    private static Route route(int table, int type, String dst, int len, String gw, int oif) throws Exception {
        return new Route(AF_INET6, table, type, 3, 0, len, ip(dst), gw == null ? null : ip(gw), oif, 1024, List.of(), 0);
    }

    private FpcRoute translate(boolean deleted, Route r) {
        return (FpcRoute) translator.translate(new RtnlEvent(deleted, r));
    }

    @Test
    void globalAndLinkLocalAddressesAreBothSent() throws Exception {
        FpcAddress global = (FpcAddress) translator.translate(
                new RtnlEvent(false, new Address(AF_INET6, 7, 64, ip("2001:db8:8::1"), 0, 0x80)));
        assertEquals(new FpcAddress(true, 3, 7, 64, ip("2001:db8:8::1")), global);
        FpcAddress linkLocal = (FpcAddress) translator.translate(
                new RtnlEvent(true, new Address(AF_INET6, 7, 64, ip("fe80::4453:a1ff:fed6:c60"), SCOPE_LINK, 0x80)));
        assertEquals(new FpcAddress(false, 3, 7, 64, ip("fe80::4453:a1ff:fed6:c60")), linkLocal);
    }

    @Test
    void linkLocalNeighbourIsSentWithItsRouterFlag() throws Exception {
        FpcNeighbour n = (FpcNeighbour) translator.translate(new RtnlEvent(false,
                new Neighbour(AF_INET6, 7, ip("fe80::1"), MAC, NUD_STALE, NTF_ROUTER)));
        assertTrue(n.add());
        assertEquals(ip("fe80::1"), n.address());
        assertEquals(7, n.ifindex());
        assertArrayEquals(MAC, n.mac());
        assertTrue(n.router());
        FpcNeighbour host = (FpcNeighbour) translator.translate(new RtnlEvent(false,
                new Neighbour(AF_INET6, 7, ip("2001:db8:8::2"), MAC, NUD_REACHABLE, 0)));
        assertFalse(host.router());
    }

    @Test
    void routeViaALinkLocalGatewayKeepsIt() throws Exception {
        FpcRoute r = translate(false, route(254, RTN_UNICAST, "::", 0, "fe80::1", 7));
        assertEquals(ip("::"), r.prefix());
        assertEquals(0, r.prefixLength());
        assertEquals(List.of(new FpcNexthop(7, ip("fe80::1"), 1)), r.nexthops());
    }

    @Test
    void perLinkFe80RoutesAreOrdinaryUnicastRoutes() throws Exception {
        FpcRoute r = translate(false, route(254, RTN_UNICAST, "fe80::", 64, null, 7));
        assertEquals(FpcRouteType.UNICAST, r.type());
        assertEquals(List.of(new FpcNexthop(7, null, 1)), r.nexthops());
        assertFalse(translate(true, route(254, RTN_UNICAST, "fe80::", 64, null, 7)).add());
    }

    @Test
    void multicastRoutesAreSkippedWhateverTheirTableOrType() throws Exception {
        // Today's kernel: `multicast ff00::/8 dev X table local`.
        assertNull(translator.translate(new RtnlEvent(false, route(255, RTN_MULTICAST, "ff00::", 8, null, 7))));
        // Older kernels, or `ip -6 route add ff02::/16 dev X`: unicast in the main table.
        assertNull(translator.translate(new RtnlEvent(false, route(254, RTN_UNICAST, "ff00::", 8, null, 7))));
        assertNull(translator.translate(new RtnlEvent(true, route(254, RTN_UNICAST, "ff02::", 16, null, 7))));
        // A shorter prefix also covers unicast space: kept.
        assertEquals(1, translate(false, route(254, RTN_UNICAST, "8000::", 1, "fe80::1", 7)).prefixLength());
    }

    @Test
    void theKernelsOwnLocalTableRoutesAreLeftOutConfiguredOnesAndLocalRoutesOfTheMainTableAreSent() throws Exception {
        Route ofAnAddress = new Route(AF_INET6, 255, RTN_LOCAL, 2 /* RTPROT_KERNEL */, 0, 128, ip("2001:db8:8::1"), null, 7,
                0, List.of(), 0);
        assertNull(translator.translate(new RtnlEvent(false, ofAnAddress)), "sent as the address it is");
        FpcRoute anyIp = translate(false, route(255, RTN_LOCAL, "2001:db8:8::", 120, null, 1));
        assertEquals(255, anyIp.table());
        assertEquals(FpcRouteType.LOCAL, anyIp.type());
        assertNull(translator.translate(new RtnlEvent(false, route(100, RTN_UNICAST, "2001:db8:9::", 48, "fe80::1", 7))));
        FpcRoute local = translate(false, route(254, RTN_LOCAL, "2001:db8:7::1", 128, null, 1));
        assertEquals(FpcRouteType.LOCAL, local.type());
        assertTrue(local.nexthops().isEmpty());
    }

    @Test
    void blackholeUnreachableAndProhibitKeepTheirTypeWithoutNexthops() throws Exception {
        assertEquals(FpcRouteType.BLACKHOLE, translate(false, route(254, RTN_BLACKHOLE, "2001:db8:66::", 48, null, 1)).type());
        assertEquals(FpcRouteType.UNREACHABLE, translate(false, route(254, RTN_UNREACHABLE, "2001:db8:67::", 48, null, 1)).type());
        FpcRoute prohibit = translate(false, route(254, RTN_PROHIBIT, "2001:db8:68::", 48, null, 1));
        assertEquals(FpcRouteType.PROHIBIT, prohibit.type());
        assertTrue(prohibit.nexthops().isEmpty());
    }

    @Test
    void multipathRouteKeepsEveryPath() throws Exception {
        List<RouteNexthop> mp = List.of(new RouteNexthop(7, ip("2001:db8:8::2"), 1), new RouteNexthop(8, ip("fe80::2"), 2));
        FpcRoute r = translate(false, new Route(AF_INET6, 254, RTN_UNICAST, 3, 0, 48, ip("2001:db8:100::"), null, 0,
                1024, mp, 0));
        assertEquals(List.of(new FpcNexthop(7, ip("2001:db8:8::2"), 1), new FpcNexthop(8, ip("fe80::2"), 2)), r.nexthops());
    }
}
