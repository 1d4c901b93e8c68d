package io.xdpgate.netlink;

import java.net.InetAddress;

/**
 * One path of a multipath route (struct rtnexthop in RTA_MULTIPATH).
 *
 * @param gateway RTA_GATEWAY or RTA_VIA of this path, null for a directly connected path
 * @param weight  rtnh_hops + 1, as {@code ip route ... weight N} shows it
 */
public record RouteNexthop(int ifindex, InetAddress gateway, int weight) {}
