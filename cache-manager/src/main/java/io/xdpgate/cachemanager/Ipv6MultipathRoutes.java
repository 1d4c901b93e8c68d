package io.xdpgate.cachemanager;

import io.xdpgate.netlink.Route;
import io.xdpgate.netlink.RouteNexthop;
import io.xdpgate.netlink.RtnlEvent;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The IPv6 multipath routes of one namespace's main table, path by path.
 *
 * <p>Why: the kernel keeps an IPv6 multipath route as sibling routes, and removing one path
 * ({@code ip -6 route del P via G dev D}) is announced as RTM_DELROUTE of P with that one path
 * alone, while P stays with its other paths. Read as it comes, that would delete P from the fast
 * path. Only routes with several paths are remembered (routes through nexthop objects have no
 * siblings), so the memory is as small as the set of IPv6 ECMP routes. IPv4 has no such case: its
 * multipath route is one object, added and deleted whole.
 *
 * <p>On the monitor thread only; {@link #clear} at each new dump, which announces every route again.
 */
final class Ipv6MultipathRoutes {

    private static final int AF_INET6 = 10;

    /** The kernel's identity of an IPv6 route in one table: prefix and metric. */
    private record Key(InetAddress prefix, int length, int priority) {}

    private final Map<Key, List<RouteNexthop>> routes = new HashMap<>();

    /**
     * The event to translate in place of {@code event}: itself, except for the removal of one path of
     * a remembered multipath route that keeps other paths, which becomes an addition of the route
     * with the paths left.
     */
    RtnlEvent apply(RtnlEvent event) {
        if (!(event.object() instanceof Route r) || r.family() != AF_INET6 || r.table() != KernelTranslator.RT_TABLE_MAIN
                || r.nhId() != 0) {
            return event;
        }
        Key key = new Key(r.dst(), r.dstLength(), r.priority());
        if (!event.deleted()) {
            if (r.multipath().size() > 1) routes.put(key, r.multipath());
            else routes.remove(key); // replaced by a single-path route
            return event;
        }
        List<RouteNexthop> known = r.multipath().isEmpty() ? routes.get(key) : null;
        if (known == null) {
            routes.remove(key); // a whole route (all its paths named) or a route never multipath
            return event;
        }
        List<RouteNexthop> left = new ArrayList<>(known.size());
        for (RouteNexthop h : known) {
            if (h.ifindex() != r.oif() || !Objects.equals(h.gateway(), r.gateway())) left.add(h);
        }
        if (left.size() == known.size() || left.isEmpty()) {
            routes.remove(key); // not one of its paths (nothing to go by), or its last one
            return event;
        }
        if (left.size() > 1) routes.put(key, List.copyOf(left));
        else routes.remove(key); // one path left: an ordinary route from now on
        return new RtnlEvent(false, withPaths(r, left));
    }

    /** {@code r} with the given paths: one path goes in gateway and oif, several in multipath, as the kernel does. */
    private static Route withPaths(Route r, List<RouteNexthop> paths) {
        if (paths.size() == 1) {
            RouteNexthop h = paths.get(0);
            return new Route(r.family(), r.table(), r.type(), r.protocol(), r.scope(), r.dstLength(), r.dst(),
                    h.gateway(), h.ifindex(), r.priority(), List.of(), 0);
        }
        return new Route(r.family(), r.table(), r.type(), r.protocol(), r.scope(), r.dstLength(), r.dst(),
                null, 0, r.priority(), paths, 0);
    }

    /** Forgets everything: a new dump follows. */
    void clear() {
        routes.clear();
    }

    int size() {
        return routes.size();
    }
}
