package io.xdpgate.ebpf;

import java.util.List;
import java.util.Objects;

/**
 * The Java mirror of xdpgate.h: every struct (name, size, fields with offset and
 * size) and every map (name, type, key and value size, capacity, flags).
 * Must be in sync with the header, and is: LayoutAgreementTest compares it with
 * the BTF of the compiled object and fails on any difference.
 * Encoding conventions (as in the header): vrf, ifindex, flags and counters in
 * host byte order; IPv4 addresses, and the vrf inside xg_fib4_key and xg_fib6_key, big endian;
 * IPv6 addresses as their 16 bytes in wire order.
 */
public final class MapLayouts {
    private MapLayouts() {
    }

    public record Field(String name, int offset, int size) {
    }

    public record Struct(String name, int size, List<Field> fields) {
        public Struct {
            fields = List.copyOf(fields);
        }

        public Field field(String fieldName) {
            for (Field f : fields) {
                if (f.name().equals(fieldName)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("struct " + name + " has no field " + fieldName);
        }
    }

    /** A map definition of xdp_fwd.bpf.c; type is a BPF_MAP_TYPE_* value. */
    public record MapDef(String name, int type, int keySize, int valueSize, int maxEntries, int flags) {
        public MapDef {
            Objects.requireNonNull(name);
        }
    }

    // enum bpf_map_type values (linux/bpf.h).
    public static final int BPF_MAP_TYPE_HASH = 1;
    public static final int BPF_MAP_TYPE_ARRAY = 2;
    public static final int BPF_MAP_TYPE_PERCPU_ARRAY = 6;
    public static final int BPF_MAP_TYPE_LPM_TRIE = 11;
    public static final int BPF_MAP_TYPE_LRU_HASH = 9;
    public static final int BPF_MAP_TYPE_ARRAY_OF_MAPS = 12;
    public static final int BPF_MAP_TYPE_HASH_OF_MAPS = 13;
    public static final int BPF_F_NO_PREALLOC = 1;
    public static final int BPF_F_MMAPABLE = 1 << 10;

    public static final Struct IF_KEY = struct("xg_if_key", 8,
            f("vrf", 0, 4), f("ifindex", 4, 4));
    public static final Struct PORT = struct("xg_port", 16,
            f("mac", 0, 6), f("flags", 6, 2), f("mtu", 8, 4), f("stats_slot", 12, 4));
    public static final Struct FIB4_KEY = struct("xg_fib4_key", 12,
            f("prefixlen", 0, 4), f("vrf", 4, 4), f("addr", 8, 4));
    public static final Struct ROUTE = struct("xg_route", 8,
            f("type", 0, 4), f("nh_id", 4, 4));
    public static final Struct NEXTHOP = struct("xg_nexthop", 28,
            f("ifindex", 0, 4), f("flags", 4, 4), f("mtu", 8, 4), f("dmac", 12, 6), f("smac", 18, 6),
            f("hit", 24, 1), f("pad", 25, 3));
    public static final Struct NEIGH4_KEY = struct("xg_neigh4_key", 12,
            f("vrf", 0, 4), f("ifindex", 4, 4), f("addr", 8, 4));
    public static final Struct NEIGH = struct("xg_neigh", 8,
            f("mac", 0, 6), f("state", 6, 1), f("hit", 7, 1));
    public static final Struct LOCAL4_KEY = struct("xg_local4_key", 8,
            f("vrf", 0, 4), f("addr", 4, 4));
    public static final Struct LOCAL = struct("xg_local", 4,
            f("ifindex", 0, 4));
    public static final Struct COUNTER = struct("xg_counter", 16,
            f("packets", 0, 8), f("bytes", 8, 8));
    /** A port's counters: an {@link #COUNTER} for each {@link Stat}, at the stat's index. */
    public static final Struct PORT_COUNTERS = struct("xg_port_counters", 16 * Stat.SLOTS,
            f("c", 0, 16 * Stat.SLOTS));
    public static final Struct PROG_CFG = struct("xg_prog_cfg", 8,
            f("vrf", 0, 4), f("flags", 4, 4));
    public static final Struct FIB6_KEY = struct("xg_fib6_key", 24,
            f("prefixlen", 0, 4), f("vrf", 4, 4), f("addr", 8, 16));
    public static final Struct NEIGH6_KEY = struct("xg_neigh6_key", 24,
            f("vrf", 0, 4), f("ifindex", 4, 4), f("addr", 8, 16));
    public static final Struct LOCAL6_KEY = struct("xg_local6_key", 20,
            f("vrf", 0, 4), f("addr", 4, 16));
    /** XG_NHG_BUCKETS: the buckets of a nexthop group. */
    public static final int NHG_BUCKETS = 128;
    public static final Struct NEXTHOP_GROUP = struct("xg_nhg", 8 + 4 * NHG_BUCKETS,
            f("flags", 0, 4), f("seed", 4, 4), f("buckets", 8, 4 * NHG_BUCKETS));

    /** An element of a DIR-24 table: the entries of two consecutive /24s (see {@link Fib4Dir}). */
    public static final Struct FIB4_DIR_PAIR = struct("xg_fib4_dir_pair", 8,
            f("entry", 0, 8));

    /** An element of an IPv6 class guide: the class bits of four consecutive /24 blocks. */
    public static final Struct FIB6_GUIDE_QUAD = struct("xg_fib6_guide_quad", 8,
            f("cls", 0, 8));
    public static final Struct FIB6_CLS_KEY = struct("xg_fib6_cls_key", 24,
            f("vrf", 0, 4), f("cls", 4, 1), f("pad", 5, 3), f("addr", 8, 16));
    public static final Struct FIB6_CLS_VALUE = struct("xg_fib6_cls_value", 12,
            f("route", 0, 8), f("prefixlen", 8, 4));

    /** The special exception trailer: big endian, at the very end of the frame (docs/exception-trailer.md). */
    public static final Struct TRAILER = struct("xg_trailer", 16,
            f("magic", 0, 4), f("version", 4, 1), f("type", 5, 1), f("reason", 6, 2), f("ifindex", 8, 4),
            f("mark", 12, 4));
    public static final Struct EXC_CFG = struct("xg_exc_cfg", 8,
            f("ifindex", 0, 4), f("flags", 4, 4));
    public static final Struct CAPTURE = struct("xg_capture", 4,
            f("flags", 0, 4));
    public static final Struct VXLAN_KEY = struct("xg_vxlan_key", 8,
            f("vrf", 0, 4), f("vni", 4, 4));
    /** local and port big endian, the rest host order. */
    public static final Struct VXLAN = struct("xg_vxlan", 24,
            f("ifindex", 0, 4), f("vrf", 4, 4), f("local", 8, 4), f("port", 12, 2), f("flags", 14, 2),
            f("mac", 16, 6), f("pad", 22, 2));
    /** The outer header of a VXLAN device's remote endpoint: hdr as on the wire, csum and the rest host order. */
    public static final Struct VXLAN_TX = struct("xg_vxlan_tx", 72,
            f("flags", 0, 4), f("egress", 4, 4), f("mtu", 8, 4), f("csum", 12, 4), f("port_min", 16, 2),
            f("port_max", 18, 2), f("hdr", 20, 50), f("pad", 70, 2));

    /** A kernel neighbour: the key of xg_neigh_used, the value of xg_nh_gw. */
    public static final Struct NEIGH_REF = struct("xg_neigh_ref", 28,
            f("vrf", 0, 4), f("ifindex", 4, 4), f("family", 8, 1), f("pad", 9, 3), f("addr", 12, 16));

    /** The program's per-CPU cache of the coarse clock (xg_clock); user space never reads it. */
    public static final Struct CLOCK = struct("xg_clock", 16,
            f("jiffies", 0, 8), f("ns", 8, 8));

    /** Every struct of xdpgate.h. */
    public static final List<Struct> STRUCTS = List.of(IF_KEY, PORT, FIB4_KEY, ROUTE, NEXTHOP, NEIGH4_KEY, NEIGH,
            LOCAL4_KEY, LOCAL, COUNTER, PORT_COUNTERS, PROG_CFG, FIB6_KEY, NEIGH6_KEY, LOCAL6_KEY, NEXTHOP_GROUP, FIB4_DIR_PAIR,
            FIB6_GUIDE_QUAD, FIB6_CLS_KEY, FIB6_CLS_VALUE, TRAILER, EXC_CFG, CAPTURE, VXLAN_KEY, VXLAN,
            NEIGH_REF, VXLAN_TX, CLOCK);

    // Capacities (XG_*_MAX).
    public static final int PORTS_MAX = 65536;
    public static final int FIB4_MAX = 2097152;
    public static final int NH_MAX = 65536;
    public static final int NEIGH4_MAX = 65536;
    public static final int LOCAL4_MAX = 65536;
    public static final int FIB6_MAX = 524288;
    public static final int NEIGH6_MAX = 65536;
    public static final int LOCAL6_MAX = 65536;
    public static final int NHG_MAX = 16384;
    /** XG_FIB4_DIR_VRFS: how many VRFs may have a DIR-24 table at once. */
    public static final int FIB4_DIR_VRFS = 256;
    /**
     * XG_VRF_INDEXED: VRF ids below it have their DIR-24 table and class guide in
     * {@link #FIB4_DIRS} and {@link #FIB6_GUIDES} too, indexed by VRF id (what the program reads).
     */
    public static final int VRF_INDEXED = 16384;
    /**
     * XG_PORT_INDEXED: a port whose VRF id is below {@link #VRF_INDEXED} and whose ifindex is below
     * this is in its VRF's port table too ({@link #PORT_TABLES}; what the program reads).
     */
    public static final int PORT_INDEXED = 4096;
    /** XG_FIB4_DIR_PAIRS: the elements of one DIR-24 table, two /24 entries each. */
    public static final int FIB4_DIR_PAIRS = 1 << 23;
    /** XG_FIB6_GUIDE_VRFS: how many VRFs may have an IPv6 class guide at once. */
    public static final int FIB6_GUIDE_VRFS = 256;
    /** XG_FIB6_GUIDE_QUADS: the elements of one guide, four /24 blocks each. */
    public static final int FIB6_GUIDE_QUADS = 1 << 22;
    /** XG_FIB6_CLS_MAX: expanded IPv6 prefixes of all large VRFs together. */
    public static final int FIB6_CLS_MAX = 4194304;
    /** XG_FIB6_CLS_END_c: the prefix length class c is stored under (its longest routes). */
    private static final int[] FIB6_CLS_ENDS = {24, 28, 32, 36, 40, 44, 48, 56, 64, 80, 96, 104, 112, 120, 128};
    /** XG_FIB6_CLASSES: IPv6 route classes, /17-/24 to /121-/128. */
    public static final int FIB6_CLASSES = FIB6_CLS_ENDS.length;

    /** XG_FIB6_CLS_END_c. */
    public static int fib6ClassEnd(int c) {
        return FIB6_CLS_ENDS[c];
    }
    /** XG_FIB6_CLS_SHORTEST: the shortest route length of class 0; shorter routes stay in xg_fib6. */
    public static final int FIB6_CLS_SHORTEST = 17;
    /** XG_PORT_STATS_SLOTS: per-port counter slots in xg_port_counts, slot 0 never used. */
    public static final int PORT_STATS_SLOTS = 4096;
    public static final int EXC_CFG_MAX = 16384;
    public static final int CAPTURED_MAX = 4096;
    /** XG_TC_STAT_SLOTS: the size of xg_tc_stats, larger than the xg_tc_stat values in use. */
    public static final int TC_STAT_SLOTS = 32;

    // The trailer (XG_TRAILER_*) and the capture tag (XG_CAPTURE_*), see xdpgate.h.
    public static final int TRAILER_MAGIC = 0x58475452;
    public static final int TRAILER_VERSION = 1;
    public static final int TRAILER_LEN = 16;
    public static final int TRAILER_RECEIVE = 1;
    public static final int EXC_CFG_VALID = 0x1;
    public static final int CAPTURE_META = 0x58474350;
    public static final int CAPTURE_ON = 0x1;
    // VXLAN decapsulation (XG_VXLAN_*).
    public static final int VXLAN_MAX = 16384;
    public static final int VXLAN_HDR_LEN = 8;
    public static final int VXLAN_FLAG_VNI = 0x08;
    public static final int VXLAN_VALID = 0x1;
    public static final int NEIGH_USED_MAX = 65536;
    /** XG_NEIGH_USED_RESOLUTION_NS: a use is recorded at most this often per neighbour. */
    public static final long NEIGH_USED_RESOLUTION_NS = 100_000_000L;
    /** XG_AF_INET, XG_AF_INET6: the kernel's address family numbers. */
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    // VXLAN encapsulation (XG_VXLAN_TX_*, XG_VXLAN_ENCAP_LEN).
    public static final int VXLAN_TX_MAX = 16384;
    public static final int VXLAN_ENCAP_LEN = 50;
    public static final int VXLAN_TX_VALID = 0x1;

    public static final MapDef PORTS = new MapDef("xg_ports", BPF_MAP_TYPE_HASH, IF_KEY.size(), PORT.size(),
            PORTS_MAX, 0);
    public static final MapDef FIB4 = new MapDef("xg_fib4", BPF_MAP_TYPE_LPM_TRIE, FIB4_KEY.size(), ROUTE.size(),
            FIB4_MAX, BPF_F_NO_PREALLOC);
    public static final MapDef NH = new MapDef("xg_nh", BPF_MAP_TYPE_ARRAY, 4, NEXTHOP.size(), NH_MAX, 0);
    public static final MapDef NEIGH4 = new MapDef("xg_neigh4", BPF_MAP_TYPE_HASH, NEIGH4_KEY.size(), NEIGH.size(),
            NEIGH4_MAX, 0);
    public static final MapDef LOCAL4 = new MapDef("xg_local4", BPF_MAP_TYPE_HASH, LOCAL4_KEY.size(), LOCAL.size(),
            LOCAL4_MAX, 0);
    public static final MapDef STATS = new MapDef("xg_stats", BPF_MAP_TYPE_PERCPU_ARRAY, 4, COUNTER.size(),
            Stat.SLOTS, 0);
    public static final MapDef FIB6 = new MapDef("xg_fib6", BPF_MAP_TYPE_LPM_TRIE, FIB6_KEY.size(), ROUTE.size(),
            FIB6_MAX, BPF_F_NO_PREALLOC);
    public static final MapDef NEIGH6 = new MapDef("xg_neigh6", BPF_MAP_TYPE_HASH, NEIGH6_KEY.size(), NEIGH.size(),
            NEIGH6_MAX, 0);
    public static final MapDef LOCAL6 = new MapDef("xg_local6", BPF_MAP_TYPE_HASH, LOCAL6_KEY.size(), LOCAL.size(),
            LOCAL6_MAX, 0);
    public static final MapDef NHG = new MapDef("xg_nhg", BPF_MAP_TYPE_ARRAY, 4, NEXTHOP_GROUP.size(), NHG_MAX, 0);
    /** VRF -> its DIR-24 table; the value is a map fd on update and a map id on lookup from user space. */
    public static final MapDef FIB4_DIR = new MapDef("xg_fib4_dir", BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, FIB4_DIR_VRFS, 0);
    /** VRF id (below {@link #VRF_INDEXED}) -> the same DIR-24 table as in {@link #FIB4_DIR}. */
    public static final MapDef FIB4_DIRS = new MapDef("xg_fib4_dirs", BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, VRF_INDEXED, 0);
    /** One VRF's DIR-24 table, created by the manager (not pinned: xg_fib4_dir holds it). */
    public static final MapDef FIB4_DIR_TABLE = new MapDef("xg_fib4_dir_t", BPF_MAP_TYPE_ARRAY, 4, FIB4_DIR_PAIR.size(),
            FIB4_DIR_PAIRS, BPF_F_MMAPABLE);

    /** VRF -> its IPv6 class guide (a map fd on update, a map id on lookup from user space). */
    public static final MapDef FIB6_GUIDE = new MapDef("xg_fib6_guide", BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4,
            FIB6_GUIDE_VRFS, 0);
    /** VRF id (below {@link #VRF_INDEXED}) -> the same class guide as in {@link #FIB6_GUIDE}. */
    public static final MapDef FIB6_GUIDES = new MapDef("xg_fib6_guides", BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4,
            VRF_INDEXED, 0);
    /** One VRF's class guide, created by the manager (not pinned: xg_fib6_guide holds it). */
    public static final MapDef FIB6_GUIDE_TABLE = new MapDef("xg_fib6_guide_t", BPF_MAP_TYPE_ARRAY, 4,
            FIB6_GUIDE_QUAD.size(), FIB6_GUIDE_QUADS, BPF_F_MMAPABLE);
    public static final MapDef FIB6_CLS = new MapDef("xg_fib6_cls", BPF_MAP_TYPE_HASH, FIB6_CLS_KEY.size(),
            FIB6_CLS_VALUE.size(), FIB6_CLS_MAX, BPF_F_NO_PREALLOC);

    /** The counters of each port, by its stats slot (see {@link #PORT_COUNTERS}). */
    public static final MapDef PORT_STATS = new MapDef("xg_port_counts", BPF_MAP_TYPE_PERCPU_ARRAY, 4,
            PORT_COUNTERS.size(), PORT_STATS_SLOTS, 0);
    /**
     * The per-port counters of managers before {@link #PORT_STATS}: one element per counter, which made the
     * kernel allocate 131,072 per-CPU elements at every start. Unpinned when found; nothing reads it.
     */
    public static final String OBSOLETE_PORT_STATS = "xg_port_stats";

    public static final MapDef EXC_CFG_MAP = new MapDef("xg_exc_cfg", BPF_MAP_TYPE_HASH, 4, EXC_CFG.size(),
            EXC_CFG_MAX, 0);
    public static final MapDef TC_STATS = new MapDef("xg_tc_stats", BPF_MAP_TYPE_PERCPU_ARRAY, 4, COUNTER.size(),
            TC_STAT_SLOTS, 0);
    public static final MapDef CAPTURED = new MapDef("xg_captured", BPF_MAP_TYPE_HASH, IF_KEY.size(), CAPTURE.size(),
            CAPTURED_MAX, 0);
    public static final MapDef CAPTURE_ON_MAP = new MapDef("xg_capture_on", BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0);
    public static final MapDef TC_SCRATCH = new MapDef("xg_tc_scratch", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 1, 0);
    public static final MapDef VXLAN_MAP = new MapDef("xg_vxlan", BPF_MAP_TYPE_HASH, VXLAN_KEY.size(), VXLAN.size(),
            VXLAN_MAX, 0);
    public static final MapDef VXLAN_TX_MAP = new MapDef("xg_vxlan_tx", BPF_MAP_TYPE_HASH, IF_KEY.size(),
            VXLAN_TX.size(), VXLAN_TX_MAX, 0);
    public static final MapDef VXLAN_PUSH = new MapDef("xg_vxlan_push", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, 0);

    public static final MapDef NH_GWS = new MapDef("xg_nh_gw", BPF_MAP_TYPE_ARRAY, 4, NEIGH_REF.size(), NH_MAX, 0);
    /** The value is a __u64: CLOCK_MONOTONIC_COARSE nanoseconds of a recent use (connected neighbours). */
    public static final MapDef NEIGH_USED = new MapDef("xg_neigh_used", BPF_MAP_TYPE_LRU_HASH, NEIGH_REF.size(),
            8, NEIGH_USED_MAX, 0);
    /** As NEIGH_USED, per xg_nh slot (the gateway of the slot, named by xg_nh_gw). */
    public static final MapDef NH_USED = new MapDef("xg_nh_used", BPF_MAP_TYPE_ARRAY, 4, 8, NH_MAX, BPF_F_MMAPABLE);

    public static final MapDef CLOCK_MAP = new MapDef("xg_clock", BPF_MAP_TYPE_PERCPU_ARRAY, 4, CLOCK.size(), 1, 0);

    /** VRF id (below {@link #VRF_INDEXED}) -> the VRF's port table. */
    public static final MapDef PORT_TABLES = new MapDef("xg_port_tables", BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4,
            VRF_INDEXED, 0);
    /** One VRF's ports by ifindex (zeroes: no port), created by the manager (not pinned: xg_port_tables holds it). */
    public static final MapDef PORT_TABLE = new MapDef("xg_port_table", BPF_MAP_TYPE_ARRAY, 4, PORT.size(),
            PORT_INDEXED, 0);

    /** Every map of xdp_fwd.bpf.o, all pinned by name under the pin root. */
    public static final List<MapDef> MAPS = List.of(PORTS, PORT_TABLES, FIB4, NH, NEIGH4, LOCAL4, STATS, FIB6, NEIGH6, LOCAL6,
            NHG, FIB4_DIR, FIB4_DIRS, FIB6_GUIDE, FIB6_GUIDES, FIB6_CLS, PORT_STATS, EXC_CFG_MAP, TC_STATS, CAPTURED, CAPTURE_ON_MAP,
            TC_SCRATCH, VXLAN_MAP, NH_GWS, NEIGH_USED, NH_USED, VXLAN_TX_MAP,
            VXLAN_PUSH, CLOCK_MAP);

    /** Every map of tc_exception.bpf.o: shared with xdp_fwd.bpf.o through the same pins. */
    public static final List<MapDef> TC_EXCEPTION_MAPS = List.of(EXC_CFG_MAP, TC_STATS);

    private static Field f(String name, int offset, int size) {
        return new Field(name, offset, size);
    }

    private static Struct struct(String name, int size, Field... fields) {
        return new Struct(name, size, List.of(fields));
    }
}
