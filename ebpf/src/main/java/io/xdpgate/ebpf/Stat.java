package io.xdpgate.ebpf;

/** The fast path counters, one per {@code enum xg_stat} value of xdpgate.h, same order and index. */
public enum Stat {
    FORWARDED(0, "forwarded"),
    EXC_LOCAL(1, "local"),
    EXC_NO_ROUTE(2, "no_route"),
    EXC_NO_NEIGH(3, "no_neigh"),
    EXC_TTL(4, "ttl"),
    /** Neither IPv4 nor IPv6 (ARP, LLDP, VLAN-tagged...): the name and label predate IPv6 and are kept. */
    EXC_NOT_IPV4(5, "not_ipv4"),
    EXC_IP_OPTIONS(6, "ip_options"),
    EXC_MTU(7, "mtu"),
    EXC_MULTICAST(8, "multicast"),
    EXC_NOT_PORT(9, "not_port"),
    EXC_ROUTE_TYPE(10, "route_type"),
    EXC_MALFORMED(11, "malformed"),
    DROP_BLACKHOLE(12, "blackhole"),
    /** An IPv6 hop-by-hop options header: every router must process it, Linux does. */
    EXC_IPV6_HBH(13, "ipv6_hbh"),
    /** ICMPv6 Neighbour Discovery (types 133 to 137) not already passed as multicast or link-local. */
    EXC_ND(14, "nd"),
    /** Of {@link #FORWARDED}, the packets forwarded through a nexthop group (ECMP): counted in both. */
    FORWARDED_ECMP(15, "forwarded_ecmp"),
    /** IPv4 from or to 0.0.0.0/8 or 127.0.0.0/8, which Linux drops and never forwards. */
    EXC_MARTIAN(16, "martian");

    /** XG_STAT_MAX: the number of slots in xg_stats, with room for counters to come. */
    public static final int SLOTS = 32;

    private static final Stat[] BY_INDEX = new Stat[SLOTS];

    static {
        for (Stat s : values()) {
            BY_INDEX[s.index] = s;
        }
    }

    private final int index;
    private final String label;

    Stat(int index, String label) {
        this.index = index;
        this.label = label;
    }

    /** The XG_STAT_* value: the key of this counter in xg_stats. */
    public int index() {
        return index;
    }

    /** A lowercase name for metrics and logs. */
    public String label() {
        return label;
    }

    /** True for the counters of packets handed to Linux. */
    public boolean isException() {
        return name().startsWith("EXC_");
    }

    /** The counter with this XG_STAT_* value; throws on a value xdpgate.h does not define. */
    public static Stat fromIndex(int index) {
        Stat s = index >= 0 && index < SLOTS ? BY_INDEX[index] : null;
        if (s == null) {
            throw new IllegalArgumentException("unknown xg_stat value " + index);
        }
        return s;
    }
}
