package io.xdpgate.fastpath;

import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The route table against a HashMap doing the same, plus its edges, size and speed. */
class RouteTableTest {

    /** A key as the word API and the visitor see it. */
    private record Key(long hi, long lo, int len) {}

    /** What the reference map holds for a key. */
    private record Entry(int value, int generation) {}

    @Test
    void ipv4AgreesWithAHashMap() {
        differential(false, 0x5eed4L);
    }

    @Test
    void ipv6AgreesWithAHashMap() {
        differential(true, 0x5eed6L);
    }

    /**
     * Millions of random puts, removes, gets and generation sweeps over key pools from a few keys
     * (a 16-slot table, clusters wrapping past the end) to hundreds of thousands (growth), with
     * the whole content compared through forEach after every phase.
     */
    private static void differential(boolean v6, long seed) {
        Random rnd = new Random(seed);
        RouteTable table = new RouteTable(v6, 0, rnd.nextLong());
        Map<Key, Entry> reference = new HashMap<>();
        int generation = 0;
        int[] poolSizes = {3, 10, 12, 50, 1_000, 20_000, 300_000, 11, 5_000};
        for (int poolSize : poolSizes) {
            Key[] pool = pool(v6, poolSize, rnd);
            int ops = Math.max(200_000, poolSize * 4);
            for (int op = 0; op < ops; op++) {
                Key k = pool[rnd.nextInt(pool.length)];
                int dice = rnd.nextInt(1000);
                if (dice < 450) {
                    int value = rnd.nextInt();
                    if (value == RouteTable.ABSENT) value = 0;
                    Entry old = reference.put(k, new Entry(value, generation));
                    assertEquals(old == null ? RouteTable.ABSENT : old.value(), put(table, k, value, generation), k::toString);
                } else if (dice < 700) {
                    Entry old = reference.remove(k);
                    assertEquals(old == null ? RouteTable.ABSENT : old.value(), remove(table, k), k::toString);
                } else if (dice < 998) {
                    Entry e = reference.get(k);
                    assertEquals(e == null ? RouteTable.ABSENT : e.value(), get(table, k), k::toString);
                } else {
                    // A sweep: drop what the last few generations did not refresh.
                    int oldest = generation - rnd.nextInt(4);
                    sweep(table, reference, (value, g) -> g < oldest);
                    generation++;
                }
                assertEquals(reference.size(), table.size());
            }
            assertSameContent(reference, table);
        }
        // Everything swept, then filled again: the table is empty, not just small.
        sweep(table, reference, (value, g) -> true);
        assertEquals(0, table.size());
        assertSameContent(reference, table);
        for (Key k : pool(v6, 1000, rnd)) {
            reference.put(k, new Entry(7, 1));
            put(table, k, 7, 1);
        }
        assertSameContent(reference, table);
    }

    private static void sweep(RouteTable table, Map<Key, Entry> reference, RouteTable.RouteFilter filter) {
        Map<Key, Entry> expected = new HashMap<>();
        reference.forEach((k, e) -> {
            if (filter.test(e.value(), e.generation())) expected.put(k, e);
        });
        Map<Key, Entry> removed = new HashMap<>();
        int count = table.removeIf(filter, (hi, lo, len, value, g) -> {
            Entry twice = removed.put(new Key(hi, lo, len), new Entry(value, g));
            assertNull(twice, "removed twice");
        });
        assertEquals(expected, removed);
        assertEquals(expected.size(), count);
        reference.keySet().removeAll(expected.keySet());
    }

    private static void assertSameContent(Map<Key, Entry> reference, RouteTable table) {
        Map<Key, Entry> seen = new HashMap<>();
        table.forEach((hi, lo, len, value, g) -> {
            Entry twice = seen.put(new Key(hi, lo, len), new Entry(value, g));
            assertNull(twice, "visited twice");
        });
        assertEquals(reference, seen);
        assertEquals(reference.size(), table.size());
        for (Map.Entry<Key, Entry> e : reference.entrySet()) {
            assertEquals(e.getValue().value(), get(table, e.getKey()));
        }
    }

