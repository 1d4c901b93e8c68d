package io.xdpgate.ebpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Weights into buckets, and the byte layout of a group and of a route through one. No privileges needed. */
class NexthopGroupTest {

    @Test
    void largestRemainderGivesEveryMemberItsShareRoundedTheFairestWay() {
        assertArrayEquals(new int[] {64, 64}, NexthopGroup.bucketCounts(new int[] {1, 1}));
        assertArrayEquals(new int[] {96, 32}, NexthopGroup.bucketCounts(new int[] {3, 1}));
        assertArrayEquals(new int[] {43, 43, 42}, NexthopGroup.bucketCounts(new int[] {1, 1, 1}), "ties: earlier first");
        assertArrayEquals(new int[] {26, 51, 51}, NexthopGroup.bucketCounts(new int[] {1, 2, 2}), "25.6, 51.2, 51.2");
        assertArrayEquals(new int[] {40, 44, 44}, NexthopGroup.bucketCounts(new int[] {10, 11, 11}));
        assertArrayEquals(new int[] {128}, NexthopGroup.bucketCounts(new int[] {65536}));
        assertArrayEquals(new int[] {128, 0}, NexthopGroup.bucketCounts(new int[] {1000, 1}), "a share under half a bucket");
        int[] ones = new int[128];
        Arrays.fill(ones, 1);
        int[] each = new int[128];
        Arrays.fill(each, 1);
        assertArrayEquals(each, NexthopGroup.bucketCounts(ones));
        assertThrows(IllegalArgumentException.class, () -> NexthopGroup.bucketCounts(new int[129]));
        assertThrows(IllegalArgumentException.class, () -> NexthopGroup.bucketCounts(new int[0]));
        assertThrows(IllegalArgumentException.class, () -> NexthopGroup.bucketCounts(new int[] {1, 0}));
    }

    @Test
    void everyMemberIsWithinOneBucketOfItsExactShareAndTheBucketsAddUp() {
        Random random = new Random(3);
        for (int n = 0; n < 2000; n++) {
            int[] weights = new int[1 + random.nextInt(random.nextBoolean() ? 8 : 128)];
            for (int i = 0; i < weights.length; i++) weights[i] = 1 + random.nextInt(random.nextBoolean() ? 10 : 65536);
            int[] counts = NexthopGroup.bucketCounts(weights);
            double total = Arrays.stream(weights).asLongStream().sum();
            assertEquals(128, Arrays.stream(counts).sum());
            for (int i = 0; i < weights.length; i++) {
                double exact = 128 * weights[i] / total;
                assertTrue(counts[i] >= Math.floor(exact) && counts[i] <= Math.ceil(exact),
                        Arrays.toString(weights) + ": member " + i + " has " + counts[i] + ", exact " + exact);
            }
        }
    }

    @Test
    void layoutIsContiguousRunsInMemberOrder() {
        int[] layout = NexthopGroup.layout(new int[] {1, 3});
        for (int b = 0; b < 128; b++) assertEquals(b < 32 ? 0 : 1, layout[b], "bucket " + b);
        NexthopGroup g = NexthopGroup.of(9, new int[] {4, 2}, new int[] {1, 3});
        assertEquals(Map.of(4, 32, 2, 96), g.bucketsBySlot());
        assertEquals(4, g.bucket(0));
        assertEquals(2, g.bucket(127));
        assertTrue(g.isValid());
    }

    @Test
    void groupIsFlagsSeedThenBucketsInHostOrder() {
        NexthopGroup g = NexthopGroup.of(0x01020304, new int[] {1, 0x10203}, new int[] {1, 1});
        byte[] bytes = g.encode();
        assertEquals(520, bytes.length);
        assertArrayEquals(HexFormat.of().parseHex("01000000" + "04030201" + "01000000"), Arrays.copyOf(bytes, 12));
        assertArrayEquals(HexFormat.of().parseHex("03020100"), Arrays.copyOfRange(bytes, 8 + 4 * 64, 12 + 4 * 64));
        assertEquals(g, NexthopGroup.decode(bytes));
        assertThrows(IllegalArgumentException.class, () -> new NexthopGroup(1, 0, new int[127]));
    }

    @Test
    void routeThroughAGroupIsUnicastWithTheTopBitOfItsNexthopId() {
        Route r = Route.group(42);
        assertEquals(Route.UNICAST, r.type());
        assertTrue(r.isGroup());
        assertEquals(42, r.groupId());
        assertArrayEquals(HexFormat.of().parseHex("01000000" + "2a000080"), r.encode());
        assertEquals(r, Route.decode(r.encode()));
        assertEquals(false, Route.unicast(42).isGroup());
        assertEquals(false, new Route(Route.BLACKHOLE, Route.GROUP).isGroup(), "only a unicast route has a group");
        assertThrows(IllegalStateException.class, () -> Route.unicast(42).groupId());
        assertThrows(IllegalArgumentException.class, () -> Route.group(Route.GROUP | 1));
        assertThrows(IllegalArgumentException.class, () -> Route.unicast(Route.GROUP | 1));
    }
}
