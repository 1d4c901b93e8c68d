package io.xdpgate.fastpath;

/**
 * What the fast path manager remembers of one route, packed into the int a {@link RouteTable}
 * stores: the Route.* type written to the FIB and the nexthop slot the route holds a reference
 * on. A million routes cost no object each.
 *
 * <pre>
 *   bits  0-19  nexthop slot id (0: none; xg_nh has at most 2^20 slots)
 *   bits 20-22  Route.* type
 *   bit  23     the slot is one adopted from a previous run (released as such)
 *   bit  24     the route goes through a kernel nexthop object (its id is in Vrf.routeObjects)
 * </pre>
 *
 * Bit 31 is never set, so a value never equals {@link RouteTable#ABSENT}.
 */
final class RouteValue {

    private static final int SLOT_MASK = (1 << 20) - 1;
    private static final int ADOPTED = 1 << 23;
    private static final int THROUGH_OBJECT = 1 << 24;

    private RouteValue() {}

    static int of(int type, int slot, boolean adopted, boolean throughObject) {
        if (slot < 0 || slot > SLOT_MASK) throw new IllegalArgumentException("nexthop slot " + slot);
        if (type < 0 || type > 7) throw new IllegalArgumentException("route type " + type);
        return slot | type << 20 | (adopted ? ADOPTED : 0) | (throughObject ? THROUGH_OBJECT : 0);
    }

    static int type(int value) {
        return (value >>> 20) & 7;
    }

    static int slot(int value) {
        return value & SLOT_MASK;
    }

    static boolean adopted(int value) {
        return (value & ADOPTED) != 0;
    }

    static boolean throughObject(int value) {
        return (value & THROUGH_OBJECT) != 0;
    }
}
