package io.xdpgate.netlink;

import java.net.InetAddress;
import java.util.List;

/**
 * A nexthop object (RTM_NEWNEXTHOP / RTM_DELNEXTHOP), referenced by routes through RTA_NH_ID.
 * <p>Exactly one of three shapes: a single path ({@code ifindex} and/or {@code gateway}), a blackhole, or a
 * group of other nexthop objects. Bridge FDB nexthops (NHA_FDB, for VXLAN) are not delivered: no route can
 * use them.
 *
 * @param id       NHA_ID
 * @param family   nh_family: AF_INET or AF_INET6 for a single path and for a blackhole (the family it was
 *                 created with; iproute2 gives AF_INET), AF_UNSPEC for a group
 * @param ifindex  NHA_OIF, 0 if none (groups, blackholes)
 * @param gateway  NHA_GATEWAY, null if none (directly connected, groups, blackholes)
 * @param blackhole NHA_BLACKHOLE: packets using it are dropped
 * @param group    the members of NHA_GROUP, empty if this is not a group
 * @param protocol nh_protocol (RTPROT_*): who installed it
 * @param flags    nh_flags (RTNH_F_DEAD, RTNH_F_ONLINK, RTNH_F_LINKDOWN, ...)
 */
public record NexthopObject(int id, int family, int ifindex, InetAddress gateway, boolean blackhole,
                            List<NexthopGroupMember> group, int protocol, int flags) implements RtnlObject {
    public NexthopObject {
        group = List.copyOf(group);
    }

    public boolean isGroup() {
        return !group.isEmpty();
    }
}
