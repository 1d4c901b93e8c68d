package io.xdpgate.ebpf;

/** An IPv4 route ({@code struct xg_route}): what the fast path does with a destination. */
public record Route(int type, int nexthopId) {
    /** XG_RT_UNICAST: forward through nexthopId. */
    public static final int UNICAST = 1;
    /** XG_RT_LOCAL: local delivery, an exception. */
    public static final int LOCAL = 2;
    /** XG_RT_BLACKHOLE: dropped and counted. */
    public static final int BLACKHOLE = 3;
    /** XG_RT_UNREACHABLE: an exception, Linux sends the ICMP error. */
    public static final int UNREACHABLE = 4;
    /** XG_RT_PROHIBIT: an exception, Linux sends the ICMP error. */
    public static final int PROHIBIT = 5;

    public static Route unicast(int nexthopId) {
        return new Route(UNICAST, nexthopId);
    }

    byte[] encode() {
        return StructBytes.allocate(MapLayouts.ROUTE).host32("type", type).host32("nh_id", nexthopId).array();
    }

    static Route decode(byte[] value) {
        StructBytes b = StructBytes.wrap(MapLayouts.ROUTE, value);
        return new Route(b.host32("type"), b.host32("nh_id"));
    }
}
