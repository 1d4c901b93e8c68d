package io.xdpgate.ebpf;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A nexthop group ({@code struct xg_nhg}): {@value MapLayouts#NHG_BUCKETS} buckets, each the xg_nh slot of
 * one member, and the seed of the flow hash that picks a bucket. Weights become buckets through
 * {@link #bucketCounts} (largest remainder) laid out by {@link #layout} (contiguous runs, in member order).
 */
public record NexthopGroup(int flags, int seed, int[] buckets) {
    /** XG_NHG_VALID: written by the manager; a cleared group is all zero. */
    public static final int VALID = 0x1;
    /** XG_NHG_BUCKETS. */
    public static final int BUCKETS = MapLayouts.NHG_BUCKETS;

    public NexthopGroup {
        if (buckets.length != BUCKETS) {
            throw new IllegalArgumentException("a nexthop group has " + BUCKETS + " buckets, got " + buckets.length);
        }
        buckets = buckets.clone();
    }

    /** A valid group: member i (its xg_nh slot memberSlots[i]) with weight weights[i], in this order. */
    public static NexthopGroup of(int seed, int[] memberSlots, int[] weights) {
        if (memberSlots.length != weights.length) {
            throw new IllegalArgumentException(memberSlots.length + " members but " + weights.length + " weights");
        }
        int[] layout = layout(weights);
        int[] buckets = new int[BUCKETS];
        for (int b = 0; b < BUCKETS; b++) {
            buckets[b] = memberSlots[layout[b]];
        }
        return new NexthopGroup(VALID, seed, buckets);
    }

    /**
     * The number of buckets of each member, by the largest remainder method: member i gets
     * floor(B * w_i / W) buckets, and the B - sum left go one each to the members with the largest
     * remainders (B * w_i mod W), ties to the earlier member. A member may get none (a weight under
     * W / B); at most B members. Weights are positive.
     */
    public static int[] bucketCounts(int[] weights) {
        if (weights.length == 0 || weights.length > BUCKETS) {
            throw new IllegalArgumentException(weights.length + " members: a group has 1 to " + BUCKETS);
        }
        long total = 0;
        for (int w : weights) {
            if (w <= 0) {
                throw new IllegalArgumentException("weight " + w + " is not positive");
            }
            total += w;
        }
        int[] counts = new int[weights.length];
        long[] remainders = new long[weights.length];
        int given = 0;
        for (int i = 0; i < weights.length; i++) {
            long share = (long) BUCKETS * weights[i];
            counts[i] = (int) (share / total);
            remainders[i] = share % total;
            given += counts[i];
        }
        for (int left = BUCKETS - given; left > 0; left--) {
            int best = -1;
            for (int i = 0; i < weights.length; i++) {
                if (remainders[i] >= 0 && (best < 0 || remainders[i] > remainders[best])) {
                    best = i;
                }
            }
            counts[best]++;
            remainders[best] = -1; // one extra bucket at most
        }
        return counts;
    }

    /** The member index of every bucket: {@link #bucketCounts} as contiguous runs, member 0 first. */
    public static int[] layout(int[] weights) {
        int[] counts = bucketCounts(weights);
        int[] layout = new int[BUCKETS];
        int b = 0;
        for (int i = 0; i < counts.length; i++) {
            for (int n = 0; n < counts[i]; n++) {
                layout[b++] = i;
            }
        }
        return layout;
    }

    public boolean isValid() {
        return (flags & VALID) != 0;
    }

    @Override
    public int[] buckets() {
        return buckets.clone();
    }

    /** The slot of bucket b. */
    public int bucket(int b) {
        return buckets[b];
    }

    /** Each distinct slot of the buckets with its number of buckets, in order of first appearance. */
    public Map<Integer, Integer> bucketsBySlot() {
        Map<Integer, Integer> out = new LinkedHashMap<>();
        for (int s : buckets) {
            out.merge(s, 1, Integer::sum);
        }
        return out;
    }

    byte[] encode() {
        return StructBytes.allocate(MapLayouts.NEXTHOP_GROUP).host32("flags", flags).host32("seed", seed)
                .host32s("buckets", buckets).array();
    }

    static NexthopGroup decode(byte[] value) {
        StructBytes b = StructBytes.wrap(MapLayouts.NEXTHOP_GROUP, value);
        return new NexthopGroup(b.host32("flags"), b.host32("seed"), b.host32s("buckets"));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NexthopGroup g && flags == g.flags && seed == g.seed && Arrays.equals(buckets, g.buckets);
    }

    @Override
    public int hashCode() {
        return (flags * 31 + seed) * 31 + Arrays.hashCode(buckets);
    }

    @Override
    public String toString() {
        return "NexthopGroup[flags=0x" + Integer.toHexString(flags) + ", seed=0x" + Integer.toHexString(seed)
                + ", buckets by slot=" + bucketsBySlot() + "]";
    }
}
