package io.xdpgate.ctl;

import io.xdpgate.ebpf.Port;
import io.xdpgate.ebpf.Route;
import io.xdpgate.ebpf.Stat;
import io.xdpgate.fastpath.Multipath;
import io.xdpgate.netlink.Link;
import io.xdpgate.netlink.Neighbour;
import io.xdpgate.netlink.NexthopObject;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules by which a fast path decision is right for the kernel's decision on the same packet. The
 * fast path does what the kernel does, or hands the packet to Linux for a precise reason when it cannot;
 * it is never wrong:
 * <ul>
 * <li>a unicast route through a path whose egress is an up fast path port and whose neighbour (the
 *     gateway, or the destination itself when directly connected) is usable in the kernel: redirect
 *     with the egress interface's MAC as source and the neighbour's as destination (and TTL or hop
 *     limit decremented); a neighbour that is not usable: exception no_neigh; an egress that is not an
 *     up port: exception not_port;</li>
 * <li>ECMP: the kernel and the fast path hash flows differently, so any one of the route's paths, with
 *     that path's own outcome as above;</li>
 * <li>a route the fast path leaves to Linux by design (an unknown nexthop object, more paths than a
 *     group holds): exception route_type; a nexthop object that is a blackhole: drop blackhole;</li>
 * <li>a local destination: exception local; broadcast, anycast, multicast and any unknown lookup error:
 *     any exception;</li>
 * <li>no route: exception no_route; unreachable and prohibit routes: exception route_type; blackhole
 *     routes: drop blackhole; a martian (refused before any route): any exception.</li>
 * </ul>
 */
final class DecisionComparison {

    private static final int RTN_UNICAST = 1;
    private static final int RTN_LOCAL = 2;

    private DecisionComparison() {}

    /**
     * What a VRF's kernel and fast path have that the rules need: the kernel's interfaces, its neighbours
     * that the fast path may forward to (by "ifindex address"), its nexthop objects by id; the fast path's
     * ports by ifindex.
     */
    record Context(Map<Integer, Link> links, Map<Integer, Port> ports, Map<String, Neighbour> usable,
                   Map<Integer, NexthopObject> objects) {

        static Context of(Map<Integer, Link> links, Map<Integer, Port> ports, List<Neighbour> neighbours,
                          Map<Integer, NexthopObject> objects) {
            Map<String, Neighbour> usable = new HashMap<>();
            for (Neighbour n : neighbours) {
                if (DecisionComparison.usable(n)) usable.put(n.ifindex() + " " + n.address().getHostAddress(), n);
            }
            return new Context(links, ports, usable, objects);
        }

        Map<Integer, String> names() {
            Map<Integer, String> names = new HashMap<>();
            links.forEach((i, l) -> names.put(i, l.name()));
            return names;
        }

        String name(int ifindex) {
            Link l = links.get(ifindex);
            return l == null ? "#" + ifindex : l.name();
        }
    }

    /**
     * As the fast path manager writes neighbours: a state in which Linux forwards to the entry's address
     * without resolving it again, and a unicast MAC.
     */
    static boolean usable(Neighbour n) {
        byte[] mac = n.lladdr();
        return n.usableForForwarding() && mac != null && mac.length == 6 && (mac[0] & 1) == 0;
    }

    /** Every outcome that is right for packet {@code p} when the kernel decides {@code k}. */
    static List<Outcome> expected(TestPacket p, KernelDecision k, Context c) {
        io.xdpgate.netlink.Route r = k.route();
        if (!k.consistent()) return List.of();
        if (r == null) {
            return List.of(switch (k.errno()) {
                case KernelDecision.ENETUNREACH -> Outcome.pass(Stat.EXC_NO_ROUTE, "no route");
                case KernelDecision.EHOSTUNREACH -> Outcome.pass(Stat.EXC_ROUTE_TYPE, "unreachable");
                case KernelDecision.EACCES -> Outcome.pass(Stat.EXC_ROUTE_TYPE, "prohibit");
                case KernelDecision.EINVAL -> k.isMartian() ? Outcome.anyException("martian")
                        : Outcome.drop(Stat.DROP_BLACKHOLE, "blackhole");
                default -> Outcome.anyException("lookup error " + k.errno());
            });
        }
        if (r.type() == RTN_LOCAL) return List.of(Outcome.pass(Stat.EXC_LOCAL, "local"));
        if (r.type() != RTN_UNICAST) return List.of(Outcome.anyException("Linux's alone"));
        Verifier.Expected e = Verifier.expected(r, c.objects());
        if (e.type() == Route.BLACKHOLE) return List.of(Outcome.drop(Stat.DROP_BLACKHOLE, "blackhole nexthop"));
        if (e.type() != Route.UNICAST) return List.of(Outcome.pass(Stat.EXC_ROUTE_TYPE, "left to Linux by design"));
        if (e.paths() == null) return List.of(path(p.dst(), e.oif(), e.gateway(), c));
        List<Outcome> any = new ArrayList<>();
        for (Multipath.Path path : e.paths()) {
            Outcome o = path(p.dst(), path.ifindex(), path.gateway(), c);
            if (!any.contains(o)) any.add(o);
        }
        return any;
    }

    /** The outcome of forwarding to {@code dst} through one path. */
    static Outcome path(InetAddress dst, int oif, InetAddress gateway, Context c) {
        InetAddress next = gateway == null ? dst : gateway;
        String via = (gateway == null ? "" : "via " + gateway.getHostAddress() + " ") + "dev " + c.name(oif);
        Port port = c.ports().get(oif);
        if (port == null || !port.isUp()) return Outcome.pass(Stat.EXC_NOT_PORT, via + ", not an up fast path port");
        Neighbour n = c.usable().get(oif + " " + next.getHostAddress());
        if (n == null) return Outcome.pass(Stat.EXC_NO_NEIGH, via + ", no usable neighbour " + next.getHostAddress());
        Link l = c.links().get(oif);
        byte[] smac = l != null && l.mac() != null ? l.mac() : port.mac();
        return Outcome.redirect(smac, n.lladdr(), via);
    }

    /** Null when {@code f} is right for {@code k}, else the packet, both decisions and what was expected. */
    static String mismatch(TestPacket p, KernelDecision k, FastDecision f, Context c) {
        List<Outcome> expected = expected(p, k, c);
        for (Outcome o : expected) if (o.matches(f)) return null;
        return p + ": kernel " + k.explain(c.names()) + ", expected "
                + (expected.isEmpty() ? "nothing (the kernel's answers disagree)"
                : expected.size() == 1 ? expected.get(0) : "one of " + expected) + "; fast path " + f;
    }
}
