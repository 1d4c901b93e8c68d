package io.xdpgate.fastpath;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpgate.ebpf.Route;
import io.xdpgate.ebpf.VxlanEncap;
import io.xdpgate.fpc.FpcLink;
import io.xdpgate.fpc.FpcRoute;
import io.xdpgate.fpc.FpcVxlan;
import java.net.InetAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The outer header of a VXLAN device follows the underlay route and neighbour towards its remote. */
class VxlanUnderlayTest {
    private static final int VX = 9;
    private static final int PORT = 4;
    private static final byte[] PORT_MAC = {2, 0, 0, 0, 0, 4};
    private static final byte[] GW_MAC = {2, 0, 0, 0, 0, 5};

    private final Vrf vrf = new Vrf(1, "xgv-test");
    private final Map<Integer, NexthopTable.Key> slots;

    VxlanUnderlayTest() throws Exception {
        slots = Map.of(3, new NexthopTable.Key(1, PORT, ip("192.0.2.1")), 6, new NexthopTable.Key(1, VX, null));
        link(PORT, "xgv-p", 1500);
        link(VX, "vx0", 1450);
    }

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    private void link(int ifindex, String name, int mtu) {
        Vrf.LinkEntry e = new Vrf.LinkEntry();
        e.link = new FpcLink(true, 1, ifindex, name, "veth", PORT_MAC, mtu, 0x10043, 6, 0);
        vrf.links.put(ifindex, e);
    }

    private void route(String prefix, int length, int slot) throws Exception {
        vrf.putRoute(new Vrf.RouteKey(ip(prefix), length), RouteValue.of(Route.UNICAST, slot, false, false), 0);
    }

    private void neighbour(String address, byte[] mac) throws Exception {
        Vrf.NeighbourEntry n = new Vrf.NeighbourEntry();
        n.mac = mac;
        vrf.neighbours.put(new Vrf.NeighbourKey(PORT, ip(address)), n);
    }

    private VxlanEncap encap(FpcVxlan vx) {
        return VxlanUnderlay.encap(vrf, VX, vx, slots::get, ifindex -> ifindex == PORT);
    }

    private static FpcVxlan vxlan(String remote) throws Exception {
        return new FpcVxlan(true, 1, VX, 42, 4789, ip("203.0.113.1"), remote == null ? null : ip(remote), 0);
    }

    @Test
    void theHeaderComesFromTheRouteAndTheGatewaysNeighbour() throws Exception {
        route("198.51.100.0", 24, 3);
        assertFalse(encap(vxlan("198.51.100.7")).valid(), "the gateway is not resolved yet");
        neighbour("192.0.2.1", GW_MAC);
        VxlanEncap e = encap(vxlan("198.51.100.7"));
        assertTrue(e.valid());
        assertEquals(PORT, e.egress());
        assertEquals(1500, e.mtu());
        byte[] h = e.header();
        assertArrayEquals(GW_MAC, java.util.Arrays.copyOfRange(h, 0, 6), "outer destination: the gateway");
        assertArrayEquals(PORT_MAC, java.util.Arrays.copyOfRange(h, 6, 12), "outer source: the port");
        assertArrayEquals(ip("203.0.113.1").getAddress(), java.util.Arrays.copyOfRange(h, 26, 30));
        assertArrayEquals(ip("198.51.100.7").getAddress(), java.util.Arrays.copyOfRange(h, 30, 34));
        assertEquals(64, h[22], "the vxlan driver's default TTL");

        neighbour("192.0.2.1", new byte[] {2, 0, 0, 0, 0, 6});
        assertEquals(6, encap(vxlan("198.51.100.7")).header()[5], "a new gateway MAC, a new header");
    }

    @Test
    void noRemoteNoRouteOrARouteThroughTheDeviceItselfIsNoEncapsulation() throws Exception {
        assertNull(encap(vxlan(null)), "no remote: no entry, Linux's");
        assertFalse(encap(vxlan("198.51.100.7")).valid(), "no route to the remote");
        route("198.51.100.0", 24, 6);
        assertFalse(encap(vxlan("198.51.100.7")).valid(), "the remote through the device itself");
    }

    @Test
    void onlyRoutesCoveringARemoteMayChangeItsUnderlay() throws Exception {
        Vrf.VxlanEntry e = new Vrf.VxlanEntry();
        e.vxlan = vxlan("198.51.100.7");
        vrf.vxlans.put(VX, e);
        assertTrue(VxlanUnderlay.mayChange(vrf, new FpcRoute(true, 1, 254, ip("198.51.0.0"), 16,
                io.xdpgate.fpc.FpcRouteType.UNICAST, java.util.List.of(), 0)));
        assertFalse(VxlanUnderlay.mayChange(vrf, new FpcRoute(true, 1, 254, ip("10.0.0.0"), 8,
                io.xdpgate.fpc.FpcRouteType.UNICAST, java.util.List.of(), 0)));
    }
}