    /**
     * Keys that are random, that share an address with every length, that are adjacent, and the
     * extremes: the zero key, the all-ones full-length key, zero with full length.
     */
    private static Key[] pool(boolean v6, int size, Random rnd) {
        int max = v6 ? 128 : 32;
        Set<Key> keys = new HashSet<>();
        keys.add(new Key(0, 0, 0));
        keys.add(new Key(0, 0, max));
        keys.add(v6 ? new Key(-1, -1, 128) : new Key(0xffffffffL, 0, 32));
        long base = rnd.nextLong();
        while (keys.size() < size) {
            long hi = v6 ? rnd.nextLong() : rnd.nextInt() & 0xffffffffL;
            long lo = v6 ? rnd.nextLong() : 0;
            int len = rnd.nextInt(max + 1);
            switch (rnd.nextInt(4)) {
                case 0 -> keys.add(new Key(hi, lo, len));
                case 1 -> keys.add(new Key(v6 ? base : base & 0xffffffffL, 0, len));            // same address, any length
                case 2 -> keys.add(v6 ? new Key(base, keys.size(), 128)                        // adjacent hosts
                                      : new Key((base + keys.size()) & 0xffffffffL, 0, 32));
                default -> keys.add(v6 ? new Key(RouteTable.maskHigh(hi, len), RouteTable.maskLow(lo, len), len)
                                       : new Key(RouteTable.mask((int) hi, len) & 0xffffffffL, 0, len));
            }
        }
        return keys.toArray(new Key[0]);
    }

    // IPv4 keys go through the int API half the time, so both paths get the same checks.
    private static int put(RouteTable t, Key k, int value, int generation) {
        return !t.isIpv6() && (k.hi() & 1) == 0
                ? t.put((int) k.hi(), k.len(), value, generation)
                : t.put(k.hi(), k.lo(), k.len(), value, generation);
    }

    private static int get(RouteTable t, Key k) {
        return !t.isIpv6() && (k.len() & 1) == 0 ? t.get((int) k.hi(), k.len()) : t.get(k.hi(), k.lo(), k.len());
    }

    private static int remove(RouteTable t, Key k) {
        return !t.isIpv6() && (k.hi() & 2) == 0 ? t.remove((int) k.hi(), k.len()) : t.remove(k.hi(), k.lo(), k.len());
    }

    // ---- Edges ----------------------------------------------------------------------------

    @Test
    void theZeroKeyAndTheDefaultRouteAreOrdinaryKeys() {
        RouteTable v4 = RouteTable.ipv4();
        assertEquals(RouteTable.ABSENT, v4.get(0, 0));
        assertEquals(RouteTable.ABSENT, v4.put(0, 0, 0, 0));
        assertEquals(RouteTable.ABSENT, v4.put(0, 32, 1, 0));
        assertEquals(0, v4.get(0, 0));
        assertEquals(1, v4.get(0, 32));
        assertEquals(RouteTable.ABSENT, v4.get(0, 1));
        assertEquals(0, v4.remove(0L, 0L, 0));
        assertEquals(1, v4.size());

        RouteTable v6 = RouteTable.ipv6();
        assertEquals(RouteTable.ABSENT, v6.put(0, 0, 0, 0, 5));
        assertEquals(RouteTable.ABSENT, v6.put(-1, -1, 128, 2, 5));
        assertEquals(0, v6.get(0, 0, 0));
        assertEquals(2, v6.get(-1, -1, 128));
        assertEquals(RouteTable.ABSENT, v6.get(0, 0, 128));
        List<Key> seen = new ArrayList<>();
        v6.forEach((hi, lo, len, value, g) -> seen.add(new Key(hi, lo, len)));
        assertEquals(Set.of(new Key(0, 0, 0), new Key(-1, -1, 128)), new HashSet<>(seen));
    }

