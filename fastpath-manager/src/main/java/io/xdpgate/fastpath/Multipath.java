package io.xdpgate.fastpath;

import io.xdpgate.ebpf.NexthopGroup;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The paths of an ECMP route in the one order the fast path manager writes them into a nexthop group,
 * and {@code xdpgate ctl verify} expects them in: the bucket layout of a group (see
 * {@link NexthopGroup#layout}) follows the order of its members, so both sides must agree on it.
 */
public final class Multipath {

    /** At most as many paths as a group has buckets; more are left to Linux. */
    public static final int MAX_PATHS = NexthopGroup.BUCKETS;

    /** One path: egress, gateway (null: directly connected) and weight (positive). */
    public record Path(int ifindex, InetAddress gateway, int weight) {
        public Path {
            if (weight <= 0) throw new IllegalArgumentException("path weight " + weight + " is not positive");
        }

        @Override
        public String toString() {
            return (gateway == null ? "dev " : "via " + gateway.getHostAddress() + " dev ") + ifindex + " weight " + weight;
        }
    }

    /** By egress, then gateway: none first, then IPv4 before IPv6, then by address bytes (unsigned). */
    static final Comparator<Path> ORDER = Comparator.comparingInt(Path::ifindex)
            .thenComparing(Path::gateway, Multipath::compareGateways);

    private Multipath() {}

    /**
     * The canonical form of a list of paths: paths with the same egress and gateway are one path with the
     * sum of their weights, sorted by {@link #ORDER}, the weights divided by their greatest common divisor
     * (the bucket layout only depends on their ratios, so that {1, 1} and {2, 2} share one group).
     */
    public static List<Path> canonical(List<Path> paths) {
        Map<List<Object>, Path> merged = new LinkedHashMap<>();
        for (Path p : paths) {
            merged.merge(java.util.Arrays.asList(p.ifindex(), p.gateway()), p,
                    (a, b) -> new Path(a.ifindex(), a.gateway(), Math.addExact(a.weight(), b.weight())));
        }
        List<Path> sorted = new ArrayList<>(merged.values());
        sorted.sort(ORDER);
        int gcd = 0;
        for (Path p : sorted) gcd = gcd(gcd, p.weight());
        if (gcd > 1) {
            for (int i = 0; i < sorted.size(); i++) {
                Path p = sorted.get(i);
                sorted.set(i, new Path(p.ifindex(), p.gateway(), p.weight() / gcd));
            }
        }
        return List.copyOf(sorted);
    }

    /** The weights of canonical paths, in their order. */
    public static int[] weights(List<Path> paths) {
        int[] w = new int[paths.size()];
        for (int i = 0; i < w.length; i++) w[i] = paths.get(i).weight();
        return w;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    private static int compareGateways(InetAddress a, InetAddress b) {
        if (Objects.equals(a, b)) return 0;
        if (a == null) return -1;
        if (b == null) return 1;
        byte[] x = a.getAddress();
        byte[] y = b.getAddress();
        if (x.length != y.length) return Integer.compare(x.length, y.length);
        return java.util.Arrays.compareUnsigned(x, y);
    }
}
