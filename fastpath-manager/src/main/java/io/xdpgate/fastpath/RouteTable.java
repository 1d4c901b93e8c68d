package io.xdpgate.fastpath;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ConcurrentModificationException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The routes of one VRF and one address family that the manager has written into the kernel
 * FIB maps, each with an opaque {@code int} value (the caller packs route type and nexthop
 * slot into it) and an {@code int} generation, so that a replace or delete finds the previous
 * value, a sweep finds what the current generation did not refresh, and a nexthop change finds
 * the routes that use it.
 *
 * <p>A million routes make a {@code HashMap} of records and entry objects cost 150 bytes and
 * more per route, so this is an open-addressing hash table in parallel primitive arrays:
 * linear probing, power-of-two capacity, load factor at most 3/4, deletion by backward shift
 * (no tombstones, so lookups never slow down after churn). A slot costs 16 bytes for IPv4
 * (key, value, generation) and 25 for IPv6 (two key words, length, value, generation), that is
 * 21..43 bytes per IPv4 route and 33..67 per IPv6 route depending on where between two
 * doublings the table is.
 *
 * <p>Keys: a prefix and its length. An IPv4 prefix is an {@code int} (network byte order read
 * as a big-endian number: 10.0.0.0 is {@code 0x0a000000}); where the API takes words, it is
 * {@code hi = addr & 0xffffffffL, lo = 0}. An IPv6 prefix is two {@code long}s, {@code hi} the
 * first eight bytes and {@code lo} the last eight, big-endian. So the hot paths never allocate;
 * {@link #ipv4(Inet4Address)}, {@link #high(Inet6Address)}, {@link #low(Inet6Address)},
 * {@link #inet4(int)} and {@link #inet6(long, long)} convert at the message boundary. The table
 * does not look at host bits: masking them ({@link #mask(int, int)}, {@link #maskHigh(long, int)},
 * {@link #maskLow(long, int)}) is the caller's job. Every key is storable, 0.0.0.0/0 and ::/0
 * too: emptiness is marked by the stored length byte, not by the address.
 *
 * <p>Not thread-safe, like the rest of the manager's state.
 */
public final class RouteTable {

    /** What {@link #get}, {@link #put} and {@link #remove} return for no route; it may not be stored as a value. */
    public static final int ABSENT = -1;

    /** Receives one route. {@code hi}/{@code lo}/{@code prefixLength} are as at the API; for IPv4 {@code (int) hi} is the address. */
    @FunctionalInterface
    public interface RouteVisitor<E extends Exception> {
        void visit(long hi, long lo, int prefixLength, int value, int generation) throws E;
    }

    /** Chooses routes by what they hold; the key is not needed for a sweep, so not passed. */
    @FunctionalInterface
    public interface RouteFilter {
        boolean test(int value, int generation);
    }

    private static final int MIN_CAPACITY = 16;
    private static final int MAX_CAPACITY = 1 << 30;

    private final boolean v6;
    // Mixed into every hash, different for each table: which keys collide cannot be worked out
    // from outside (routes come from peers), and tables do not share bad luck.
    private final long seed;

    // IPv4: addr << 8 | (length + 1), so 0 means empty and 0.0.0.0/0 is 1.
    // IPv6: the first 64 bits of the prefix.
    private long[] hi;
    private long[] lo;      // IPv6 only: the last 64 bits of the prefix
    private byte[] lens;    // IPv6 only: length + 1, 0 means empty; read as unsigned
    private int[] values;
    private int[] generations;
    private int size;
    private int threshold;  // grow before an insertion would pass it
    private int modCount;   // counts insertions and removals, not value replacements

    /** An empty IPv4 table. */
    public static RouteTable ipv4() {
        return ipv4(0);
    }

    /** An empty IPv4 table that will not grow before holding {@code expectedRoutes}. */
    public static RouteTable ipv4(int expectedRoutes) {
        return new RouteTable(false, expectedRoutes, ThreadLocalRandom.current().nextLong());
    }

    /** An empty IPv6 table. */
    public static RouteTable ipv6() {
        return ipv6(0);
    }

    /** An empty IPv6 table that will not grow before holding {@code expectedRoutes}. */
    public static RouteTable ipv6(int expectedRoutes) {
        return new RouteTable(true, expectedRoutes, ThreadLocalRandom.current().nextLong());
    }

    /** With a given seed, for tests that must lay out the same way twice. */
    RouteTable(boolean v6, int expectedRoutes, long seed) {
        if (expectedRoutes < 0 || expectedRoutes > MAX_CAPACITY / 4 * 3) {
            throw new IllegalArgumentException("expected routes: " + expectedRoutes);
        }
        this.v6 = v6;
        this.seed = seed;
        int capacity = MIN_CAPACITY;
        while (capacity / 4 * 3 < expectedRoutes) capacity <<= 1;
        allocate(capacity);
    }

    public boolean isIpv6() {
        return v6;
    }

    public int size() {
        return size;
    }

    // ---- IPv4 by int ----------------------------------------------------------------------

    /** The value of {@code addr/prefixLength}, or {@link #ABSENT}. IPv4 tables only. */
    public int get(int addr, int prefixLength) {
        int i = find(ipv4Word(addr, prefixLength), 0, prefixLength);
        return i >= 0 ? values[i] : ABSENT;
    }

    /** Stores the route, returning the value it replaced or {@link #ABSENT}. IPv4 tables only. */
    public int put(int addr, int prefixLength, int value, int generation) {
        return put(ipv4Word(addr, prefixLength), 0, prefixLength, value, generation);
    }

    /** Removes the route, returning its value or {@link #ABSENT}. IPv4 tables only. */
    public int remove(int addr, int prefixLength) {
        return remove(ipv4Word(addr, prefixLength), 0, prefixLength);
    }

    // ---- Either family by words -----------------------------------------------------------

    /** The value of the route, or {@link #ABSENT}. */
    public int get(long hi, long lo, int prefixLength) {
        checkKey(hi, lo, prefixLength);
        int i = find(hi, lo, prefixLength);
        return i >= 0 ? values[i] : ABSENT;
    }

    /** The generation of the route, or {@link #ABSENT} when there is no such route. */
    public int generation(long hi, long lo, int prefixLength) {
        checkKey(hi, lo, prefixLength);
        int i = find(hi, lo, prefixLength);
        return i >= 0 ? generations[i] : ABSENT;
    }

    /**
     * Stores the route with its value and generation, returning the value it replaced or
     * {@link #ABSENT} if it is new.
     *
     * @throws IllegalArgumentException if {@code value} is {@link #ABSENT} or the key is out of range
     */
    public int put(long hi, long lo, int prefixLength, int value, int generation) {
        checkKey(hi, lo, prefixLength);
        if (value == ABSENT) throw new IllegalArgumentException("ABSENT (-1) cannot be stored");
        int i = find(hi, lo, prefixLength);
        if (i >= 0) {
            int previous = values[i];
            values[i] = value;
            generations[i] = generation;
            return previous;
        }
        if (size >= threshold) {
            grow();
            i = find(hi, lo, prefixLength);
        }
        i = ~i;
        if (v6) {
            this.hi[i] = hi;
            this.lo[i] = lo;
            lens[i] = (byte) (prefixLength + 1);
        } else {
            this.hi[i] = hi << 8 | (prefixLength + 1);
        }
        values[i] = value;
        generations[i] = generation;
        size++;
        modCount++;
        return ABSENT;
    }

    /** Removes the route, returning its value or {@link #ABSENT}. */
    public int remove(long hi, long lo, int prefixLength) {
        checkKey(hi, lo, prefixLength);
        int i = find(hi, lo, prefixLength);
        if (i < 0) return ABSENT;
        int previous = values[i];
        deleteSlot(i);
        size--;
        modCount++;
        return previous;
    }

    // ---- Whole table ----------------------------------------------------------------------

    /**
     * Calls the visitor once for every route, in no particular order, allocating nothing. The
     * visitor must not add or remove routes ({@link ConcurrentModificationException}); it may
     * replace values with {@link #put} on routes already there, which is how the routes through
     * a changed nexthop get rewritten. An exception from the visitor ends the walk.
     */
    public <E extends Exception> void forEach(RouteVisitor<E> visitor) throws E {
        int expected = modCount;
        for (int i = 0; i < values.length; i++) {
            if (!occupied(i)) continue;
            visit(visitor, i);
            if (modCount != expected) throw new ConcurrentModificationException();
        }
    }

    /**
     * Removes every route the filter accepts, calling {@code removed} with each just before
     * removing it (to delete it from the kernel map as well), and returns how many it removed.
     * Each route is looked at exactly once. Neither the filter nor the callback may add or remove
     * routes. If the callback throws, the route it was given and those not reached yet stay, the
     * ones removed before stay removed, and the exception propagates: the table matches what the
     * callback managed to do.
     */
    public <E extends Exception> int removeIf(RouteFilter filter, RouteVisitor<E> removed) throws E {
        if (size == 0) return 0;
        // Start right after an empty slot, which stays empty: then no cluster spans the end of
        // the walk, backward shift only moves routes the walk has not reached yet into the
        // slot it is at or further on, and nothing is skipped or seen twice.
        int mask = values.length - 1;
        int start = 0;
        while (occupied(start)) start++; // there is one: the load factor is at most 3/4
        int expected = modCount;
        int count = 0;
        for (int i = (start + 1) & mask; i != start; ) {
            if (modCount != expected) throw new ConcurrentModificationException();
            if (occupied(i) && filter.test(values[i], generations[i])) {
                visit(removed, i);
                if (modCount != expected) throw new ConcurrentModificationException();
                deleteSlot(i);
                size--;
                expected = ++modCount;
                count++;
                continue; // slot i now holds the next route of its cluster, if any: look again
            }
            i = (i + 1) & mask;
        }
        return count;
    }

    /** The bytes this table holds: its arrays with their headers and itself (compressed oops). */
    public long estimatedBytes() {
        long slots = values.length;
        return v6 ? slots * (8 + 8 + 1 + 4 + 4) + 5 * 16 + 48
                  : slots * (8 + 4 + 4) + 3 * 16 + 48;
    }

    @Override
    public String toString() {
        return "RouteTable[" + (v6 ? "ipv6" : "ipv4") + ", " + size + " routes, " + values.length + " slots]";
    }

    // ---- Conversions ----------------------------------------------------------------------

    public static int ipv4(Inet4Address address) {
        byte[] b = address.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    public static Inet4Address inet4(int addr) {
        byte[] b = {(byte) (addr >>> 24), (byte) (addr >>> 16), (byte) (addr >>> 8), (byte) addr};
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always an address
        }
    }

    /** The first eight bytes of the address, big-endian. */
    public static long high(Inet6Address address) {
        return high(address.getAddress());
    }

    /** The last eight bytes of the address, big-endian. */
    public static long low(Inet6Address address) {
        return low(address.getAddress());
    }

    /** The first eight of sixteen address bytes, big-endian. */
    public static long high(byte[] address16) {
        return word(address16, 0);
    }

    /** The last eight of sixteen address bytes, big-endian. */
    public static long low(byte[] address16) {
        return word(address16, 8);
    }

    /** The address of two words, scope-less; always an {@code Inet6Address}, ::ffff:a.b.c.d too. */
    public static Inet6Address inet6(long hi, long lo) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (hi >>> (56 - 8 * i));
            b[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        try {
            // Not InetAddress.getByAddress: that turns IPv4-mapped addresses into Inet4Address.
            return Inet6Address.getByAddress(null, b, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // sixteen bytes are always an address
        }
    }

    /** {@code addr} with the bits after the first {@code prefixLength} (0..32) cleared. */
    public static int mask(int addr, int prefixLength) {
        if (prefixLength < 0 || prefixLength > 32) throw new IllegalArgumentException("IPv4 prefix length: " + prefixLength);
        return prefixLength == 0 ? 0 : addr & (-1 << (32 - prefixLength)); // shifts count mod 32
    }

    /** The first word of an IPv6 prefix with the bits after {@code prefixLength} (0..128) cleared. */
    public static long maskHigh(long hi, int prefixLength) {
        checkIpv6Length(prefixLength);
        return prefixLength >= 64 ? hi : prefixLength == 0 ? 0 : hi & (-1L << (64 - prefixLength));
    }

    /** The second word of an IPv6 prefix with the bits after {@code prefixLength} (0..128) cleared. */
    public static long maskLow(long lo, int prefixLength) {
        checkIpv6Length(prefixLength);
        return prefixLength <= 64 ? 0 : prefixLength == 128 ? lo : lo & (-1L << (128 - prefixLength));
    }

    // ---- Inside ---------------------------------------------------------------------------

    private void allocate(int capacity) {
        hi = new long[capacity];
        if (v6) {
            lo = new long[capacity];
            lens = new byte[capacity];
        }
        values = new int[capacity];
        generations = new int[capacity];
        threshold = capacity / 4 * 3;
    }

    /** The slot holding the key, or {@code ~slot} of the empty slot where it would go. */
    private int find(long hi, long lo, int prefixLength) {
        int mask = values.length - 1;
        if (!v6) {
            long key = hi << 8 | (prefixLength + 1);
            long[] keys = this.hi;
            for (int i = hash4(key) & mask; ; i = (i + 1) & mask) {
                long k = keys[i];
                if (k == key) return i;
                if (k == 0) return ~i;
            }
        }
        int stored = prefixLength + 1;
        for (int i = hash6(hi, lo, stored) & mask; ; i = (i + 1) & mask) {
            int l = lens[i] & 0xff;
            if (l == 0) return ~i;
            if (l == stored && this.hi[i] == hi && this.lo[i] == lo) return i;
        }
    }

    private boolean occupied(int i) {
        return v6 ? lens[i] != 0 : hi[i] != 0;
    }

    /** The hash of the route in slot {@code i}, which decides the slot it belongs in. */
    private int hashAt(long[] hi, long[] lo, byte[] lens, int i) {
        return v6 ? hash6(hi[i], lo[i], lens[i] & 0xff) : hash4(hi[i]);
    }

    private int hash4(long key) {
        return (int) fmix64(key ^ seed);
    }

    private int hash6(long hi, long lo, int storedLength) {
        // The length goes into the low bits of lo, which masked prefixes up to /120 leave 0.
        return (int) fmix64(fmix64(hi ^ seed) ^ lo ^ storedLength);
    }

    /** MurmurHash3's finalizer: every input bit flips each output bit with probability near 1/2. */
    private static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    /**
     * Empties slot {@code i} without a tombstone: each following route of the cluster that may
     * legally sit in the hole (its home slot is not cyclically after the hole) moves back into
     * it, leaving a hole where it was, until an empty slot ends the cluster (Knuth's Algorithm R).
     */
    private void deleteSlot(int i) {
        int mask = values.length - 1;
        for (int j = (i + 1) & mask; occupied(j); j = (j + 1) & mask) {
            int home = hashAt(hi, lo, lens, j) & mask;
            if (((j - home) & mask) >= ((j - i) & mask)) {
                hi[i] = hi[j];
                if (v6) {
                    lo[i] = lo[j];
                    lens[i] = lens[j];
                }
                values[i] = values[j];
                generations[i] = generations[j];
                i = j;
            }
        }
        hi[i] = 0;
        if (v6) {
            lo[i] = 0;
            lens[i] = 0;
        }
    }

    private void grow() {
        int capacity = values.length;
        if (capacity == MAX_CAPACITY) throw new IllegalStateException("route table full: " + size + " routes");
        long[] oldHi = hi, oldLo = lo;
        byte[] oldLens = lens;
        int[] oldValues = values, oldGenerations = generations;
        allocate(capacity * 2);
        int mask = capacity * 2 - 1;
        for (int j = 0; j < capacity; j++) {
            if (v6 ? oldLens[j] == 0 : oldHi[j] == 0) continue;
            int i = hashAt(oldHi, oldLo, oldLens, j) & mask;
            while (occupied(i)) i = (i + 1) & mask;
            hi[i] = oldHi[j];
            if (v6) {
                lo[i] = oldLo[j];
                lens[i] = oldLens[j];
            }
            values[i] = oldValues[j];
            generations[i] = oldGenerations[j];
        }
    }

    private <E extends Exception> void visit(RouteVisitor<E> visitor, int i) throws E {
        if (v6) {
            visitor.visit(hi[i], lo[i], (lens[i] & 0xff) - 1, values[i], generations[i]);
        } else {
            long k = hi[i];
            visitor.visit(k >>> 8, 0, (int) (k & 0xff) - 1, values[i], generations[i]);
        }
    }

    private long ipv4Word(int addr, int prefixLength) {
        if (v6) throw new UnsupportedOperationException("an IPv6 table takes two words");
        if (prefixLength < 0 || prefixLength > 32) throw new IllegalArgumentException("IPv4 prefix length: " + prefixLength);
        return addr & 0xffffffffL;
    }

    private void checkKey(long hi, long lo, int prefixLength) {
        if (v6) {
            checkIpv6Length(prefixLength);
        } else if (prefixLength < 0 || prefixLength > 32 || lo != 0 || (hi >>> 32) != 0) {
            throw new IllegalArgumentException("not an IPv4 key: hi=" + Long.toHexString(hi)
                    + " lo=" + Long.toHexString(lo) + " length=" + prefixLength);
        }
    }

    private static void checkIpv6Length(int prefixLength) {
        if (prefixLength < 0 || prefixLength > 128) throw new IllegalArgumentException("IPv6 prefix length: " + prefixLength);
    }

    private static long word(byte[] b, int from) {
        if (b.length != 16) throw new IllegalArgumentException("an IPv6 address has 16 bytes, not " + b.length);
        long w = 0;
        for (int i = from; i < from + 8; i++) w = w << 8 | (b[i] & 0xff);
        return w;
    }
}
