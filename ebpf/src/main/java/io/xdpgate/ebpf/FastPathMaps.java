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
    private final BpfMap nhGw;
    private final BpfMap neighUsed;
    private final BpfMap nhUsed;

    private FastPathMaps(List<BpfMap> maps) {
        ports = maps.get(0);
        fib4 = maps.get(1);
        nh = maps.get(2);
        neigh4 = maps.get(3);
        local4 = maps.get(4);
        stats = maps.get(5);
        fib6 = maps.get(6);
        neigh6 = maps.get(7);
        local6 = maps.get(8);
        nhg = maps.get(9);
        nhGw = maps.get(10);
        neighUsed = maps.get(11);
        nhUsed = maps.get(12);
    }

    public static FastPathMaps open(Path pinRoot) throws BpfException {
        List<BpfMap> opened = new ArrayList<>();
        try {
            List<String> diffs = new ArrayList<>();
            for (MapLayouts.MapDef d : MapLayouts.MAPS) { // same order as the fields above
                BpfMap m = BpfMap.openPinned(pinRoot.resolve(d.name()));
                opened.add(m);
                diffs.addAll(MapCompatibility.differences(MapCompatibility.expected(d), m.info()));
            }
            if (!diffs.isEmpty()) {
                throw MapCompatibility.refused(pinRoot.toString(), diffs);
            }
            return new FastPathMaps(opened);
        } catch (BpfException | RuntimeException e) {
            opened.forEach(BpfMap::close);
            throw e;
        }
    }

    // Ports

    public void putPort(int vrf, int ifindex, Port port) throws BpfException {
        ports.update(ifKey(vrf, ifindex), port.encode());
    }

    public void deletePort(int vrf, int ifindex) throws BpfException {
        ports.delete(ifKey(vrf, ifindex));
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

    // IPv4 routes

    public void putRoute4(int vrf, Inet4Address prefix, int prefixLength, Route route) throws BpfException {
        fib4.update(fib4Key(vrf, prefix, prefixLength), route.encode());
    }

    /** False if the route was absent. */
    public boolean deleteRoute4(int vrf, Inet4Address prefix, int prefixLength) throws BpfException {
        return fib4.delete(fib4Key(vrf, prefix, prefixLength));
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
        return exactRoute(fib4, fib4Key(vrf, prefix, prefixLength));
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

    /** Every IPv4 route (walks the trie: two system calls per route). */
    public List<Route4Entry> routes4() throws BpfException {
        List<Route4Entry> out = new ArrayList<>();
        for (byte[] k : fib4.keys()) {
            byte[] v = fib4.lookup(k); // a stored key's longest match is itself
            if (v == null) continue;
            StructBytes key = StructBytes.wrap(MapLayouts.FIB4_KEY, k);
            out.add(new Route4Entry(key.be32("vrf"), toAddress(key.be32("addr")), key.host32("prefixlen") - 32,
                    Route.decode(v)));
        }
        return out;
    }

    /** The number of keys in xg_fib4 (walks the trie: O(routes) system calls). */
    public int route4Count() throws BpfException {
        return fib4.count();
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
        for (Route4Entry r : routes) {
            keys.add(fib4Key(r.vrf(), r.prefix(), r.prefixLength()));
            values.add(r.route().encode());
        }
        try {
            return fib4.updateBatch(keys, values, BATCH_CHUNK);
        } catch (BpfBatchException e) {
            Route4Entry r = routes.get(e.completed());
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

    // IPv6 routes

    public void putRoute6(int vrf, Inet6Address prefix, int prefixLength, Route route) throws BpfException {
        fib6.update(fib6Key(vrf, prefix, prefixLength), route.encode());
    }

    /** False if the route was absent. */
    public boolean deleteRoute6(int vrf, Inet6Address prefix, int prefixLength) throws BpfException {
        return fib6.delete(fib6Key(vrf, prefix, prefixLength));
    }

    /** The route stored for exactly this prefix, or null; as {@link #lookupRoute4}. */
    public Route lookupRoute6(int vrf, Inet6Address prefix, int prefixLength) throws BpfException {
        return exactRoute(fib6, fib6Key(vrf, prefix, prefixLength));
    }

    /** Every IPv6 route (walks the trie: two system calls per route). */
    public List<Route6Entry> routes6() throws BpfException {
        List<Route6Entry> out = new ArrayList<>();
        for (byte[] k : fib6.keys()) {
            byte[] v = fib6.lookup(k); // a stored key's longest match is itself
            if (v == null) continue;
            StructBytes key = StructBytes.wrap(MapLayouts.FIB6_KEY, k);
            out.add(new Route6Entry(key.be32("vrf"), toAddress6(key.bytes("addr")), key.host32("prefixlen") - 32,
                    Route.decode(v)));
        }
        return out;
    }

    /** The number of keys in xg_fib6 (walks the trie: O(routes) system calls). */
    public int route6Count() throws BpfException {
        return fib6.count();
    }

    /** As {@link #putRoutes4}, for IPv6 routes. */
    public int putRoutes6(List<Route6Entry> routes) throws BpfException {
        List<byte[]> keys = new ArrayList<>(routes.size());
        List<byte[]> values = new ArrayList<>(routes.size());
        for (Route6Entry r : routes) {
            keys.add(fib6Key(r.vrf(), r.prefix(), r.prefixLength()));
            values.add(r.route().encode());
        }
        try {
            return fib6.updateBatch(keys, values, BATCH_CHUNK);
        } catch (BpfBatchException e) {
            Route6Entry r = routes.get(e.completed());
            throw e.withContext("install route " + r.prefix().getHostAddress() + "/" + r.prefixLength() + " vrf "
                    + Integer.toUnsignedString(r.vrf()) + " (" + e.completed() + " of " + routes.size()
                    + " routes written before it)");
        }
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
        nh.update(u32(id), new byte[MapLayouts.NEXTHOP.size()]);
    }

    /** The nexthop slot (all zero if never set or cleared), or null if id is beyond the array. */
    public Nexthop nexthop(int id) throws BpfException {
        byte[] v = nh.lookup(u32(id));
        return v == null ? null : Nexthop.decode(v);
    }

    /** Every slot whose flags are not zero, by id (one system call per slot of the array). */
    public Map<Integer, Nexthop> nexthopsInUse() throws BpfException {
        Map<Integer, Nexthop> out = new java.util.TreeMap<>();
        for (int id = 0; id < nh.maxEntries(); id++) {
            byte[] v = nh.lookup(u32(id));
            if (v == null) break;
            Nexthop n = Nexthop.decode(v);
            if (n.flags() != 0) out.put(id, n);
        }
        return out;
    }

    // Nexthop groups (ECMP)

    /** Writes group id (1 .. {@link MapLayouts#NHG_MAX} - 1; 0 is never used). */
    public void putNexthopGroup(int id, NexthopGroup g) throws BpfException {
        nhg.update(u32(id), g.encode());
    }

    /** An array entry cannot be deleted: it is zeroed, so it loses XG_NHG_VALID (its routes go to Linux). */
    public void clearNexthopGroup(int id) throws BpfException {
        nhg.update(u32(id), new byte[MapLayouts.NEXTHOP_GROUP.size()]);
    }

    /** The group (all zero if never set or cleared), or null if id is beyond the array. */
    public NexthopGroup nexthopGroup(int id) throws BpfException {
        byte[] v = nhg.lookup(u32(id));
        return v == null ? null : NexthopGroup.decode(v);
    }

    /** Every group whose flags are not zero, by id (one system call per entry of the array). */
    public Map<Integer, NexthopGroup> nexthopGroupsInUse() throws BpfException {
        Map<Integer, NexthopGroup> out = new java.util.TreeMap<>();
        for (int id = 0; id < nhg.maxEntries(); id++) {
            byte[] v = nhg.lookup(u32(id));
            if (v == null) break;
            NexthopGroup g = NexthopGroup.decode(v);
            if (g.flags() != 0) out.put(id, g);
        }
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
        return ByteBuffer.wrap(a.getAddress()).getInt();
    }

    @Override
    public void close() {
        for (BpfMap m : List.of(ports, fib4, nh, neigh4, local4, stats, fib6, neigh6, local6, nhg, nhGw, neighUsed, nhUsed)) {
            m.close();
        }
    }
}
