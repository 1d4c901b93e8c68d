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
    public static final int BPF_F_NO_PREALLOC = 1;
    public static final int BPF_F_MMAPABLE = 1 << 10;

    public static final Struct IF_KEY = struct("xg_if_key", 8,
            f("vrf", 0, 4), f("ifindex", 4, 4));
    public static final Struct PORT = struct("xg_port", 12,
            f("mac", 0, 6), f("flags", 6, 2), f("mtu", 8, 4));
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

    /** A kernel neighbour: the key of xg_neigh_used, the value of xg_nh_gw. */
    public static final Struct NEIGH_REF = struct("xg_neigh_ref", 28,
            f("vrf", 0, 4), f("ifindex", 4, 4), f("family", 8, 1), f("pad", 9, 3), f("addr", 12, 16));

    /** Every struct of xdpgate.h. */
    public static final List<Struct> STRUCTS = List.of(IF_KEY, PORT, FIB4_KEY, ROUTE, NEXTHOP, NEIGH4_KEY, NEIGH,
            LOCAL4_KEY, LOCAL, COUNTER, PROG_CFG, FIB6_KEY, NEIGH6_KEY, LOCAL6_KEY, NEXTHOP_GROUP, NEIGH_REF);

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
    public static final int NEIGH_USED_MAX = 65536;
    /** XG_NEIGH_USED_RESOLUTION_NS: a use is recorded at most this often per neighbour. */
    public static final long NEIGH_USED_RESOLUTION_NS = 100_000_000L;
    /** XG_AF_INET, XG_AF_INET6: the kernel's address family numbers. */
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

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

    public static final MapDef NH_GWS = new MapDef("xg_nh_gw", BPF_MAP_TYPE_ARRAY, 4, NEIGH_REF.size(), NH_MAX, 0);
    /** The value is a __u64: CLOCK_MONOTONIC_COARSE nanoseconds of a recent use (connected neighbours). */
    public static final MapDef NEIGH_USED = new MapDef("xg_neigh_used", BPF_MAP_TYPE_LRU_HASH, NEIGH_REF.size(),
            8, NEIGH_USED_MAX, 0);
    /** As NEIGH_USED, per xg_nh slot (the gateway of the slot, named by xg_nh_gw). */
    public static final MapDef NH_USED = new MapDef("xg_nh_used", BPF_MAP_TYPE_ARRAY, 4, 8, NH_MAX, BPF_F_MMAPABLE);

    /** Every map of xdp_fwd.bpf.o, all pinned by name under the pin root. */
    public static final List<MapDef> MAPS = List.of(PORTS, FIB4, NH, NEIGH4, LOCAL4, STATS, FIB6, NEIGH6, LOCAL6,
            NHG, NH_GWS, NEIGH_USED, NH_USED);

    private static Field f(String name, int offset, int size) {
        return new Field(name, offset, size);
    }

    private static Struct struct(String name, int size, Field... fields) {
        return new Struct(name, size, List.of(fields));
    }
}
