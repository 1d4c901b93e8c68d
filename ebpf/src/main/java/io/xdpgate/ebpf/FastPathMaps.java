package io.xdpgate.ebpf;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Typed access to all pinned maps under a pin root. Thread-confined: one writer.
 * Opening refuses maps whose layout differs from {@link MapLayouts}, listing every difference.
 */
public final class FastPathMaps implements AutoCloseable {
    // Per-route conversions read words in place: a ByteBuffer per call was 5% of the applying thread's samples.
    // (Fib6Classes writes its keys and values with the same two below.)
    private static final java.lang.invoke.VarHandle BE_INT =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.BIG_ENDIAN);
    static final java.lang.invoke.VarHandle BE_LONG =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);
    static final java.lang.invoke.VarHandle HOST_INT =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.nativeOrder());


    /** One xg_ports entry. */
    public record PortEntry(int vrf, int ifindex, Port port) {}

    /** One xg_fib4 entry. */
    public record Route4Entry(int vrf, Inet4Address prefix, int prefixLength, Route route) {}

    /** One xg_neigh4 entry. */
    public record Neighbour4Entry(int vrf, int ifindex, Inet4Address address, Neighbour neighbour) {}

    /** One xg_local4 entry. */
    public record Local4Entry(int vrf, Inet4Address address, int ifindex) {}

    /** One xg_fib6 entry. */
    public record Route6Entry(int vrf, Inet6Address prefix, int prefixLength, Route route) {}

    /** One xg_neigh6 entry. */
    public record Neighbour6Entry(int vrf, int ifindex, Inet6Address address, Neighbour neighbour) {}

    /** One xg_local6 entry. */
    public record Local6Entry(int vrf, Inet6Address address, int ifindex) {}

    /**
     * The longest route of a VRF shorter than {@code prefixLength} that covers {@code prefix}, or
     * null: what the writer of a VRF with a DIR-24 table supplies when it deletes a route.
     */
    @FunctionalInterface
    public interface CoveringRoute4 {
        Route4Entry covering(Inet4Address prefix, int prefixLength);
    }

    /** Entries per BPF_MAP_UPDATE_BATCH call: bounds the native memory of one call. */
    static final int BATCH_CHUNK = 8192;

    private final BpfMap ports;
    private final BpfMap fib4;
    private final BpfMap nh;
    private final BpfMap neigh4;
    private final BpfMap local4;
    private final BpfMap stats;
    private final BpfMap fib6;
    private final BpfMap neigh6;
    private final BpfMap local6;
    private final BpfMap nhg;
    private final BpfMap portTables;
    private final BpfMap fib4Dir;
    private final BpfMap fib4Dirs;
    private final BpfMap fib6Guide;
    private final BpfMap fib6Guides;
    private final BpfMap fib6Cls;
    /** Route class entries held by putRoute6 while gathering (see gatherRouteWrites), all of gatheredVrf. */
    private boolean gathering;
    private int gatheredVrf;
    private final List<byte[]> gatheredKeys = new ArrayList<>();
    private final List<byte[]> gatheredValues = new ArrayList<>();
    private final BpfMap portStats;
    /** The DIR-24 tables of the VRFs that have one, as xg_fib4_dir holds them. */
    private final Map<Integer, Fib4Dir> dirs = new java.util.HashMap<>();
    /** The IPv6 route classes of the VRFs that have them, as xg_fib6_guide holds their guides. */
    private final Map<Integer, Fib6Classes> classes = new java.util.HashMap<>();
    private final List<BpfMap> all; // also the maps other classes serve (SpecialMaps)
    private final BpfMap nhGw;
    private final BpfMap neighUsed;
    private final BpfMap nhUsed;

    private FastPathMaps(List<BpfMap> maps) {
        all = List.copyOf(maps);
        ports = of(maps, MapLayouts.PORTS);
        fib4 = of(maps, MapLayouts.FIB4);
        nh = of(maps, MapLayouts.NH);
        neigh4 = of(maps, MapLayouts.NEIGH4);
        local4 = of(maps, MapLayouts.LOCAL4);
        stats = of(maps, MapLayouts.STATS);
        fib6 = of(maps, MapLayouts.FIB6);
        neigh6 = of(maps, MapLayouts.NEIGH6);
        local6 = of(maps, MapLayouts.LOCAL6);
        nhg = of(maps, MapLayouts.NHG);
        portTables = of(maps, MapLayouts.PORT_TABLES);
        fib4Dir = of(maps, MapLayouts.FIB4_DIR);
        fib4Dirs = of(maps, MapLayouts.FIB4_DIRS);
        fib6Guide = of(maps, MapLayouts.FIB6_GUIDE);
        fib6Guides = of(maps, MapLayouts.FIB6_GUIDES);
        fib6Cls = of(maps, MapLayouts.FIB6_CLS);
        portStats = of(maps, MapLayouts.PORT_STATS);
        nhGw = of(maps, MapLayouts.NH_GWS);
        neighUsed = of(maps, MapLayouts.NEIGH_USED);
        nhUsed = of(maps, MapLayouts.NH_USED);
    }

    /** The map of {@code def} among maps opened in the order of {@link MapLayouts#MAPS}. */
    private static BpfMap of(List<BpfMap> maps, MapLayouts.MapDef def) {
        return maps.get(MapLayouts.MAPS.indexOf(def));
    }

    public static FastPathMaps open(Path pinRoot) throws BpfException {
        List<BpfMap> opened = new ArrayList<>();
        try {
            List<String> diffs = new ArrayList<>();
            for (MapLayouts.MapDef d : MapLayouts.MAPS) { // in this order: see of()
                BpfMap m = BpfMap.openPinned(pinRoot.resolve(d.name()));
                opened.add(m);
                diffs.addAll(MapCompatibility.differences(MapCompatibility.expected(d), m.info()));
            }
            if (!diffs.isEmpty()) {
                throw MapCompatibility.refused(pinRoot.toString(), diffs);
            }
            FastPathMaps maps = new FastPathMaps(opened);
            try {
                maps.refreshFib4Dirs();
                maps.refreshFib6Classes();
            } catch (BpfException | RuntimeException e) {
                maps.close();
                throw e;
            }
            return maps;
        } catch (BpfException | RuntimeException e) {
            opened.forEach(BpfMap::close);
            throw e;
        }
    }

    // Ports

    /** Writes a port: in xg_ports and, within its bounds, in its VRF's port table (created on first use). */
    public void putPort(int vrf, int ifindex, Port port) throws BpfException {
        byte[] value = port.encode();
        if (isIndexedPort(vrf, ifindex)) writePortTable(vrf, ifindex, value, true);
        ports.update(ifKey(vrf, ifindex), value);
    }

    public void deletePort(int vrf, int ifindex) throws BpfException {
        ports.delete(ifKey(vrf, ifindex));
        if (isIndexedPort(vrf, ifindex)) writePortTable(vrf, ifindex, new byte[MapLayouts.PORT.size()], false);
    }

    /** Removes a VRF's port table (its ports deleted first), once the VRF is gone. */
    public void dropPortTable(int vrf) throws BpfException {
        if (isIndexed(vrf)) portTables.delete(u32(vrf));
    }

    private static boolean isIndexedPort(int vrf, int ifindex) {
        return isIndexed(vrf) && Integer.compareUnsigned(ifindex, MapLayouts.PORT_INDEXED) < 0;
    }

    /** Writes one entry of a VRF's port table; without a table, creates one if create is set, else does nothing. */
    private void writePortTable(int vrf, int ifindex, byte[] value, boolean create) throws BpfException {
        int fd = portTableFd(vrf, create);
        if (fd < 0) return;
        try {
            io.xdpgate.ebpf.libbpf.Bpf.mapUpdate(fd, MapLayouts.PORT_TABLE.name(), u32(ifindex), value,
                    io.xdpgate.ebpf.libbpf.Bpf.BPF_ANY);
        } finally {
            io.xdpgate.ebpf.libbpf.Bpf.close(fd);
        }
    }

    /**
     * An fd of the VRF's port table, which the caller closes; without one, a new table published in
     * xg_port_tables if create is set, else -1. (xg_port_tables only accepts tables of its template.)
     */
    private int portTableFd(int vrf, boolean create) throws BpfException {
        byte[] id = portTables.lookup(u32(vrf));
        if (id != null) {
            return io.xdpgate.ebpf.libbpf.Bpf.mapFdById(hostInt(id), "the port table of vrf " + Integer.toUnsignedString(vrf));
        }
        if (!create) return -1;
        MapLayouts.MapDef d = MapLayouts.PORT_TABLE;
        int fd = io.xdpgate.ebpf.libbpf.Bpf.mapCreate(d.type(), d.name(), d.keySize(), d.valueSize(), d.maxEntries(),
                d.flags());
        try {
            portTables.update(u32(vrf), u32(fd));
            return fd;
        } catch (BpfException | RuntimeException e) {
            io.xdpgate.ebpf.libbpf.Bpf.close(fd);
            throw e;
        }
    }

    private static int hostInt(byte[] fourBytes) {
        return (int) HOST_INT.get(fourBytes, 0);
    }

    /** The port, or null. */
    public Port port(int vrf, int ifindex) throws BpfException {
        byte[] v = ports.lookup(ifKey(vrf, ifindex));
        return v == null ? null : Port.decode(v);
    }

    /** Every port (one system call per entry). */
    public List<PortEntry> ports() throws BpfException {
        List<PortEntry> out = new ArrayList<>();
        for (byte[] k : ports.keys()) {
            byte[] v = ports.lookup(k);
            if (v == null) continue; // deleted meanwhile
            StructBytes key = StructBytes.wrap(MapLayouts.IF_KEY, k);
            out.add(new PortEntry(key.host32("vrf"), key.host32("ifindex"), Port.decode(v)));
        }
        return out;
    }

    static byte[] ifKey(int vrf, int ifindex) {
        return StructBytes.allocate(MapLayouts.IF_KEY).host32("vrf", vrf).host32("ifindex", ifindex).array();
    }

    // IPv4 routes: xg_fib4, and the DIR-24 tables of the VRFs that have one (see Fib4Dir)

    /** Writes a route (create or replace). */
    public void putRoute4(int vrf, Inet4Address prefix, int prefixLength, Route route) throws BpfException {
        Fib4Dir dir = dirs.get(vrf);
        if (dir != null && prefixLength <= 24) {
            dir.put(toInt(prefix), prefixLength, route);
            return;
        }
        fib4.update(fib4Key(vrf, prefix, prefixLength), route.encode());
        if (dir != null) dir.markLonger(toInt(prefix));
    }

    /** False if the route was absent. Not for a VRF with a DIR-24 table (see the four-argument form). */
    public boolean deleteRoute4(int vrf, Inet4Address prefix, int prefixLength) throws BpfException {
        return deleteRoute4(vrf, prefix, prefixLength, null);
    }

    /**
     * Deletes a route; false if it was absent. In a VRF with a DIR-24 table, the /24s the route
     * held go to the route {@code covering} names, which is therefore required there.
     */
    public boolean deleteRoute4(int vrf, Inet4Address prefix, int prefixLength, CoveringRoute4 covering)
            throws BpfException {
        byte[] key = fib4Key(vrf, prefix, prefixLength);
        Fib4Dir dir = dirs.get(vrf);
        if (dir == null || prefixLength > 24) {
            return fib4.delete(key);
        }
        if (covering == null) {
            throw new IllegalStateException("vrf " + Integer.toUnsignedString(vrf)
                    + " has a DIR-24 table: deleting a route needs the route covering it");
        }
        int p = toInt(prefix) & mask4(prefixLength);
        boolean present = dir.route(p, prefixLength) != null;
        Route4Entry c = covering.covering(prefix, prefixLength);
        dir.delete(p, prefixLength, c == null ? null : c.route(), c == null ? 0 : c.prefixLength());
        return present;
    }

    /**
     * The route stored for exactly this prefix, or null. BPF_MAP_LOOKUP_ELEM on an LPM
     * trie is a longest-prefix match, so exactness is established first with
     * BPF_MAP_GET_NEXT_KEY: given a key that is not stored it restarts from the first
     * (leftmost) key, given a stored key it returns the key after it in its post-order
     * walk, which is never the first. Once the key is known to be stored, the longest
     * match for it is the key itself.
     */
    public Route lookupRoute4(int vrf, Inet4Address prefix, int prefixLength) throws BpfException {
        byte[] key = fib4Key(vrf, prefix, prefixLength);
        refreshFib4Dir(vrf);
        Fib4Dir dir = dirs.get(vrf);
        if (dir != null && prefixLength <= 24) {
            return dir.route(toInt(prefix) & mask4(prefixLength), prefixLength);
        }
        return exactRoute(fib4, key);
    }

    /** The route the program finds for a destination, as it finds it (longest match), or null. */
    public Route longestMatch4(int vrf, Inet4Address address) throws BpfException {
        byte[] key = fib4Key(vrf, address, 32);
        refreshFib4Dir(vrf);
        Fib4Dir dir = dirs.get(vrf);
        if (dir != null && !dir.hasLonger(toInt(address))) {
            return dir.longestMatch(toInt(address));
        }
        byte[] v = fib4.lookup(key);
        if (v != null) return Route.decode(v);
        return dir == null ? null : dir.longestMatch(toInt(address));
    }

    /** The route stored under exactly this LPM trie key, or null (see {@link #lookupRoute4}). */
    private static Route exactRoute(BpfMap trie, byte[] key) throws BpfException {
        byte[] first = trie.nextKey(null);
        if (first == null) {
            return null;
        }
        if (!Arrays.equals(first, key)) {
            byte[] after = trie.nextKey(key);
            if (after != null && Arrays.equals(after, first)) {
                return null;
            }
        }
        byte[] v = trie.lookup(key);
        return v == null ? null : Route.decode(v);
    }

    /**
     * Every IPv4 route: those of xg_fib4 (two system calls per route) and those of the DIR-24
     * tables (every entry read), less the routes a table does not show because longer routes
     * take all of their /24s (see {@link Fib4Dir}).
     */
    public List<Route4Entry> routes4() throws BpfException {
        List<Route4Entry> out = new ArrayList<>();
        forEachRoute4((vrf, prefix, length, route) -> out.add(new Route4Entry(vrf, toAddress(prefix), length, route)));
        return out;
    }

    /** An IPv4 route as {@link #forEachRoute4} visits it: its prefix's address as an int (network order's value). */
    @FunctionalInterface
    public interface Route4Visitor {
        void visit(int vrf, int prefix, int length, Route route);
    }

    /**
     * Each route {@link #routes4} lists, in the same order, without an entry and an address made for
     * each: what a listing of a full table (a million routes) wants.
     */
    public void forEachRoute4(Route4Visitor visitor) throws BpfException {
        for (byte[] k : fib4.keys()) {
            byte[] v = fib4.lookup(k); // a stored key's longest match is itself
            if (v == null) continue;
            StructBytes key = StructBytes.wrap(MapLayouts.FIB4_KEY, k);
            visitor.visit(key.be32("vrf"), key.be32("addr"), key.host32("prefixlen") - 32, Route.decode(v));
        }
        refreshFib4Dirs();
        for (Map.Entry<Integer, Fib4Dir> d : dirs.entrySet()) {
            int vrf = d.getKey();
            d.getValue().forEach((prefix, length, route) -> visitor.visit(vrf, prefix, length, route));
        }
    }

    /** The number of IPv4 routes {@link #routes4} lists (walks the trie and reads the DIR-24 tables). */
    public int route4Count() throws BpfException {
        refreshFib4Dirs();
        int n = fib4.count();
        for (Fib4Dir d : dirs.values()) n += d.count();
        return n;
    }

    /** Whether the VRF's IPv4 routes of /24 and shorter are in a DIR-24 table (as this writer knows). */
    public boolean hasFib4Dir(int vrf) {
        return dirs.containsKey(vrf);
    }

    /** The number of VRFs with a DIR-24 table (as this writer knows). */
    public int fib4DirCount() {
        return dirs.size();
    }

    /**
     * Moves a VRF's routes of /24 and shorter from xg_fib4 into a new DIR-24 table: the table
     * is built from {@code routes} (every IPv4 route of the VRF), published in xg_fib4_dir (the
     * program uses it from its next packet on), and only then are those routes deleted from
     * xg_fib4. Returns false, changing nothing, when xg_fib4_dir is full.
     */
    public boolean moveToFib4Dir(int vrf, List<Route4Entry> routes) throws BpfException {
        if (dirs.containsKey(vrf)) throw new IllegalStateException("vrf " + vrf + " has a DIR-24 table already");
        if (dirs.size() >= MapLayouts.FIB4_DIR_VRFS) return false;
        int[] fd = new int[1];
        Fib4Dir dir = Fib4Dir.create(fd);
        try {
            for (Route4Entry r : routes) {
                if (r.prefixLength() <= 24) dir.put(toInt(r.prefix()) & mask4(r.prefixLength()), r.prefixLength(), r.route());
                else dir.markLonger(toInt(r.prefix()));
            }
            for (Local4Entry l : locals4()) {
                if (l.vrf() == vrf) dir.markLocal(toInt(l.address()));
            }
            publish(fib4Dir, fib4Dirs, vrf, fd[0]);
        } catch (BpfException | RuntimeException e) {
            try {
                unpublish(fib4Dir, fib4Dirs, vrf);
            } catch (BpfException | RuntimeException ignored) {
                // the error being thrown is the one to report
            }
            dir.close();
            throw e;
        } finally {
            io.xdpgate.ebpf.libbpf.Bpf.close(fd[0]); // xg_fib4_dir and the mapping hold the table
        }
        dirs.put(vrf, dir);
        List<byte[]> moved = new ArrayList<>();
        for (Route4Entry r : routes) {
            if (r.prefixLength() <= 24) moved.add(fib4Key(vrf, r.prefix(), r.prefixLength()));
        }
        fib4.deleteBatch(moved, BATCH_CHUNK);
        return true;
    }

    /** Removes a VRF's DIR-24 table (its routes with it), once the VRF is gone. */
    public void dropFib4Dir(int vrf) throws BpfException {
        Fib4Dir dir = dirs.remove(vrf);
        if (dir == null) return;
        unpublish(fib4Dir, fib4Dirs, vrf);
        dir.close();
    }

    /**
     * Publishes a VRF's inner map: in the VRF-keyed map of maps (readers) and, for a VRF id below
     * {@link MapLayouts#VRF_INDEXED}, in the array of maps the VRF's program reads.
     */
    private static void publish(BpfMap byVrf, BpfMap indexed, int vrf, int fd) throws BpfException {
        if (isIndexed(vrf)) indexed.update(u32(vrf), u32(fd));
        byVrf.update(u32(vrf), u32(fd));
    }

    /** Withdraws what {@link #publish} published (either may be missing). */
    private static void unpublish(BpfMap byVrf, BpfMap indexed, int vrf) throws BpfException {
        byVrf.delete(u32(vrf));
        if (isIndexed(vrf)) indexed.delete(u32(vrf));
    }

    private static boolean isIndexed(int vrf) {
        return Integer.compareUnsigned(vrf, MapLayouts.VRF_INDEXED) < 0;
    }

    /**
     * Makes xg_fib4_dirs and xg_fib6_guides hold exactly what xg_fib4_dir and xg_fib6_guide
     * hold for VRF ids below {@link MapLayouts#VRF_INDEXED}: after maps pinned by a manager that
     * did not write them, or an interrupted publish. The manager calls it at start, before any
     * program of this version is loaded. Returns the number of entries changed.
     */
    public int alignIndexedTables() throws BpfException {
        return align(fib4Dir, fib4Dirs) + align(fib6Guide, fib6Guides) + alignPortTables();
    }

    /** As {@link #align}, for the port tables: each holds exactly its VRF's ports of xg_ports. */
    private int alignPortTables() throws BpfException {
        Map<Integer, byte[][]> wanted = new java.util.HashMap<>(); // VRF id -> value by ifindex, null: none
        for (PortEntry p : ports()) {
            if (!isIndexedPort(p.vrf(), p.ifindex())) continue;
            wanted.computeIfAbsent(p.vrf(), k -> new byte[MapLayouts.PORT_INDEXED][])[p.ifindex()] = p.port().encode();
        }
        int changed = withdrawUnwanted(portTables, wanted.keySet());
        int size = MapLayouts.PORT.size();
        byte[] none = new byte[size];
        for (var e : wanted.entrySet()) {
            int fd = portTableFd(e.getKey(), true);
            try {
                byte[] current = io.xdpgate.ebpf.libbpf.Bpf.mapLookupBatch(fd, MapLayouts.PORT_TABLE.name(), 4, size,
                        MapLayouts.PORT_INDEXED).values(); // an array: every entry, in index order
                for (int ifindex = 0; ifindex < MapLayouts.PORT_INDEXED; ifindex++) {
                    byte[] value = e.getValue()[ifindex] == null ? none : e.getValue()[ifindex];
                    if (java.util.Arrays.equals(current, ifindex * size, (ifindex + 1) * size, value, 0, size)) continue;
                    io.xdpgate.ebpf.libbpf.Bpf.mapUpdate(fd, MapLayouts.PORT_TABLE.name(), u32(ifindex), value,
                            io.xdpgate.ebpf.libbpf.Bpf.BPF_ANY);
                    changed++;
                }
            } finally {
                io.xdpgate.ebpf.libbpf.Bpf.close(fd);
            }
        }
        return changed;
    }

    private static int align(BpfMap byVrf, BpfMap indexed) throws BpfException {
        Map<Integer, Integer> wanted = new java.util.HashMap<>(); // VRF id -> inner map id
        for (byte[] k : byVrf.keys()) {
            byte[] v = byVrf.lookup(k);
            if (v != null && isIndexed(hostInt(k))) wanted.put(hostInt(k), hostInt(v));
        }
        Map<Integer, Integer> present = innerMaps(indexed);
        int changed = withdrawUnwanted(indexed, wanted.keySet());
        for (var e : wanted.entrySet()) {
            if (e.getValue().equals(present.get(e.getKey()))) continue;
            int fd = io.xdpgate.ebpf.libbpf.Bpf.mapFdById(e.getValue(), byVrf.name() + " of vrf " + e.getKey());
            try {
                indexed.update(u32(e.getKey()), u32(fd));
                changed++;
            } finally {
                io.xdpgate.ebpf.libbpf.Bpf.close(fd);
            }
        }
        return changed;
    }

    /** The filled slots of an array of maps by VRF id: VRF id -> inner map id, read in a few batches. */
    private static Map<Integer, Integer> innerMaps(BpfMap indexed) throws BpfException {
        Map<Integer, Integer> out = new java.util.HashMap<>();
        indexed.forEachEntry(BATCH_CHUNK, (k, v) -> out.put(hostInt(k), hostInt(v)));
        return out;
    }

    /** Empties the slots of an array of maps by VRF id that are not wanted; returns how many. */
    private static int withdrawUnwanted(BpfMap indexed, java.util.Set<Integer> wanted) throws BpfException {
        int changed = 0;
        for (int vrf : innerMaps(indexed).keySet()) {
            if (!wanted.contains(vrf) && indexed.delete(u32(vrf))) changed++;
        }
        return changed;
    }

    /** Brings the tables known here in line with xg_fib4_dir, which another process may have changed. */
    private void refreshFib4Dirs() throws BpfException {
        refresh(fib4Dir, dirs, Fib4Dir::id, (fd, vrf) -> Fib4Dir.open(fd, "the DIR-24 table of vrf " + vrf),
                Fib4Dir::close);
    }

    /** As {@link #refreshFib4Dirs}, for xg_fib6_guide; a VRF's routes stay as the writer named them. */
    private void refreshFib6Classes() throws BpfException {
        writeGathered();
        refresh(fib6Guide, classes, c -> c.guide.id(), (fd, vrf) -> new Fib6Classes(fib6Cls, vrf,
                Fib6Guide.open(fd, "the IPv6 class guide of vrf " + vrf), null), Fib6Classes::close);
    }

    private interface TableOpener<T> {
        T open(int fd, int vrf) throws BpfException;
    }

    /** Opens the inner maps of a VRF-keyed map of maps that {@code known} lacks or holds another of; drops the rest. */
    private static <T> void refresh(BpfMap outer, Map<Integer, T> known, java.util.function.ToIntFunction<T> id,
                                    TableOpener<T> opener, java.util.function.Consumer<T> closer) throws BpfException {
        java.util.Set<Integer> present = new java.util.HashSet<>();
        for (byte[] k : outer.keys()) {
            int vrf = hostInt(k);
            if (refreshOne(outer, known, vrf, id, opener, closer)) present.add(vrf);
        }
        known.entrySet().removeIf(e -> {
            if (present.contains(e.getKey())) return false;
            closer.accept(e.getValue());
            return true;
        });
    }

    /**
     * Brings what {@code known} holds for one VRF in line with the map of maps (one lookup: what a
     * reader asking about one VRF needs). Returns whether the VRF has an inner map.
     */
    private static <T> boolean refreshOne(BpfMap outer, Map<Integer, T> known, int vrf,
                                          java.util.function.ToIntFunction<T> id, TableOpener<T> opener,
                                          java.util.function.Consumer<T> closer) throws BpfException {
        byte[] v = outer.lookup(u32(vrf)); // from user space: the inner map's id
        T had = known.get(vrf);
        if (v == null) {
            if (had != null) {
                known.remove(vrf);
                closer.accept(had);
            }
            return false;
        }
        int mapId = hostInt(v);
        if (had != null && id.applyAsInt(had) == mapId) return true;
        int fd = io.xdpgate.ebpf.libbpf.Bpf.mapFdById(mapId, outer.name() + " of vrf " + Integer.toUnsignedString(vrf));
        try {
            T opened = opener.open(fd, vrf);
            if (had != null) closer.accept(had);
            known.put(vrf, opened);
        } finally {
            io.xdpgate.ebpf.libbpf.Bpf.close(fd);
        }
        return true;
    }

    /** As {@link #refreshFib4Dirs}, for one VRF only. */
    private void refreshFib4Dir(int vrf) throws BpfException {
        refreshOne(fib4Dir, dirs, vrf, Fib4Dir::id, (fd, v) -> Fib4Dir.open(fd, "the DIR-24 table of vrf " + v),
                Fib4Dir::close);
    }

    /** As {@link #refreshFib6Classes}, for one VRF only. */
    private void refreshFib6Class(int vrf) throws BpfException {
        writeGathered();
        refreshOne(fib6Guide, classes, vrf, c -> c.guide.id(), (fd, v) -> new Fib6Classes(fib6Cls, v,
                Fib6Guide.open(fd, "the IPv6 class guide of vrf " + v), null), Fib6Classes::close);
    }

    private static int mask4(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    /**
     * Writes many IPv4 routes (create or replace) with BPF_MAP_UPDATE_BATCH, in
     * chunks of {@value #BATCH_CHUNK}: one system call per chunk instead of one per
     * route. Every key is built, and checked, before anything is written. Returns
     * the number of routes written: all of them. On failure a {@link BpfBatchException}
     * names the first route not written; the routes before it (its
     * {@link BpfBatchException#completed()}) are in the map, those after it are not.
     * Writing the same list again is harmless (replace semantics).
     */
    public int putRoutes4(List<Route4Entry> routes) throws BpfException {
        List<byte[]> keys = new ArrayList<>(routes.size());
        List<byte[]> values = new ArrayList<>(routes.size());
        List<Route4Entry> toTrie = routes;
        if (!dirs.isEmpty()) { // the routes of VRFs with a DIR-24 table go there, the others to the trie
            toTrie = new ArrayList<>(routes.size());
            for (Route4Entry r : routes) {
                fib4Key(r.vrf(), r.prefix(), r.prefixLength()); // checks the length
                if (dirs.containsKey(r.vrf()) && r.prefixLength() <= 24) putRoute4(r.vrf(), r.prefix(), r.prefixLength(), r.route());
                else toTrie.add(r);
            }
        }
        for (Route4Entry r : toTrie) {
            keys.add(fib4Key(r.vrf(), r.prefix(), r.prefixLength()));
            values.add(r.route().encode());
        }
        try {
            int written = fib4.updateBatch(keys, values, BATCH_CHUNK);
            for (Route4Entry r : toTrie) {
                Fib4Dir dir = dirs.get(r.vrf());
                if (dir != null) dir.markLonger(toInt(r.prefix()));
            }
            return written + routes.size() - toTrie.size();
        } catch (BpfBatchException e) {
            Route4Entry r = toTrie.get(e.completed());
            throw e.withContext("install route " + r.prefix().getHostAddress() + "/" + r.prefixLength() + " vrf "
                    + Integer.toUnsignedString(r.vrf()) + " (" + e.completed() + " of " + routes.size()
                    + " routes written before it)");
        }
    }

    /** prefixlen covers the 32 VRF bits too; host bits are cleared so that a prefix has one key. */
    static byte[] fib4Key(int vrf, Inet4Address prefix, int prefixLength) {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("IPv4 prefix length out of range: " + prefixLength);
        }
        int mask = prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
        return StructBytes.allocate(MapLayouts.FIB4_KEY).host32("prefixlen", 32 + prefixLength).be32("vrf", vrf)
                .be32("addr", toInt(prefix) & mask).array();
    }

    // IPv6 routes: xg_fib6, and the route classes of the VRFs that have them (see Fib6Classes)

    /**
     * From now on until {@link #writeGatheredRoutes}, {@link #putRoute6} may hold the route class entries
     * it writes and write them in batches: one system call for up to {@value #GATHERED_MAX} entries
     * instead of one per route (which cost the fast path manager's applying thread an eighth of its CPU
     * during a cold start). Every other use of xg_fib6_cls writes them first, so nothing reads or deletes
     * around them, and so does the clearing of a nexthop slot or group (a held entry may be the one that
     * stops pointing at it); the fast path sees them at the latest when they are written.
     */
    public void gatherRouteWrites() {
        gathering = true;
    }

    /**
     * Writes the route class entries {@link #putRoute6} held, all of one VRF, and stops gathering.
     *
     * @throws BpfException when they did not all fit; they were all of VRF {@link #gatheredVrf}
     */
    public void writeGatheredRoutes() throws BpfException {
        gathering = false;
        writeGathered();
    }

    /** The VRF of the route class entries held last (see {@link #writeGatheredRoutes}). */
    public int gatheredVrf() {
        return gatheredVrf;
    }

    /** Route class entries held at most, then written in one batch. */
    private static final int GATHERED_MAX = 256;

    private void writeGathered() throws BpfException {
        if (gatheredKeys.isEmpty()) return;
        try {
            fib6Cls.updateBatch(gatheredKeys, gatheredValues, gatheredKeys.size());
        } finally {
            gatheredKeys.clear();
            gatheredValues.clear();
        }
    }

    /** Writes a route (create or replace). */
    public void putRoute6(int vrf, Inet6Address prefix, int prefixLength, Route route) throws BpfException {
        Fib6Classes c = classes.get(vrf);
        if (c != null && prefixLength >= MapLayouts.FIB6_CLS_SHORTEST && prefixLength <= 128) {
            byte[] a = prefix.getAddress();
            long hi = Fib6Classes.maskHigh((long) BE_LONG.get(a, 0), prefixLength);
            long lo = Fib6Classes.maskLow((long) BE_LONG.get(a, 8), prefixLength);
            if (!gathering) {
                c.put(hi, lo, prefixLength, route);
                return;
            }
            if (gatheredVrf != vrf) writeGathered(); // one VRF's at a time: a failure is that VRF's
            gatheredVrf = vrf;
            c.collect(hi, lo, prefixLength, route, gatheredKeys, gatheredValues);
            if (gatheredKeys.size() >= GATHERED_MAX) writeGathered();
            return;
        }
        fib6.update(fib6Key(vrf, prefix, prefixLength), route.encode());
    }

    /** False if the route was absent. */
    public boolean deleteRoute6(int vrf, Inet6Address prefix, int prefixLength) throws BpfException {
        writeGathered();
        byte[] key = fib6Key(vrf, prefix, prefixLength);
        Fib6Classes c = classes.get(vrf);
        if (c != null && prefixLength >= MapLayouts.FIB6_CLS_SHORTEST) {
            return c.delete(high(key), low(key), prefixLength);
        }
        return fib6.delete(key);
    }

    /** The route stored for exactly this prefix, or null; as {@link #lookupRoute4}. */
    public Route lookupRoute6(int vrf, Inet6Address prefix, int prefixLength) throws BpfException {
        writeGathered();
        byte[] key = fib6Key(vrf, prefix, prefixLength);
        refreshFib6Class(vrf);
        Fib6Classes c = classes.get(vrf);
        if (c != null && prefixLength >= MapLayouts.FIB6_CLS_SHORTEST) {
            return c.route(high(key), low(key), prefixLength);
        }
        return exactRoute(fib6, key);
    }

    /**
     * Every IPv6 route: those of xg_fib6 (two system calls per route) and those of the route
     * classes (read in batches), less the routes whose every prefix of their class longer routes take.
     */
    public List<Route6Entry> routes6() throws BpfException {
        List<Route6Entry> out = new ArrayList<>();
        forEachRoute6((vrf, hi, lo, length, route) -> out.add(new Route6Entry(vrf, toAddress6(
                ByteBuffer.allocate(16).putLong(hi).putLong(lo).array()), length, route)));
        return out;
    }

    /** An IPv6 route as {@link #forEachRoute6} visits it: its prefix's high and low 64 bits. */
    @FunctionalInterface
    public interface Route6Visitor {
        void visit(int vrf, long hi, long lo, int length, Route route);
    }

    /** As {@link #forEachRoute4}, for the routes {@link #routes6} lists. */
    public void forEachRoute6(Route6Visitor visitor) throws BpfException {
        for (byte[] k : fib6.keys()) {
            byte[] v = fib6.lookup(k); // a stored key's longest match is itself
            if (v == null) continue;
            StructBytes key = StructBytes.wrap(MapLayouts.FIB6_KEY, k);
            ByteBuffer addr = ByteBuffer.wrap(key.bytes("addr"));
            visitor.visit(key.be32("vrf"), addr.getLong(), addr.getLong(), key.host32("prefixlen") - 32, Route.decode(v));
        }
        classRoutes(visitor);
    }

    /** The number of IPv6 routes {@link #routes6} lists. */
    public int route6Count() throws BpfException {
        int[] n = {fib6.count()};
        classRoutes((vrf, hi, lo, length, route) -> n[0]++);
        return n[0];
    }

    /** Each route of the route classes once (a route expanded into several prefixes is in each). */
    private void classRoutes(Route6Visitor visitor) throws BpfException {
        writeGathered();
        java.util.Set<List<Long>> seen = new java.util.HashSet<>();
        int[] foreign = new int[3]; // entries of another class layout: count, and the first one's class and length
        fib6Cls.forEachEntry(BATCH_CHUNK, (k, v) -> {
            ByteBuffer key = ByteBuffer.wrap(k).order(java.nio.ByteOrder.nativeOrder());
            ByteBuffer value = ByteBuffer.wrap(v).order(java.nio.ByteOrder.nativeOrder());
            int vrf = key.getInt(0);
            int length = value.getInt(8);
            if (length < MapLayouts.FIB6_CLS_SHORTEST || length > 128) return; // not written by a writer of this layout
            if ((k[4] & 0xff) != Fib6Classes.classOf(length)) {
                if (foreign[0]++ == 0) {
                    foreign[1] = k[4] & 0xff;
                    foreign[2] = length;
                }
                return;
            }
            key.order(java.nio.ByteOrder.BIG_ENDIAN);
            long hi = Fib6Classes.maskHigh(key.getLong(8), length);
            long lo = Fib6Classes.maskLow(key.getLong(16), length);
            if (Fib6Classes.classLength(Fib6Classes.classOf(length)) != length
                    && !seen.add(List.of((long) vrf, hi, lo, (long) length))) {
                return; // a route expanded into several prefixes: listed at the first
            }
            visitor.visit(vrf, hi, lo, length, Route.decode(java.util.Arrays.copyOf(v, 8)));
        });
        if (foreign[0] > 0) {
            // Pinned by a manager whose IPv6 route classes had other lengths (classes of 8 lengths
            // until 2026-12): its entries would answer no lookup of this program, or the wrong one.
            throw new BpfException("xg_fib6_cls holds " + foreign[0] + " entries of another route class layout (class "
                    + foreign[1] + " holding a /" + foreign[2] + "): remove the pinned maps (xdpgate ctl detach) and start again", 0);
        }
    }

    /** As {@link #putRoutes4}, for IPv6 routes. */
    public int putRoutes6(List<Route6Entry> routes) throws BpfException {
        List<byte[]> keys = new ArrayList<>(routes.size());
        List<byte[]> values = new ArrayList<>(routes.size());
        List<Route6Entry> toTrie = routes;
        if (!classes.isEmpty()) { // the routes of VRFs with route classes go there, the others to the trie
            toTrie = new ArrayList<>(routes.size());
            for (Route6Entry r : routes) {
                if (classes.containsKey(r.vrf()) && r.prefixLength() >= MapLayouts.FIB6_CLS_SHORTEST) {
                    putRoute6(r.vrf(), r.prefix(), r.prefixLength(), r.route());
                } else {
                    toTrie.add(r);
                }
            }
        }
        for (Route6Entry r : toTrie) {
            keys.add(fib6Key(r.vrf(), r.prefix(), r.prefixLength()));
            values.add(r.route().encode());
        }
        try {
            return fib6.updateBatch(keys, values, BATCH_CHUNK) + routes.size() - toTrie.size();
        } catch (BpfBatchException e) {
            Route6Entry r = toTrie.get(e.completed());
            throw e.withContext("install route " + r.prefix().getHostAddress() + "/" + r.prefixLength() + " vrf "
                    + Integer.toUnsignedString(r.vrf()) + " (" + e.completed() + " of " + routes.size()
                    + " routes written before it)");
        }
    }

    /** A VRF's IPv6 routes as its writer knows them: the route of exactly {@code hi/lo/prefixLength}, or null. */
    @FunctionalInterface
    public interface Routes6 {
        Route get(long hi, long lo, int prefixLength);
    }

    /** Whether the VRF's IPv6 routes of /17 and longer are in route classes (as this writer knows). */
    public boolean hasFib6Classes(int vrf) {
        return classes.containsKey(vrf);
    }

    /** The number of VRFs with IPv6 route classes (as this writer knows). */
    public int fib6ClassesCount() {
        return classes.size();
    }

    /** The VRFs with IPv6 route classes (as this writer knows). */
    public java.util.Set<Integer> fib6ClassVrfs() {
        return java.util.Set.copyOf(classes.keySet());
    }

    /** Names the routes of a VRF whose route classes this writer adopted: they decide what each prefix holds. */
    public void useRoutes6(int vrf, Routes6 routes) {
        Fib6Classes c = classes.get(vrf);
        if (c == null) throw new IllegalStateException("vrf " + Integer.toUnsignedString(vrf) + " has no IPv6 route classes");
        c.routes = routes;
    }

    /**
     * Moves a VRF's IPv6 routes of /17 and longer from xg_fib6 into route classes: they are
     * written into xg_fib6_cls and a new guide, the guide is published in xg_fib6_guide (the
     * program uses it from its next packet on), and only then are those routes deleted from
     * xg_fib6. {@code routes} are every IPv6 route of the VRF, and {@code known} answers for
     * them, now and for every later write. Returns false, changing nothing, when xg_fib6_guide is full.
     */
    public boolean moveToFib6Classes(int vrf, List<Route6Entry> routes, Routes6 known) throws BpfException {
        writeGathered();
        if (classes.containsKey(vrf)) throw new IllegalStateException("vrf " + vrf + " has IPv6 route classes already");
        if (classes.size() >= MapLayouts.FIB6_GUIDE_VRFS) return false;
        int[] fd = new int[1];
        Fib6Guide guide = Fib6Guide.create(fd);
        Fib6Classes c = new Fib6Classes(fib6Cls, vrf, guide, known);
        try {
            List<byte[]> keys = new ArrayList<>();
            List<byte[]> values = new ArrayList<>();
            for (Route6Entry r : routes) {
                if (r.prefixLength() < MapLayouts.FIB6_CLS_SHORTEST) continue;
                byte[] key = fib6Key(vrf, r.prefix(), r.prefixLength());
                c.collect(high(key), low(key), r.prefixLength(), r.route(), keys, values);
            }
            fib6Cls.updateBatch(keys, values, BATCH_CHUNK);
            for (Local6Entry l : locals6()) {
                if (l.vrf() == vrf) guide.markLocal(block(l.address()));
            }
            publish(fib6Guide, fib6Guides, vrf, fd[0]);
        } catch (BpfException | RuntimeException e) {
            try {
                unpublish(fib6Guide, fib6Guides, vrf);
            } catch (BpfException | RuntimeException ignored) {
                // the error being thrown is the one to report
            }
            for (Route6Entry r : routes) { // what was written for this VRF, so that nothing is left behind
                if (r.prefixLength() < MapLayouts.FIB6_CLS_SHORTEST) continue;
                byte[] key = fib6Key(vrf, r.prefix(), r.prefixLength());
                try {
                    c.delete(high(key), low(key), r.prefixLength());
                } catch (BpfException | RuntimeException ignored) {
                    // best effort: the entries of an unpublished VRF are never looked up
                }
            }
            c.close();
            throw e;
        } finally {
            io.xdpgate.ebpf.libbpf.Bpf.close(fd[0]); // xg_fib6_guide and the mapping hold the guide
        }
        classes.put(vrf, c);
        List<byte[]> moved = new ArrayList<>();
        for (Route6Entry r : routes) {
            if (r.prefixLength() >= MapLayouts.FIB6_CLS_SHORTEST) moved.add(fib6Key(vrf, r.prefix(), r.prefixLength()));
        }
        fib6.deleteBatch(moved, BATCH_CHUNK);
        return true;
    }

    /** Removes a VRF's IPv6 route classes, once its routes are deleted and the VRF is gone. */
    public void dropFib6Classes(int vrf) throws BpfException {
        writeGathered();
        Fib6Classes c = classes.remove(vrf);
        if (c == null) return;
        unpublish(fib6Guide, fib6Guides, vrf);
        c.close();
    }

    /** The /24 block of an IPv6 address: its first three bytes. */
    private static int block(Inet6Address a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xff) << 16 | (b[1] & 0xff) << 8 | (b[2] & 0xff);
    }

    private static long high(byte[] fib6Key) {
        return (long) BE_LONG.get(fib6Key, 8);
    }

    private static long low(byte[] fib6Key) {
        return (long) BE_LONG.get(fib6Key, 16);
    }

    /** As {@link #fib4Key}: prefixlen = 32 + prefix length, host bits cleared. */
    static byte[] fib6Key(int vrf, Inet6Address prefix, int prefixLength) {
        if (prefixLength < 0 || prefixLength > 128) {
            throw new IllegalArgumentException("IPv6 prefix length out of range: " + prefixLength);
        }
        byte[] addr = prefix.getAddress();
        for (int bit = prefixLength; bit < 128; bit++) {
            addr[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return StructBytes.allocate(MapLayouts.FIB6_KEY).host32("prefixlen", 32 + prefixLength).be32("vrf", vrf)
                .bytes("addr", addr).array();
    }

    // Nexthops

    public void putNexthop(int id, Nexthop n) throws BpfException {
        nh.update(u32(id), n.encode());
    }

    /** An array entry cannot be deleted: it is zeroed, so flags lose XG_NH_VALID. */
    public void clearNexthop(int id) throws BpfException {
        // A held route class entry may be the one that stops pointing at this slot: it goes first, so that
        // no route of the map points at a slot that is cleared, or taken again by another nexthop.
        writeGathered();
        nh.update(u32(id), new byte[MapLayouts.NEXTHOP.size()]);
    }

    /** The nexthop slot (all zero if never set or cleared), or null if id is beyond the array. */
    public Nexthop nexthop(int id) throws BpfException {
        byte[] v = nh.lookup(u32(id));
        return v == null ? null : Nexthop.decode(v);
    }

    /** Every slot whose flags are not zero, by id (the array read in a few batches). */
    public Map<Integer, Nexthop> nexthopsInUse() throws BpfException {
        Map<Integer, Nexthop> out = new java.util.TreeMap<>();
        nh.forEachNonZero((id, v) -> { // an unused slot is all zeros: flags 0
            Nexthop n = Nexthop.decode(v);
            if (n.flags() != 0) out.put(id, n);
        });
        return out;
    }

    // Nexthop groups (ECMP)

    /** Writes group id (1 .. {@link MapLayouts#NHG_MAX} - 1; 0 is never used). */
    public void putNexthopGroup(int id, NexthopGroup g) throws BpfException {
        nhg.update(u32(id), g.encode());
    }

    /** An array entry cannot be deleted: it is zeroed, so it loses XG_NHG_VALID (its routes go to Linux). */
    public void clearNexthopGroup(int id) throws BpfException {
        writeGathered(); // as clearNexthop
        nhg.update(u32(id), new byte[MapLayouts.NEXTHOP_GROUP.size()]);
    }

    /** The group (all zero if never set or cleared), or null if id is beyond the array. */
    public NexthopGroup nexthopGroup(int id) throws BpfException {
        byte[] v = nhg.lookup(u32(id));
        return v == null ? null : NexthopGroup.decode(v);
    }

    /** Every group whose flags are not zero, by id (the array read in a few batches). */
    public Map<Integer, NexthopGroup> nexthopGroupsInUse() throws BpfException {
        Map<Integer, NexthopGroup> out = new java.util.TreeMap<>();
        nhg.forEachNonZero((id, v) -> {
            NexthopGroup g = NexthopGroup.decode(v);
            if (g.flags() != 0) out.put(id, g);
        });
        return out;
    }

    // IPv4 neighbours

    public void putNeighbour4(int vrf, int ifindex, Inet4Address addr, Neighbour n) throws BpfException {
        neigh4.update(neigh4Key(vrf, ifindex, addr), n.encode());
    }

    public boolean deleteNeighbour4(int vrf, int ifindex, Inet4Address addr) throws BpfException {
        return neigh4.delete(neigh4Key(vrf, ifindex, addr));
    }

    /** The neighbour, or null. */
    public Neighbour neighbour4(int vrf, int ifindex, Inet4Address addr) throws BpfException {
        byte[] v = neigh4.lookup(neigh4Key(vrf, ifindex, addr));
        return v == null ? null : Neighbour.decode(v);
    }

    /** Every IPv4 neighbour. */
    public List<Neighbour4Entry> neighbours4() throws BpfException {
        List<Neighbour4Entry> out = new ArrayList<>();
        for (byte[] k : neigh4.keys()) {
            byte[] v = neigh4.lookup(k);
            if (v == null) continue;
            StructBytes key = StructBytes.wrap(MapLayouts.NEIGH4_KEY, k);
            out.add(new Neighbour4Entry(key.host32("vrf"), key.host32("ifindex"), toAddress(key.be32("addr")),
                    Neighbour.decode(v)));
        }
        return out;
    }

    static byte[] neigh4Key(int vrf, int ifindex, Inet4Address addr) {
        return StructBytes.allocate(MapLayouts.NEIGH4_KEY).host32("vrf", vrf).host32("ifindex", ifindex)
                .be32("addr", toInt(addr)).array();
    }

    // Local addresses

    public void putLocal4(int vrf, Inet4Address addr, int ifindex) throws BpfException {
        local4.update(local4Key(vrf, addr), StructBytes.allocate(MapLayouts.LOCAL).host32("ifindex", ifindex).array());
        Fib4Dir dir = dirs.get(vrf);
        if (dir != null) dir.markLocal(toInt(addr)); // after the entry: the program never misses it
    }

    public boolean deleteLocal4(int vrf, Inet4Address addr) throws BpfException {
        return local4.delete(local4Key(vrf, addr));
    }

    /** The interface owning local address addr, or -1 when addr is not local. */
    public int local4(int vrf, Inet4Address addr) throws BpfException {
        byte[] v = local4.lookup(local4Key(vrf, addr));
        return v == null ? -1 : StructBytes.wrap(MapLayouts.LOCAL, v).host32("ifindex");
    }

    /** Every local IPv4 address. */
    public List<Local4Entry> locals4() throws BpfException {
        List<Local4Entry> out = new ArrayList<>();
        for (byte[] k : local4.keys()) {
            byte[] v = local4.lookup(k);
            if (v == null) continue;
            StructBytes key = StructBytes.wrap(MapLayouts.LOCAL4_KEY, k);
            out.add(new Local4Entry(key.host32("vrf"), toAddress(key.be32("addr")),
                    StructBytes.wrap(MapLayouts.LOCAL, v).host32("ifindex")));
        }
        return out;
    }

    private static byte[] local4Key(int vrf, Inet4Address addr) {
        return StructBytes.allocate(MapLayouts.LOCAL4_KEY).host32("vrf", vrf).be32("addr", toInt(addr)).array();
    }

    // IPv6 neighbours

    public void putNeighbour6(int vrf, int ifindex, Inet6Address addr, Neighbour n) throws BpfException {
        neigh6.update(neigh6Key(vrf, ifindex, addr), n.encode());
    }

    public boolean deleteNeighbour6(int vrf, int ifindex, Inet6Address addr) throws BpfException {
        return neigh6.delete(neigh6Key(vrf, ifindex, addr));
    }

    /** The neighbour, or null. */
    public Neighbour neighbour6(int vrf, int ifindex, Inet6Address addr) throws BpfException {
        byte[] v = neigh6.lookup(neigh6Key(vrf, ifindex, addr));
        return v == null ? null : Neighbour.decode(v);
    }

    /** Every IPv6 neighbour. */
    public List<Neighbour6Entry> neighbours6() throws BpfException {
        List<Neighbour6Entry> out = new ArrayList<>();
        for (byte[] k : neigh6.keys()) {
            byte[] v = neigh6.lookup(k);
            if (v == null) continue;
            StructBytes key = StructBytes.wrap(MapLayouts.NEIGH6_KEY, k);
            out.add(new Neighbour6Entry(key.host32("vrf"), key.host32("ifindex"), toAddress6(key.bytes("addr")),
                    Neighbour.decode(v)));
        }
        return out;
    }

    static byte[] neigh6Key(int vrf, int ifindex, Inet6Address addr) {
        return StructBytes.allocate(MapLayouts.NEIGH6_KEY).host32("vrf", vrf).host32("ifindex", ifindex)
                .bytes("addr", addr.getAddress()).array();
    }

    // Local IPv6 addresses

    public void putLocal6(int vrf, Inet6Address addr, int ifindex) throws BpfException {
        local6.update(local6Key(vrf, addr), StructBytes.allocate(MapLayouts.LOCAL).host32("ifindex", ifindex).array());
        Fib6Classes c = classes.get(vrf);
        if (c != null) c.guide.markLocal(block(addr));
    }

    public boolean deleteLocal6(int vrf, Inet6Address addr) throws BpfException {
        return local6.delete(local6Key(vrf, addr));
    }

    /** The interface owning local address addr, or -1 when addr is not local. */
    public int local6(int vrf, Inet6Address addr) throws BpfException {
        byte[] v = local6.lookup(local6Key(vrf, addr));
        return v == null ? -1 : StructBytes.wrap(MapLayouts.LOCAL, v).host32("ifindex");
    }

    /** Every local IPv6 address. */
    public List<Local6Entry> locals6() throws BpfException {
        List<Local6Entry> out = new ArrayList<>();
        for (byte[] k : local6.keys()) {
            byte[] v = local6.lookup(k);
            if (v == null) continue;
            StructBytes key = StructBytes.wrap(MapLayouts.LOCAL6_KEY, k);
            out.add(new Local6Entry(key.host32("vrf"), toAddress6(key.bytes("addr")),
                    StructBytes.wrap(MapLayouts.LOCAL, v).host32("ifindex")));
        }
        return out;
    }

    static byte[] local6Key(int vrf, Inet6Address addr) {
        return StructBytes.allocate(MapLayouts.LOCAL6_KEY).host32("vrf", vrf).bytes("addr", addr.getAddress()).array();
    }

    // Gateways of nexthop slots, and the fast path's record of the neighbours it uses (for hitflags)

    /**
     * Writes into xg_nh_gw the kernel neighbour of slot id: its gateway on (vrf, ifindex), or nothing
     * (all zero) for a connected slot (gateway null). Written before the slot itself, so that a use of
     * the slot is never attributed to a previous owner's gateway.
     */
    public void putNexthopGateway(int id, int vrf, int ifindex, InetAddress gateway) throws BpfException {
        nhGw.update(u32(id), gateway == null ? new byte[MapLayouts.NEIGH_REF.size()] : NeighbourUse.key(vrf, ifindex, gateway));
    }

    /** The gateway written for slot id, or null when none is. */
    public InetAddress nexthopGateway(int id) throws BpfException {
        byte[] v = nhGw.lookup(u32(id));
        if (v == null) return null;
        StructBytes b = StructBytes.wrap(MapLayouts.NEIGH_REF, v);
        return NeighbourUse.address(b.u8("family"), b.bytes("addr"));
    }

    /** When the fast path last sent to connected neighbour (vrf, ifindex, address), in CLOCK_MONOTONIC_COARSE ns; -1 if never. */
    public long neighbourUsed(int vrf, int ifindex, InetAddress address) throws BpfException {
        byte[] v = neighUsed.lookup(NeighbourUse.key(vrf, ifindex, address));
        return v == null ? -1 : NeighbourUse.time(v);
    }

    /** When the fast path last sent through gateway slot id, in CLOCK_MONOTONIC_COARSE ns; 0 if never. */
    public long nexthopUsed(int id) throws BpfException {
        byte[] v = nhUsed.lookup(u32(id));
        return v == null ? 0 : NeighbourUse.time(v);
    }

    /** Every recorded use, connected neighbours and gateways (see {@link NeighbourUseMap#entries()}). */
    public List<NeighbourUse> neighbourUses() throws BpfException {
        List<NeighbourUse> out = NeighbourUseMap.entries(neighUsed);
        out.addAll(NeighbourUseMap.gatewayUses(nhUsed, nhGw));
        return out;
    }

    // Statistics

    /** Every counter, summed over CPUs. */
    public Map<Stat, Counter> stats() throws BpfException {
        Map<Stat, Counter> out = new EnumMap<>(Stat.class);
        for (Stat s : Stat.values()) {
            Counter sum = Counter.ZERO;
            byte[][] perCpu = stats.lookupPerCpu(u32(s.index()));
            if (perCpu != null) {
                for (byte[] v : perCpu) {
                    sum = sum.plus(Counter.decode(v));
                }
            }
            out.put(s, sum);
        }
        return out;
    }

    /**
     * The counters of the port whose stats slot is {@code slot} (1 .. {@link MapLayouts#PORT_STATS_SLOTS} - 1),
     * summed over CPUs.
     */
    public Map<Stat, Counter> portStats(int slot) throws BpfException {
        checkStatsSlot(slot);
        byte[][] perCpu = portStats.lookupPerCpu(u32(slot));
        Map<Stat, Counter> out = new EnumMap<>(Stat.class);
        for (Stat s : Stat.values()) {
            Counter sum = Counter.ZERO;
            if (perCpu != null) {
                for (byte[] v : perCpu) {
                    sum = sum.plus(Counter.decode(v, s.index() * MapLayouts.COUNTER.size()));
                }
            }
            out.put(s, sum);
        }
        return out;
    }

    /** Zeroes every counter of stats slot {@code slot}, on every CPU: done before the slot is given to a port. */
    public void clearPortStats(int slot) throws BpfException {
        checkStatsSlot(slot);
        portStats.zeroPerCpu(u32(slot));
    }

    private static void checkStatsSlot(int slot) {
        if (slot <= 0 || slot >= MapLayouts.PORT_STATS_SLOTS) {
            throw new IllegalArgumentException("port stats slot out of range 1.." + (MapLayouts.PORT_STATS_SLOTS - 1)
                    + ": " + slot);
        }
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder()).putInt(v).array();
    }

    private static Inet4Address toAddress(int a) {
        try {
            return (Inet4Address) java.net.InetAddress.getByAddress(ByteBuffer.allocate(4).putInt(a).array());
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always an address
        }
    }

    /**
     * Sixteen bytes as an Inet6Address without a scope, IPv4-mapped ones included
     * (InetAddress.getByAddress would turn ::ffff:a.b.c.d into an Inet4Address).
     */
    private static Inet6Address toAddress6(byte[] a) {
        try {
            return Inet6Address.getByAddress(null, a, -1);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e); // sixteen bytes are always an address
        }
    }

    private static int toInt(Inet4Address a) {
        return (int) BE_INT.get(a.getAddress(), 0);
    }

    @Override
    public void close() {
        for (BpfMap m : all) {
            m.close();
        }
        dirs.values().forEach(Fib4Dir::close);
        dirs.clear();
        classes.values().forEach(Fib6Classes::close);
        classes.clear();
    }
}
