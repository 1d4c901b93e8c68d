package io.xdpgate.cachemanager;

import io.xdpgate.fpc.FpcAddress;
import io.xdpgate.fpc.FpcGroupMember;
import io.xdpgate.fpc.FpcLink;
import io.xdpgate.fpc.FpcMessage;
import io.xdpgate.fpc.FpcNeighbour;
import io.xdpgate.fpc.FpcNexthop;
import io.xdpgate.fpc.FpcNexthopGroup;
import io.xdpgate.fpc.FpcNexthopObject;
import io.xdpgate.fpc.FpcRoute;
import io.xdpgate.fpc.FpcRouteType;
import io.xdpgate.netlink.Address;
import io.xdpgate.netlink.Link;
import io.xdpgate.netlink.Neighbour;
import io.xdpgate.netlink.NexthopGroupMember;
import io.xdpgate.netlink.NexthopObject;
import io.xdpgate.netlink.Route;
import io.xdpgate.netlink.RouteNexthop;
import io.xdpgate.netlink.RtnlEvent;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a kernel object into the FPC message that mirrors it in one VRF, or null when the
 * fast path has no use for it. Stateless and pure: the kernel object says it all.
 *
 * <p>IPv4 and IPv6 go the same way. IPv6 link-local addresses and neighbours are sent like any
 * other (their key includes the ifindex); the kernel's per-link {@code fe80::/64} routes are
 * ordinary unicast routes of the main table and are sent too.
 *
 * <p>Nexthop objects and groups (RTM_NEWNEXTHOP) are sent as NEXTHOP and NEXTHOP_GROUP; the send
 * queue's lanes put them after links and neighbours and before the routes that name them, and
 * their deletes after the routes' (see {@link NexthopReferences} for the deletes the kernel keeps
 * quiet about).
 */
final class KernelTranslator {

    static final int RT_TABLE_MAIN = 254;
    // rtnetlink route types (linux/rtnetlink.h)
    private static final int RTN_UNICAST = 1;
    private static final int RTN_LOCAL = 2;
    private static final int RTN_BLACKHOLE = 6;
    private static final int RTN_UNREACHABLE = 7;
    private static final int RTN_PROHIBIT = 8;
    private static final byte[] NO_MAC = new byte[0];
    /** Members of one FPC nexthop group at most (FpcNexthopGroup refuses more). */
    private static final int MAX_GROUP_MEMBERS = 2048;

    private final int vrf;

    KernelTranslator(int vrf) {
        this.vrf = vrf;
    }

    /** The VXLAN parameters of a VXLAN device being added or changed, or null for anything else. */
    io.xdpgate.fpc.FpcVxlan vxlanOf(RtnlEvent event) {
        if (event.deleted() || !(event.object() instanceof Link l)) return null;
        return vxlanOf(l, null);
    }

    /**
     * The VXLAN parameters of VXLAN device l (null if it is none), with its one remote endpoint: its
     * unicast group (`remote B`), else fdbRemote, the destination of its all-zeros FDB entry (or null).
     */
    io.xdpgate.fpc.FpcVxlan vxlanOf(Link l, java.net.InetAddress fdbRemote) {
        if (l.vxlan() == null) return null;
        io.xdpgate.netlink.VxlanInfo v = l.vxlan();
        // A unicast group is the device's one remote endpoint (`remote B`); a multicast group floods.
        java.net.InetAddress remote = v.group() != null && !v.group().isMulticastAddress() ? v.group() : fdbRemote;
        return new io.xdpgate.fpc.FpcVxlan(true, vrf, l.ifindex(), v.vni(), v.port(), v.local(), remote, v.ttl());
    }

    FpcMessage translate(RtnlEvent event) {
        boolean add = !event.deleted();
        if (event.object() instanceof Link l) {
            byte[] mac = l.mac() != null && l.mac().length == 6 ? l.mac() : NO_MAC;
            return new FpcLink(add, vrf, l.ifindex(), l.name(), l.kind() == null ? "" : l.kind(), mac,
                    l.mtu(), l.flags(), l.operState(), l.master());
        }
        if (event.object() instanceof Address a) {
            return new FpcAddress(add, vrf, a.ifindex(), a.prefixLength(), a.address());
        }
        if (event.object() instanceof Neighbour n && n.family() != io.xdpgate.netlink.Rtnl.AF_BRIDGE) {
            // Only neighbours the kernel itself would send to are announced; any other state
            // withdraws the entry so that the fast path hands such traffic to Linux.
            byte[] mac = n.lladdr() != null && n.lladdr().length == 6 ? n.lladdr() : NO_MAC;
            boolean usable = add && mac.length == 6 && n.usableForForwarding();
            return new FpcNeighbour(usable, vrf, n.ifindex(), n.address(), n.state(), mac, n.isRouter());
        }
        if (event.object() instanceof Route r) {
            return translateRoute(add, r);
        }
        if (event.object() instanceof NexthopObject n) {
            return translateNexthop(add, n);
        }
        return null;
    }

