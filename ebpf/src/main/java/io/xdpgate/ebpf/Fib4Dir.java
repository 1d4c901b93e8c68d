package io.xdpgate.ebpf;

import io.xdpgate.ebpf.libbpf.Bpf;
import io.xdpgate.ebpf.libbpf.MappedMap;
import java.nio.IntBuffer;

/**
 * The DIR-24 IPv4 table of one VRF (xdpgate.h, struct xg_fib4_dir_pair): one entry per /24,
 * holding the longest route of length 0 to 24 that covers it, written through a shared
 * mapping (a store, no system call). Routes longer than /24 stay in xg_fib4; their /24's
 * entry carries {@link #LONGER}.
 *
 * <p>An entry records the length of its route, so that writes need no other state: a route
 * {@code P/len} is written into the entries of its range whose route is not longer than
 * {@code len} (the order of writes does not matter), and its delete gives the entries that
 * hold it to the longest shorter route covering {@code P}, which the caller knows. A route
 * whose every /24 is taken by longer routes holds no entry and so is not listed: it decides
 * nothing.
 *
 * <p>One writer thread; readers (other processes, the program) see each entry change as one
 * aligned 32-bit store.
 */
public final class Fib4Dir implements AutoCloseable {
    /** Entries: one per /24. */
    public static final int ENTRIES = 1 << 24;

    // The entry bits of xdpgate.h (XG_DIR_*).
    static final int ID_MASK = 0x001fffff;
    static final int LOCAL = 0x00200000;
    static final int GROUP = 0x00400000;
    static final int TYPE_SHIFT = 23;
    static final int TYPE_MASK = 0x7;
    static final int DEPTH_SHIFT = 26;
    static final int DEPTH_MASK = 0x1f;
    static final int LONGER = 0x80000000;
    /** The bits that say where else to look, kept whatever route an entry holds. */
    private static final int HINTS = LONGER | LOCAL;

    /** Receives one route of the table. */
    @FunctionalInterface
    public interface Visitor {
        void visit(int prefix, int prefixLength, Route route);
    }

    /** Whether a route {@code prefix/prefixLength} (host bits clear) is in some table of routes. */
    @FunctionalInterface
    public interface RouteSet {
        boolean contains(int prefix, int prefixLength);
    }

    /**
     * Whether a table holding {@code routes} shows no entry of route {@code prefix/prefixLength}
     * because longer routes of at most /24 take each of its /24s: such a route decides nothing,
     * and neither {@link #route} nor {@link #forEach} finds it. Cheap for most routes: it stops
     * at the first /24 the route still holds.
     */
    public static boolean hidden(int prefix, int prefixLength, RouteSet routes) {
        if (prefixLength >= 24) return false;
        int from = first(prefix, prefixLength);
        for (int n = from; n < from + (1 << (24 - prefixLength)); n++) {
            boolean taken = false;
            for (int length = 24; length > prefixLength && !taken; length--) {
                taken = routes.contains((n << 8) & (-1 << (32 - length)), length);
            }
            if (!taken) return false;
        }
        return true;
    }

    private final int id;
    private final MappedMap mapping;
    private final IntBuffer entries;

    private Fib4Dir(int id, MappedMap mapping) {
        this.id = id;
        this.mapping = mapping;
        this.entries = mapping.buffer().asIntBuffer();
    }

    /** Creates an empty table (every entry 0: no route); returns it with its fd, which the caller closes. */
    static Fib4Dir create(int[] fdOut) throws BpfException {
        MapLayouts.MapDef d = MapLayouts.FIB4_DIR_TABLE;
        int fd = Bpf.mapCreate(d.type(), d.name(), d.keySize(), d.valueSize(), d.maxEntries(), d.flags());
        try {
            Fib4Dir dir = open(fd, d.name());
            fdOut[0] = fd;
            return dir;
        } catch (BpfException | RuntimeException e) {
            Bpf.close(fd);
            throw e;
        }
    }

    /** Maps the table of this fd after checking that it is one. The fd stays the caller's. */
    static Fib4Dir open(int fd, String what) throws BpfException {
        var diffs = MapCompatibility.differences(MapCompatibility.expected(MapLayouts.FIB4_DIR_TABLE),
                Bpf.mapInfo(fd, what));
        if (!diffs.isEmpty()) {
            throw MapCompatibility.refused(what, diffs);
        }
        long bytes = (long) MapLayouts.FIB4_DIR_PAIRS * MapLayouts.FIB4_DIR_PAIR.size();
        return new Fib4Dir(Bpf.mapId(fd), Bpf.mmap(fd, bytes, what));
    }

    /** The kernel's id of the table: what a lookup of xg_fib4_dir returns. */
    int id() {
        return id;
    }

    /** The entry of a route, as the program decodes it. */
    static int encode(Route route, int prefixLength) {
        int type = route.type() & TYPE_MASK;
        int e = ((prefixLength + 1) << DEPTH_SHIFT) | (type << TYPE_SHIFT);
        if (route.isGroup()) {
            return e | GROUP | (route.groupId() & ID_MASK);
        }
        return e | (route.nexthopId() & ID_MASK);
    }

