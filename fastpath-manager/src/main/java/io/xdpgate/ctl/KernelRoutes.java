package io.xdpgate.ctl;

import io.xdpgate.netlink.Route;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Longest prefix match over the main table of a kernel dump, of one address family: for the few
 * lookups where the kernel's own answer does not name the route it used (see {@link KernelDecisions}).
 * Of several routes to one prefix (metrics), the kernel uses the one with the lowest.
 */
final class KernelRoutes {

    private static final int RT_TABLE_MAIN = 254;

    /** By prefix length, longest first: masked address (hex) to route. */
    private final TreeMap<Integer, Map<String, Route>> byLength = new TreeMap<>(java.util.Comparator.reverseOrder());
    private final int bytes;
    private final int family;
    private List<Route> routes; // until the first lookup indexes them

    /** Indexes {@code routes} of {@code family} on the first lookup: most checks never need one. */
    KernelRoutes(List<Route> routes, int family) {
        this.bytes = family == 2 ? 4 : 16;
        this.family = family;
        this.routes = routes;
    }

    private void index() {
        for (Route r : routes) {
            if (r.family() != family || r.table() != RT_TABLE_MAIN || r.dst().getAddress().length != bytes) continue;
            byLength.computeIfAbsent(r.dstLength(), l -> new HashMap<>()).merge(key(r.dst(), r.dstLength()), r,
                    (a, b) -> Integer.compareUnsigned(b.priority(), a.priority()) < 0 ? b : a);
        }
        routes = null;
    }

    /** The route of the main table the kernel forwards {@code dst} by, or null if none matches. */
    Route lookup(InetAddress dst) {
        if (dst.getAddress().length != bytes) return null;
        if (routes != null) index();
        for (var e : byLength.entrySet()) {
            Route r = e.getValue().get(key(dst, e.getKey()));
            if (r != null) return r;
        }
        return null;
    }

    private static String key(InetAddress a, int length) {
        byte[] b = a.getAddress();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, length - 8 * i));
            b[i] &= (byte) (0xff << (8 - keep));
        }
        return HexFormat.of().formatHex(b);
    }
}
