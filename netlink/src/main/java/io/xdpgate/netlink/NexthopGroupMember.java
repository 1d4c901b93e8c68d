package io.xdpgate.netlink;

/**
 * One member of a nexthop group (struct nexthop_grp in NHA_GROUP).
 *
 * @param id     the member nexthop object's NHA_ID
 * @param weight (weight_high &lt;&lt; 8 | weight) + 1, as {@code ip nexthop ... group ID,WEIGHT} shows it (1..65536)
 */
public record NexthopGroupMember(int id, int weight) {}
