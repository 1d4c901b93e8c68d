package io.xdpgate.fpc;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * NEXTHOP_GROUP_ADD / NEXTHOP_GROUP_DEL: a kernel nexthop group (RTM_NEWNEXTHOP with NHA_GROUP). Key: (vrf, id),
 * in the id space the group shares with the nexthop objects. An ADD replaces the whole member list and has
 * at least one member; a DEL may carry none. At most 2048 members, each id at most once.
 */
public record FpcNexthopGroup(boolean add, int vrf, int id, List<FpcGroupMember> members) implements FpcMessage {
    public FpcNexthopGroup {
        if (id == 0) {
            throw new IllegalArgumentException("nexthop group id 0 is reserved (no nexthop)");
        }
        members = List.copyOf(members);
        if (members.size() > FpcConstants.MAX_GROUP_MEMBERS) {
            throw new IllegalArgumentException(members.size() + " group members, at most " + FpcConstants.MAX_GROUP_MEMBERS);
        }
        if (add && members.isEmpty()) {
            throw new IllegalArgumentException("a nexthop group ADD needs at least one member");
        }
        if (members.size() > 1) {
            Set<Integer> ids = new HashSet<>(members.size() * 2);
            for (FpcGroupMember m : members) {
                if (!ids.add(m.id())) {
                    throw new IllegalArgumentException("nexthop " + Integer.toUnsignedString(m.id())
                            + " is twice in group " + Integer.toUnsignedString(id));
                }
            }
        }
    }

    @Override
    public FpcMessageType messageType() {
        return add ? FpcMessageType.NEXTHOP_GROUP_ADD : FpcMessageType.NEXTHOP_GROUP_DEL;
    }

    @Override
    public String toString() {
        return "FpcNexthopGroup[" + (add ? "add" : "del") + " vrf=" + Integer.toUnsignedString(vrf) + " id="
                + Integer.toUnsignedString(id) + " " + members + "]";
    }
}
