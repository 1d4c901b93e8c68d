package io.xdpgate.fpc;

/**
 * One member of a {@link FpcNexthopGroup}: the id of a nexthop object (never 0) and its ECMP weight,
 * 1..65536 (the kernel's nexthop_grp weight + 1, its high byte included).
 */
public record FpcGroupMember(int id, int weight) {
    /** Largest member weight. */
    public static final int MAX_WEIGHT = 65536;

    public FpcGroupMember {
        if (id == 0) {
            throw new IllegalArgumentException("group member id 0 is reserved (no nexthop)");
        }
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("group member weight " + weight + " out of range 1.." + MAX_WEIGHT);
        }
    }

    @Override
    public String toString() {
        return Integer.toUnsignedString(id) + "/" + weight;
    }
}
