package io.xdpgate.ebpf;

/**
 * A route ({@code struct xg_route}) of xg_fib4 or xg_fib6: what the fast path does with a destination.
 * A UNICAST route forwards through one nexthop slot of xg_nh, or, when {@link #isGroup()}, through a
 * nexthop group of xg_nhg (ECMP): nexthopId is then {@link #GROUP} | the group's index.
 */
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
    /** XG_NH_ID_GROUP: the nexthopId bit that makes the rest of it an xg_nhg index. */
    public static final int GROUP = 0x80000000;

    /** Forwards through nexthop slot nexthopId of xg_nh. */
    public static Route unicast(int nexthopId) {
        if ((nexthopId & GROUP) != 0) {
            throw new IllegalArgumentException("nexthop slot " + Integer.toUnsignedString(nexthopId) + " out of range");
        }
        return new Route(UNICAST, nexthopId);
    }

    /** Forwards through nexthop group groupId of xg_nhg (ECMP). */
    public static Route group(int groupId) {
        if ((groupId & GROUP) != 0) {
            throw new IllegalArgumentException("nexthop group " + Integer.toUnsignedString(groupId) + " out of range");
        }
        return new Route(UNICAST, GROUP | groupId);
    }

    /** A UNICAST route through a nexthop group. */
    public boolean isGroup() {
        return type == UNICAST && (nexthopId & GROUP) != 0;
    }

    /** The xg_nhg index of a route through a group. */
    public int groupId() {
        if (!isGroup()) {
            throw new IllegalStateException(this + " is not a route through a nexthop group");
        }
        return nexthopId & ~GROUP;
    }

    // Field offsets looked up once: a table's worth of IPv6 routes is encoded at each cold start, and a
    // lookup by name per field per route showed in its profile.
    private static final int TYPE = hostIntField("type");
    private static final int NH_ID = hostIntField("nh_id");

    private static int hostIntField(String name) {
        MapLayouts.Field f = MapLayouts.ROUTE.field(name);
        if (f.size() != 4) throw new IllegalStateException("xg_route." + name + " is " + f.size() + " bytes, not 4");
        return f.offset();
    }

    byte[] encode() {
        byte[] value = new byte[MapLayouts.ROUTE.size()];
        FastPathMaps.HOST_INT.set(value, TYPE, type);
        FastPathMaps.HOST_INT.set(value, NH_ID, nexthopId);
        return value;
    }

    static Route decode(byte[] value) {
        StructBytes b = StructBytes.wrap(MapLayouts.ROUTE, value);
        return new Route(b.host32("type"), b.host32("nh_id"));
    }

    @Override
    public String toString() {
        return "Route[type=" + type + ", " + (isGroup() ? "group=" + groupId() : "nexthopId=" + nexthopId) + "]";
    }
}
