package io.xdpgate.fastpath;

/**
 * What the fast path manager remembers of one route, packed into the int a {@link RouteTable}
 * stores: the Route.* type written to the FIB and the nexthop slot or nexthop group the route holds
 * a reference on. A million routes cost no object each.
 *
 * <pre>
 *   bits  0-19  slot id (0: none): an xg_nh slot, or with bit 25 an xg_nhg group (both arrays have
 *               at most 2^20 entries)
 *   bits 20-22  Route.* type
 *   bit  23     the slot or group is one adopted from a previous run (released as such)
 *   bit  24     the route goes through a kernel nexthop object (its id is in Vrf.routeObjects)
 *   bit  25     the slot id is a nexthop group's (ECMP), not a nexthop slot's
 * </pre>
 *
 * Bit 31 is never set, so a value never equals {@link RouteTable#ABSENT}.
 */
final class RouteValue {

    private static final int SLOT_MASK = (1 << 20) - 1;
    private static final int ADOPTED = 1 << 23;
    private static final int THROUGH_OBJECT = 1 << 24;
    private static final int GROUP = 1 << 25;

    private RouteValue() {}

    static int of(int type, int slot, boolean adopted, boolean throughObject) {
        return of(type, slot, adopted, throughObject, false);
    }

    static int of(int type, int slot, boolean adopted, boolean throughObject, boolean group) {
        if (slot < 0 || slot > SLOT_MASK) throw new IllegalArgumentException((group ? "nexthop group " : "nexthop slot ") + slot);
        if (type < 0 || type > 7) throw new IllegalArgumentException("route type " + type);
        return slot | type << 20 | (adopted ? ADOPTED : 0) | (throughObject ? THROUGH_OBJECT : 0) | (group ? GROUP : 0);
    }

    static int type(int value) {
        return (value >>> 20) & 7;
    }

    /** The xg_nh slot or, if {@link #group}, the xg_nhg group; 0 for none. */
    static int slot(int value) {
        return value & SLOT_MASK;
    }

    static boolean adopted(int value) {
        return (value & ADOPTED) != 0;
    }

    static boolean throughObject(int value) {
        return (value & THROUGH_OBJECT) != 0;
    }

    static boolean group(int value) {
        return (value & GROUP) != 0;
    }
}