    /**
     * A nexthop object becomes a NEXTHOP (one path: ifindex and gateway, or a blackhole), a group
     * becomes a NEXTHOP_GROUP with its members and weights. Both keep the kernel's id, which routes
     * name (RTA_NH_ID). A group beyond the FPC's member limit is not sent: routes through it then
     * name an id the receiver does not know, which it reports, and Linux forwards their packets.
     */
    private FpcMessage translateNexthop(boolean add, NexthopObject n) {
        if (!n.isGroup()) {
            return new FpcNexthopObject(add, vrf, n.id(), n.blackhole() ? 0 : n.ifindex(),
                    n.blackhole() ? null : n.gateway(), n.blackhole());
        }
        if (n.group().size() > MAX_GROUP_MEMBERS) return null;
        List<FpcGroupMember> members = new ArrayList<>(n.group().size());
        for (NexthopGroupMember m : n.group()) members.add(new FpcGroupMember(m.id(), m.weight()));
        return new FpcNexthopGroup(add, vrf, n.id(), members);
    }

    /**
     * The DEL of a main-table route the kernel removed without announcing it (a route through a
     * deleted nexthop object).
     */
    FpcRoute routeGone(InetAddress prefix, int prefixLength, int nexthopId) {
        return new FpcRoute(false, vrf, RT_TABLE_MAIN, prefix, prefixLength, FpcRouteType.UNICAST, List.of(), nexthopId);
    }

    private FpcMessage translateRoute(boolean add, Route r) {
        // Of the local table, only what an operator configured (AnyIP): the kernel's own local routes
        // are those of the addresses, sent as addresses, and its broadcast routes, Linux's alone.
        if (r.isConfiguredLocal()) {
            return new FpcRoute(add, vrf, r.table(), r.dst(), r.dstLength(), FpcRouteType.LOCAL, List.of(), 0);
        }
        if (r.table() != RT_TABLE_MAIN) return null;
        // Multicast destinations are Linux's alone (the fast path hands such packets over). Current
        // kernels keep ff00::/8 in the local table as type multicast, which the type check below drops;
        // older ones, and `ip -6 route add ff02::/16 dev X`, put it in the main table as unicast.
        if (isIpv6Multicast(r)) return null;
        FpcRouteType type = switch (r.type()) {
            case RTN_UNICAST -> FpcRouteType.UNICAST;
            case RTN_LOCAL -> FpcRouteType.LOCAL;
            case RTN_BLACKHOLE -> FpcRouteType.BLACKHOLE;
            case RTN_UNREACHABLE -> FpcRouteType.UNREACHABLE;
            case RTN_PROHIBIT -> FpcRouteType.PROHIBIT;
            default -> null; // broadcast, multicast, anycast, nat: Linux's alone
        };
        if (type == null) return null;
        // A route through a nexthop object (RTA_NH_ID) names the object and carries no paths of its
        // own, whatever its type (the kernel turns a route through a blackhole object into type
        // blackhole). The paths the kernel adds to it in nexthop_compat_mode (RTA_GATEWAY/RTA_OIF, or
        // RTA_MULTIPATH for a group) are the object's, which is sent on its own: a change of the
        // object then changes every route through it without a message per route.
        List<FpcNexthop> hops = new ArrayList<>();
        if (type == FpcRouteType.UNICAST && r.nhId() == 0) {
            if (!r.multipath().isEmpty()) {
                for (RouteNexthop h : r.multipath()) hops.add(new FpcNexthop(h.ifindex(), h.gateway(), h.weight()));
            } else {
                hops.add(new FpcNexthop(r.oif(), r.gateway(), 1));
            }
        }
        return new FpcRoute(add, vrf, r.table(), r.dst(), r.dstLength(), type, hops, r.nhId());
    }

    /** A prefix within ff00::/8. A shorter prefix (::/0, 8000::/1) also covers unicast space and is kept. */
    private static boolean isIpv6Multicast(Route r) {
        return r.dst() instanceof Inet6Address && r.dstLength() >= 8 && (r.dst().getAddress()[0] & 0xff) == 0xff;
    }
}