    /** The route of an entry, or null when the entry holds none. */
    static Route decode(int e) {
        if (depth(e) < 0) return null;
        int type = (e >>> TYPE_SHIFT) & TYPE_MASK;
        int id = e & ID_MASK;
        return (e & GROUP) != 0 ? Route.group(id) : new Route(type, id);
    }

    /** The prefix length of an entry's route, -1 for none. */
    static int depth(int e) {
        return ((e >>> DEPTH_SHIFT) & DEPTH_MASK) - 1;
    }

    private static int first(int prefix, int prefixLength) {
        return prefixLength == 0 ? 0 : (prefix >>> 8) & (-1 << (24 - prefixLength)) & (ENTRIES - 1);
    }

    private static void checkLength(int prefixLength) {
        if (prefixLength < 0 || prefixLength > 24) {
            throw new IllegalArgumentException("a DIR-24 table holds prefixes of /0 to /24, not /" + prefixLength);
        }
    }

    /** Writes route {@code prefix/prefixLength} (length 0..24) into the entries no longer route holds. */
    public void put(int prefix, int prefixLength, Route route) {
        checkLength(prefixLength);
        int value = encode(route, prefixLength);
        int from = first(prefix, prefixLength);
        int to = from + (1 << (24 - prefixLength));
        for (int n = from; n < to; n++) {
            int e = entries.get(n);
            if (depth(e) <= prefixLength) {
                int next = value | (e & HINTS);
                if (next != e) entries.put(n, next);
            }
        }
    }

    /**
     * Removes route {@code prefix/prefixLength}: the entries that hold it go to {@code covering},
     * the longest route shorter than it that covers {@code prefix} (of length {@code coveringLength}),
     * or to no route when {@code covering} is null.
     */
    public void delete(int prefix, int prefixLength, Route covering, int coveringLength) {
        checkLength(prefixLength);
        if (covering != null && (coveringLength < 0 || coveringLength >= prefixLength)) {
            throw new IllegalArgumentException("covering route /" + coveringLength + " of a /" + prefixLength);
        }
        int value = covering == null ? 0 : encode(covering, coveringLength);
        int from = first(prefix, prefixLength);
        int to = from + (1 << (24 - prefixLength));
        for (int n = from; n < to; n++) {
            int e = entries.get(n);
            if (depth(e) == prefixLength) entries.put(n, value | (e & HINTS));
        }
    }

    /** Tells the program that xg_fib4 may hold routes longer than /24 inside the /24 of {@code address}. */
    public void markLonger(int address) {
        int n = address >>> 8;
        int e = entries.get(n);
        if ((e & LONGER) == 0) entries.put(n, e | LONGER);
    }

    /**
     * Tells the program that one of the router's addresses may be in the /24 of {@code address}:
     * only there does it look in xg_local4. Never cleared: a mark left over costs a lookup.
     */
    public void markLocal(int address) {
        int n = address >>> 8;
        int e = entries.get(n);
        if ((e & LOCAL) == 0) entries.put(n, e | LOCAL);
    }

    /** Whether the /24 of {@code address} may have longer routes in xg_fib4. */
    public boolean hasLonger(int address) {
        return (entries.get(address >>> 8) & LONGER) != 0;
    }

    /** The route stored for exactly {@code prefix/prefixLength} (length 0..24), or null. */
    public Route route(int prefix, int prefixLength) {
        checkLength(prefixLength);
        int from = first(prefix, prefixLength);
        int to = from + (1 << (24 - prefixLength));
        for (int n = from; n < to; n++) {
            int e = entries.get(n);
            if (depth(e) == prefixLength) return decode(e);
        }
        return null;
    }

    /** The route the program finds in this table for {@code address}, ignoring longer routes: null for none. */
    public Route longestMatch(int address) {
        return decode(entries.get(address >>> 8));
    }

    /**
     * Every route that holds an entry, each once, in address order of its first entry. The
     * entries of one route all lie in its range, which holds no other route of its length,
     * so remembering the last route seen per length is enough.
     */
    public void forEach(Visitor visitor) {
        int[] last = new int[25];
        java.util.Arrays.fill(last, -1);
        for (int n = 0; n < ENTRIES; n++) {
            int e = entries.get(n);
            int len = depth(e);
            if (len < 0) continue;
            int start = first(n << 8, len); // never -1, the mark of no route seen yet
            if (last[len] == start) continue;
            last[len] = start;
            visitor.visit(start << 8, len, decode(e));
        }
    }

    /** The number of routes {@link #forEach} lists (reads every entry). */
    public int count() {
        int[] count = {0};
        forEach((p, l, r) -> count[0]++);
        return count[0];
    }

    @Override
    public void close() {
        mapping.close();
    }
}