    @Test
    void badKeysAndAbsentAreRefused() {
        RouteTable v4 = RouteTable.ipv4();
        assertThrows(IllegalArgumentException.class, () -> v4.put(1, 8, RouteTable.ABSENT, 0));
        assertThrows(IllegalArgumentException.class, () -> v4.get(1, 33));
        assertThrows(IllegalArgumentException.class, () -> v4.get(1, -1));
        assertThrows(IllegalArgumentException.class, () -> v4.get(1L << 32, 0, 8));
        assertThrows(IllegalArgumentException.class, () -> v4.get(1, 1, 8));
        RouteTable v6 = RouteTable.ipv6();
        assertThrows(IllegalArgumentException.class, () -> v6.put(1, 0, 129, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> v6.put(1, 0, 64, RouteTable.ABSENT, 0));
        assertThrows(UnsupportedOperationException.class, () -> v6.get(1, 8));
        assertEquals(0, v4.size() + v6.size());
    }

    @Test
    void putReplacesValueAndGeneration() {
        RouteTable t = RouteTable.ipv4();
        t.put(0x0a000000, 8, 10, 1);
        assertEquals(10, t.put(0x0a000000, 8, 11, 2));
        int[] got = new int[2];
        t.forEach((hi, lo, len, value, g) -> { got[0] = value; got[1] = g; });
        assertEquals(11, got[0]);
        assertEquals(2, got[1]);
        assertEquals(1, t.size());
    }

    @Test
    void theVisitorMayReplaceValuesButNotAddOrRemove() {
        RouteTable t = RouteTable.ipv4();
        for (int i = 0; i < 100; i++) t.put(i << 8, 24, i % 3, 0);
        // Rewrite the routes through "nexthop" 1, as a nexthop change does.
        t.forEach((hi, lo, len, value, g) -> {
            if (value == 1) t.put(hi, lo, len, 100, g);
        });
        int[] counts = new int[2];
        t.forEach((hi, lo, len, value, g) -> counts[value == 100 ? 0 : 1]++);
        assertEquals(33, counts[0]);
        assertEquals(67, counts[1]);
        assertThrows(ConcurrentModificationException.class, () -> t.forEach((hi, lo, len, value, g) -> t.put(7, 32, 1, 0)));
        assertThrows(ConcurrentModificationException.class, () -> t.forEach((hi, lo, len, value, g) -> t.remove(hi, lo, len)));
        assertThrows(ConcurrentModificationException.class,
                () -> t.removeIf((value, g) -> true, (hi, lo, len, value, g) -> t.remove(hi, lo, len)));
    }

    @Test
    void aFailingSweepCallbackLeavesWhatItDidNotDelete() {
        RouteTable t = RouteTable.ipv6();
        for (int i = 0; i < 1000; i++) t.put(0x20010db8L << 32, i, 128, i, i % 2);
        int[] deleted = {0};
        Set<Long> gone = new HashSet<>();
        class KernelSaysNo extends Exception {}
        assertThrows(KernelSaysNo.class, () -> t.removeIf((value, g) -> g == 0, (hi, lo, len, value, g) -> {
            if (deleted[0] == 200) throw new KernelSaysNo();
            deleted[0]++;
            gone.add(lo);
        }));
        assertEquals(800, t.size());
        for (int i = 0; i < 1000; i++) {
            assertEquals(gone.contains((long) i) ? RouteTable.ABSENT : i, t.get(0x20010db8L << 32, i, 128));
        }
    }

    @Test
    void conversionsAndMasks() throws Exception {
        Inet4Address a4 = (Inet4Address) InetAddress.getByName("192.0.2.129");
        int addr = RouteTable.ipv4(a4);
        assertEquals(0xc0000281, addr);
        assertEquals(a4, RouteTable.inet4(addr));
        assertEquals(0xc0000280, RouteTable.mask(addr, 25));
        assertEquals(0, RouteTable.mask(addr, 0));
        assertEquals(addr, RouteTable.mask(addr, 32));
        assertThrows(IllegalArgumentException.class, () -> RouteTable.mask(addr, 33));

        Inet6Address a6 = (Inet6Address) InetAddress.getByName("2001:db8:1:2:3:4:5:6");
        long hi = RouteTable.high(a6), lo = RouteTable.low(a6);
        assertEquals(0x20010db800010002L, hi);
        assertEquals(0x0003000400050006L, lo);
        assertEquals(a6, RouteTable.inet6(hi, lo));
        assertEquals(hi, RouteTable.high(a6.getAddress()));
        assertEquals(0x20010db800000000L, RouteTable.maskHigh(hi, 32));
        assertEquals(0, RouteTable.maskLow(lo, 64));
        assertEquals(hi, RouteTable.maskHigh(hi, 64));
        assertEquals(0x0003000000000000L, RouteTable.maskLow(lo, 80));
        assertEquals(lo, RouteTable.maskLow(lo, 128));
        assertEquals(0, RouteTable.maskHigh(hi, 0));
        assertThrows(IllegalArgumentException.class, () -> RouteTable.maskLow(lo, 129));
        // IPv4-mapped stays IPv6.
        assertInstanceOf(Inet6Address.class, RouteTable.inet6(0, 0x0000ffffc0000201L));
        assertEquals(InetAddress.getByName("::ffff:192.0.2.1").getAddress().length, 4); // what it avoids
        assertEquals(16, RouteTable.inet6(0, 0x0000ffffc0000201L).getAddress().length);
    }

    // ---- Size and speed -------------------------------------------------------------------

    @Test
    void aMillionIpv4AndAQuarterMillionIpv6RoutesFitTheBudget() {
        Random rnd = new Random(42);
        int n4 = 1_000_000, n6 = 250_000;
        int[] addrs = new int[n4];
        int[] lens4 = new int[n4];
        long[] his = new long[n6], los = new long[n6];
        int[] lens6 = new int[n6];
        Set<Long> distinct4 = new HashSet<>();
        for (int i = 0; i < n4; ) {
            int len = 8 + rnd.nextInt(25);
            int a = RouteTable.mask(rnd.nextInt(), len);
            if (distinct4.add((long) a << 8 | len)) { addrs[i] = a; lens4[i++] = len; }
        }
        Set<Key> distinct6 = new HashSet<>();
        for (int i = 0; i < n6; ) {
            int len = 16 + rnd.nextInt(113);
            long h = RouteTable.maskHigh(rnd.nextLong(), len), l = RouteTable.maskLow(rnd.nextLong(), len);
            if (distinct6.add(new Key(h, l, len))) { his[i] = h; los[i] = l; lens6[i++] = len; }
        }
        distinct4 = null;
        distinct6 = null;

        RouteTable v4 = null, v6 = null;
        long put4 = 0, get4 = 0, put6 = 0, get6 = 0, sized4 = 0, sized6 = 0;
        for (int round = 0; round < 3; round++) { // the last round's times, after the JIT has done its work
            long t0 = System.nanoTime();
            v4 = RouteTable.ipv4();
            for (int i = 0; i < n4; i++) v4.put(addrs[i], lens4[i], i, round);
            long t1 = System.nanoTime();
            long sum = 0;
            for (int i = 0; i < n4; i++) sum += v4.get(addrs[i], lens4[i]);
            long t2 = System.nanoTime();
            v6 = RouteTable.ipv6();
            for (int i = 0; i < n6; i++) v6.put(his[i], los[i], lens6[i], i, round);
            long t3 = System.nanoTime();
            for (int i = 0; i < n6; i++) sum += v6.get(his[i], los[i], lens6[i]);
            long t4 = System.nanoTime();
            assertEquals((long) n4 * (n4 - 1) / 2 + (long) n6 * (n6 - 1) / 2, sum);
            put4 = t1 - t0; get4 = t2 - t1; put6 = t3 - t2; get6 = t4 - t3;
            // Into tables made big enough up front: the cost of growing is the difference.
            long t5 = System.nanoTime();
            RouteTable sized = RouteTable.ipv4(n4);
            for (int i = 0; i < n4; i++) sized.put(addrs[i], lens4[i], i, round);
            long t6 = System.nanoTime();
            sized = RouteTable.ipv6(n6);
            for (int i = 0; i < n6; i++) sized.put(his[i], los[i], lens6[i], i, round);
            long t7 = System.nanoTime();
            sized4 = t6 - t5; sized6 = t7 - t6;
        }
        assertEquals(n4, v4.size());
        assertEquals(n6, v6.size());
        double perRoute4 = (double) v4.estimatedBytes() / n4;
        double perRoute6 = (double) v6.estimatedBytes() / n6;
        System.out.printf("RouteTable: IPv4 %,d routes %.1f bytes/route, put %.0f ns (presized %.0f) get %.0f ns;"
                        + " IPv6 %,d routes %.1f bytes/route, put %.0f ns (presized %.0f) get %.0f ns%n",
                n4, perRoute4, (double) put4 / n4, (double) sized4 / n4, (double) get4 / n4,
                n6, perRoute6, (double) put6 / n6, (double) sized6 / n6, (double) get6 / n6);
        assertTrue(perRoute4 < 40, "IPv4 bytes per route: " + perRoute4);
        assertTrue(perRoute6 < 64, "IPv6 bytes per route: " + perRoute6);

        // A full sweep of one generation in the big table, then nothing is left.
        int swept = v4.removeIf((value, g) -> g == 2, (hi, lo, len, value, g) -> { });
        assertEquals(n4, swept);
        assertEquals(0, v4.size());
        assertEquals(0, v6.removeIf((value, g) -> value < 0, (hi, lo, len, value, g) -> { }));
    }
}
