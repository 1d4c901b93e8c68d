package io.xdpgate.fastpath;

import io.xdpgate.ebpf.Route;
import io.xdpgate.ebpf.VxlanEncap;
import io.xdpgate.fpc.FpcLink;
import io.xdpgate.fpc.FpcMessage;
import io.xdpgate.fpc.FpcNeighbour;
import io.xdpgate.fpc.FpcRoute;
import io.xdpgate.fpc.FpcVxlan;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

/**
 * The underlay of a VXLAN device: how the fast path reaches its remote endpoint, resolved in the
 * manager's own tables of the device's VRF (the longest IPv4 route to the endpoint, its nexthop's
 * port and the neighbour of its gateway, or of the endpoint itself on a connected route), and the
 * outer header that follows from it. One remote endpoint per device (FpcVxlan.remote): the header
 * is the endpoint's, keyed by the device because a device has only one.
 */
final class VxlanUnderlay {
    private VxlanUnderlay() {}

    /**
     * The xg_vxlan_tx entry of VXLAN device {@code ifindex}: null when the fast path has nothing to
     * encapsulate with (no IPv4 local address or remote endpoint), {@link VxlanEncap#unresolved()}
     * while the underlay is not resolved (no route, a route through a group or not unicast, a
     * nexthop that is not an up fast path port, no neighbour).
     */
    static VxlanEncap encap(Vrf vrf, int ifindex, FpcVxlan vxlan, IntFunction<NexthopTable.Key> nexthopOfSlot,
                            IntPredicate isPort) {
        if (!(vxlan.local() instanceof Inet4Address local) || !(vxlan.remote() instanceof Inet4Address remote)) {
            return null;
        }
        int value = longestMatch(vrf, remote);
        if (value == RouteTable.ABSENT || RouteValue.type(value) != Route.UNICAST || RouteValue.group(value)) {
            return VxlanEncap.unresolved();
        }
        NexthopTable.Key nh = nexthopOfSlot.apply(RouteValue.slot(value));
        if (nh == null || nh.ifindex() == ifindex || !isPort.test(nh.ifindex())) return VxlanEncap.unresolved();
        Vrf.LinkEntry port = vrf.links.get(nh.ifindex());
        if (port == null || !isUp(port.link) || !ForwardingState.isUnicastMac(port.link.mac())) {
            return VxlanEncap.unresolved();
        }
        InetAddress next = nh.gateway() != null ? nh.gateway() : remote;
        Vrf.NeighbourEntry neighbour = vrf.neighbours.get(new Vrf.NeighbourKey(nh.ifindex(), next));
        if (neighbour == null) return VxlanEncap.unresolved(); // Linux resolves it on the first packet
        int ttl = vxlan.ttl() == 0 ? VxlanEncap.DEFAULT_TTL : vxlan.ttl();
        return VxlanEncap.of(neighbour.mac, port.link.mac(), local, remote, ttl, vxlan.port(), vxlan.vni(),
                nh.ifindex(), port.link.mtu());
    }

    /** Whether message may change the underlay of a VXLAN device of vrf (applied already). */
    static boolean mayChange(Vrf vrf, FpcMessage message) {
        if (message instanceof FpcRoute r) {
            if (!(r.prefix() instanceof Inet4Address p)) return false;
            for (Vrf.VxlanEntry e : vrf.vxlans.values()) {
                if (e.vxlan.remote() instanceof Inet4Address remote
                        && RouteTable.mask(RouteTable.ipv4(remote), r.prefixLength()) == RouteTable.ipv4(p)) {
                    return true;
                }
            }
            return false;
        }
        // Neighbours, links (port MAC, MTU, state), nexthop objects and groups, the devices themselves.
        return message instanceof FpcNeighbour || message instanceof FpcLink || message instanceof FpcVxlan
                || message instanceof io.xdpgate.fpc.FpcNexthopObject || message instanceof io.xdpgate.fpc.FpcNexthopGroup;
    }

    private static int longestMatch(Vrf vrf, Inet4Address address) {
        int a = RouteTable.ipv4(address);
        for (int length = 32; length >= 0; length--) {
            int value = vrf.routes4.get(RouteTable.mask(a, length), length);
            if (value != RouteTable.ABSENT) return value;
        }
        return RouteTable.ABSENT;
    }

    private static boolean isUp(FpcLink link) {
        return (link.flags() & 0x1) != 0 && (link.flags() & 0x10000) != 0; // IFF_UP, IFF_LOWER_UP
    }
}
