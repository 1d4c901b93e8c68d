package io.xdpgate.cachemanager;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which nexthop object each mirrored route points at, for the routes that point at one.
 *
 * <p>Why it exists: the kernel flushes the IPv4 routes through a deleted nexthop object without an
 * RTM_DELROUTE, so the one way to tell the fast path which routes went is to remember who used
 * the object. Routing daemons (FRR) put every route on a nexthop object, so this can hold a full
 * table: open addressing over primitive arrays, 13 bytes a slot for IPv4 and 21 for IPv6, at most
 * three quarters full and at least three eighths after growing (17 to 35 bytes per IPv4
 * route, 28 to 56 per IPv6 route), no object per route. Finding the routes of
 * one object scans the table; that happens only when an object that routes still use is deleted.
 *
 * <p>Keyed like an FPC route of the main table: (prefix, length). Not thread-safe.
 */
final class RoutesByNexthop {

    /** A route's key. */
    record Prefix(InetAddress prefix, int length) {}

    private final Table v4 = new Table(false);
    private final Table v6 = new Table(true);
    private final Map<Integer, Integer> routesPerId = new HashMap<>(); // distinct ids: as few as the objects

    /** Records that the route points at {@code nexthopId} (0: at none). Returns the id it pointed at before, 0 if none. */
    int put(InetAddress prefix, int length, int nexthopId) {
        Table t = table(prefix);
        byte[] a = prefix.getAddress();
        int old = nexthopId == 0 ? t.remove(hi(a), lo(a), length) : t.put(hi(a), lo(a), length, nexthopId);
        if (old != nexthopId) {
            count(old, -1);
            count(nexthopId, 1);
        }
        return old;
    }

    /** Forgets the route; returns the id it pointed at, 0 if none. */
    int remove(InetAddress prefix, int length) {
        byte[] a = prefix.getAddress();
        int old = table(prefix).remove(hi(a), lo(a), length);
        count(old, -1);
        return old;
    }

    /** Routes pointing at {@code nexthopId}. */
    int routesUsing(int nexthopId) {
        return routesPerId.getOrDefault(nexthopId, 0);
    }

    /** Forgets every route through {@code nexthopId} and returns them. */
    List<Prefix> removeAll(int nexthopId) {
        List<Prefix> gone = new ArrayList<>();
        if (routesUsing(nexthopId) == 0) return gone;
        v4.collect(nexthopId, gone);
        v6.collect(nexthopId, gone);
        for (Prefix p : gone) remove(p.prefix(), p.length());
        return gone;
    }

    int size() {
        return v4.size + v6.size;
    }

    /** Forgets everything and gives the memory back. */
    void clear() {
        v4.reset();
        v6.reset();
        routesPerId.clear();
    }

    private void count(int nexthopId, int delta) {
        if (nexthopId != 0) routesPerId.merge(nexthopId, delta, (a, b) -> a + b == 0 ? null : a + b);
    }

    private Table table(InetAddress prefix) {
        return prefix instanceof Inet4Address ? v4 : v6;
    }

    private static long hi(byte[] a) {
        return a.length == 16 ? bytes(a, 0) : 0;
    }

    private static long lo(byte[] a) {
        return a.length == 16 ? bytes(a, 8) : bytes(a, 0) >>> 32;
    }

    private static long bytes(byte[] a, int from) {
        long v = 0;
        for (int i = 0; i < 8; i++) v = v << 8 | (from + i < a.length ? a[from + i] & 0xff : 0);
        return v;
    }

    /** Linear probing with backward-shift deletion: no tombstones, so churn never degrades it. */
    private static final class Table {
        private static final int INITIAL = 16; // thousands of namespaces may each hold a few routes
        private final boolean wide;
        private long[] hi; // IPv6 only
        private long[] lo;
        private byte[] length; // prefix length + 1; 0 marks a free slot
        private int[] nexthop;
        int size;

        Table(boolean wide) {
            this.wide = wide;
            allocate(INITIAL);
        }

        private void allocate(int slots) {
            hi = wide ? new long[slots] : null;
            lo = new long[slots];
            length = new byte[slots];
            nexthop = new int[slots];
            size = 0;
        }

        void reset() {
            if (lo.length != INITIAL) allocate(INITIAL);
            else {
                java.util.Arrays.fill(length, (byte) 0);
                size = 0;
            }
        }

        private int mask() {
            return lo.length - 1;
        }

        private static int hash(long h, long l, int len) {
            long x = l * 0x9E3779B97F4A7C15L + h * 0xC2B2AE3D27D4EB4FL + len;
            x ^= x >>> 33;
            x *= 0xff51afd7ed558ccdL;
            x ^= x >>> 33;
            return (int) x;
        }

        private boolean at(int slot, long h, long l, int len) {
            return (length[slot] & 0xff) == len + 1 && lo[slot] == l && (!wide || hi[slot] == h);
        }

        /** The slot holding the key, or the free slot where it would go. */
        private int find(long h, long l, int len) {
            int slot = hash(h, l, len) & mask();
            while (length[slot] != 0 && !at(slot, h, l, len)) slot = (slot + 1) & mask();
            return slot;
        }

        int put(long h, long l, int len, int id) {
            int slot = find(h, l, len);
            if (length[slot] != 0) {
                int old = nexthop[slot];
                nexthop[slot] = id;
                return old;
            }
            if ((size + 1) * 4 > lo.length * 3) {
                grow();
                slot = find(h, l, len);
            }
            if (wide) hi[slot] = h;
            lo[slot] = l;
            length[slot] = (byte) (len + 1);
            nexthop[slot] = id;
            size++;
            return 0;
        }

        int remove(long h, long l, int len) {
            int slot = find(h, l, len);
            if (length[slot] == 0) return 0;
            int old = nexthop[slot];
            // Backward shift: move up every later entry of the run that may sit in the freed slot.
            int free = slot;
            int next = (free + 1) & mask();
            while (length[next] != 0) {
                int home = hash(wide ? hi[next] : 0, lo[next], (length[next] & 0xff) - 1) & mask();
                if (((next - home) & mask()) >= ((next - free) & mask())) {
                    if (wide) hi[free] = hi[next];
                    lo[free] = lo[next];
                    length[free] = length[next];
                    nexthop[free] = nexthop[next];
                    free = next;
                }
                next = (next + 1) & mask();
            }
            length[free] = 0;
            size--;
            return old;
        }

        private void grow() {
            long[] oldHi = hi;
            long[] oldLo = lo;
            byte[] oldLength = length;
            int[] oldNexthop = nexthop;
            allocate(oldLo.length * 2);
            for (int i = 0; i < oldLo.length; i++) {
                if (oldLength[i] != 0) put(wide ? oldHi[i] : 0, oldLo[i], (oldLength[i] & 0xff) - 1, oldNexthop[i]);
            }
        }

        void collect(int id, List<Prefix> out) {
            for (int i = 0; i < lo.length; i++) {
                if (length[i] != 0 && nexthop[i] == id) out.add(new Prefix(address(i), (length[i] & 0xff) - 1));
            }
        }

        private InetAddress address(int slot) {
            byte[] a = new byte[wide ? 16 : 4];
            if (wide) {
                for (int i = 0; i < 8; i++) a[i] = (byte) (hi[slot] >>> (56 - 8 * i));
                for (int i = 0; i < 8; i++) a[8 + i] = (byte) (lo[slot] >>> (56 - 8 * i));
            } else {
                for (int i = 0; i < 4; i++) a[i] = (byte) (lo[slot] >>> (24 - 8 * i));
            }
            try {
                return InetAddress.getByAddress(a);
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
    }
}
