package io.xdpgate.netlink;

import java.net.InetAddress;
import java.util.List;

/**
 * A route (RTM_NEWROUTE / RTM_DELROUTE), from any table.
 *
 * @param table     RTA_TABLE (table ids above 255 only fit there), else rtm_table
 * @param type      RTN_*
 * @param dst       RTA_DST; 0.0.0.0 or :: for a default route (the kernel omits RTA_DST then)
 * @param gateway   RTA_GATEWAY or RTA_VIA, null if none
 * @param oif       RTA_OIF, 0 if none
 * @param priority  RTA_PRIORITY (the metric), 0 if absent
 * @param multipath the paths of RTA_MULTIPATH, empty otherwise
 * @param nhId      RTA_NH_ID when the route uses a nexthop object, 0 if none
 */
public record Route(int family, int table, int type, int protocol, int scope, int dstLength, InetAddress dst,
                    InetAddress gateway, int oif, int priority, List<RouteNexthop> multipath, int nhId)
        implements RtnlObject {
    public Route {
        multipath = List.copyOf(multipath);
    }

    /**
     * A route of the local table that delivers its destinations locally and that the kernel did not
     * make for an interface address (those are proto kernel): an operator's {@code ip route add local
     * PREFIX dev lo} ("AnyIP"). The local table is looked up before the main one, so every address of
     * its prefix is the router's own, whatever the main table says.
     */
    public boolean isConfiguredLocal() {
        return table == Rtnl.RT_TABLE_LOCAL && type == Rtnl.RTN_LOCAL && protocol != Rtnl.RTPROT_KERNEL;
    }
}
