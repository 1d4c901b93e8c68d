package io.xdpgate.netlink;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** RTM_NEWNEXTHOP / RTM_DELNEXTHOP body: struct nhmsg followed by NHA_* attributes. */
final class NexthopDecoder {
    private NexthopDecoder() {}

    /**
     * Returns null for families other than AF_UNSPEC, AF_INET and AF_INET6 and for bridge FDB nexthops
     * (NHA_FDB): those serve VXLAN forwarding entries, and no route can use them.
     */
    static NexthopObject decode(ByteBuffer b, int body, int end, String context) throws NetlinkProtocolException {
        Bodies.need(body, end, Rtnl.NHMSG_LEN, "nhmsg", context);
        int family = Byte.toUnsignedInt(b.get(body));        // nh_family
        // body + 1: nh_scope (derived from the gateway, not needed)
        int protocol = Byte.toUnsignedInt(b.get(body + 2));  // nh_protocol (RTPROT_*)
        // body + 3: resvd
        int flags = b.getInt(body + 4);                       // nh_flags (RTNH_F_*)
        if (family != Rtnl.AF_UNSPEC && !Bodies.isInet(family)) {
            return null;
        }
        int id = 0;
        int ifindex = 0;
        InetAddress gateway = null;
        boolean blackhole = false;
        boolean fdb = false;
        List<NexthopGroupMember> group = List.of();
        NlAttributes a = new NlAttributes(b, body + Rtnl.NHMSG_LEN, end, context);
        while (a.next()) {
            switch (a.type()) {
                case Rtnl.NHA_ID -> id = a.u32();
                case Rtnl.NHA_OIF -> ifindex = a.u32();
                case Rtnl.NHA_GATEWAY -> gateway = a.address(family); // of nh_family: AF_UNSPEC has no gateway
                case Rtnl.NHA_BLACKHOLE -> blackhole = true;           // a flag: no payload
                case Rtnl.NHA_GROUP -> group = group(b, a, context);
                case Rtnl.NHA_FDB -> fdb = true;
                default -> { } // group type, resilient group parameters, encap, statistics: not decoded
            }
        }
        if (id == 0) {
            throw new NetlinkProtocolException(context + ": NHA_ID missing or 0");
        }
        if (!group.isEmpty() && (ifindex != 0 || gateway != null || blackhole)) {
            throw new NetlinkProtocolException(context + ": nexthop " + Integer.toUnsignedString(id)
                    + " is a group and also has NHA_OIF, NHA_GATEWAY or NHA_BLACKHOLE");
        }
        if (blackhole && (ifindex != 0 || gateway != null)) {
            throw new NetlinkProtocolException(context + ": nexthop " + Integer.toUnsignedString(id)
                    + " is a blackhole and also has NHA_OIF or NHA_GATEWAY");
        }
        if (fdb) {
            return null;
        }
        return new NexthopObject(id, family, ifindex, gateway, blackhole, group, protocol, flags);
    }

    /** NHA_GROUP: an array of struct nexthop_grp { u32 id; u8 weight; u8 weight_high; u16 resvd2; }. */
    private static List<NexthopGroupMember> group(ByteBuffer b, NlAttributes attr, String context)
            throws NetlinkProtocolException {
        int length = attr.length();
        if (length == 0 || length % Rtnl.NEXTHOP_GRP_LEN != 0) {
            throw new NetlinkProtocolException(context + ": NHA_GROUP of " + length + " bytes, not a positive "
                    + "multiple of the " + Rtnl.NEXTHOP_GRP_LEN + "-byte nexthop_grp");
        }
        List<NexthopGroupMember> members = new ArrayList<>(length / Rtnl.NEXTHOP_GRP_LEN); // bounded by rta_len
        for (int at = attr.payloadStart(); at < attr.payloadEnd(); at += Rtnl.NEXTHOP_GRP_LEN) {
            int id = b.getInt(at);                                  // id
            int weight = Byte.toUnsignedInt(b.get(at + 4));         // weight: low 8 bits of weight - 1
            int weightHigh = Byte.toUnsignedInt(b.get(at + 5));     // weight_high: high 8 bits of weight - 1
            // at + 6: resvd2
            if (id == 0) {
                throw new NetlinkProtocolException(context + ": NHA_GROUP member " + members.size() + " has id 0");
            }
            members.add(new NexthopGroupMember(id, ((weightHigh << 8) | weight) + 1));
        }
        return members;
    }
}
