package io.xdpgate.netlink;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** RTM_NEWROUTE / RTM_DELROUTE body: struct rtmsg followed by RTA_* attributes. */
final class RouteDecoder {
    private static final InetAddress ANY4 = anyAddress(4);
    private static final InetAddress ANY6 = anyAddress(16);

    private RouteDecoder() {}

    /**
     * Returns null for families other than AF_INET / AF_INET6 and for RTM_F_CLONED entries: those are
     * the kernel's route cache (IPv6 PMTU exceptions, redirects), not routes anyone configured.
     */
    static Route decode(ByteBuffer b, int body, int end, String context) throws NetlinkProtocolException {
        Bodies.need(body, end, Rtnl.RTMSG_LEN, "rtmsg", context);
        int family = Byte.toUnsignedInt(b.get(body));          // rtm_family
        int dstLength = Byte.toUnsignedInt(b.get(body + 1));    // rtm_dst_len
        // body + 2: rtm_src_len (source routing, not supported); body + 3: rtm_tos
        int table = Byte.toUnsignedInt(b.get(body + 4));        // rtm_table
        int protocol = Byte.toUnsignedInt(b.get(body + 5));     // rtm_protocol (RTPROT_*)
        int scope = Byte.toUnsignedInt(b.get(body + 6));        // rtm_scope
        int type = Byte.toUnsignedInt(b.get(body + 7));         // rtm_type (RTN_*)
        int rtmFlags = b.getInt(body + 8);                      // rtm_flags (RTM_F_*)
        if (!Bodies.isInet(family) || (rtmFlags & Rtnl.RTM_F_CLONED) != 0) {
            return null;
        }
        if (dstLength > NlAttributes.addressLength(family) * 8) {
            throw new NetlinkProtocolException(context + ": rtm_dst_len " + dstLength + " too long for family "
                    + family);
        }
        InetAddress dst = family == Rtnl.AF_INET ? ANY4 : ANY6;
        InetAddress gateway = null;
        int oif = 0;
        int priority = 0;
        int nhId = 0;
        List<RouteNexthop> multipath = List.of();
        NlAttributes a = new NlAttributes(b, body + Rtnl.RTMSG_LEN, end, context);
        while (a.next()) {
            switch (a.type()) {
                case Rtnl.RTA_DST -> dst = a.address(family);
                case Rtnl.RTA_GATEWAY -> gateway = a.address(family);
                case Rtnl.RTA_VIA -> gateway = a.via(); // e.g. an IPv4 route via an IPv6 next hop (RFC 5549)
                case Rtnl.RTA_OIF -> oif = a.u32();
                case Rtnl.RTA_PRIORITY -> priority = a.u32();
                case Rtnl.RTA_TABLE -> table = a.u32(); // ids above 255 only fit here
                case Rtnl.RTA_NH_ID -> nhId = a.u32();
                case Rtnl.RTA_MULTIPATH -> multipath = nexthops(b, a, family, context);
                default -> { } // prefsrc, metrics, cacheinfo, encap, pref, expires: not decoded yet
            }
        }
        return new Route(family, table, type, protocol, scope, dstLength, dst, gateway, oif, priority, multipath, nhId);
    }

    /** RTA_MULTIPATH: a sequence of struct rtnexthop, each followed by its own attributes within rtnh_len. */
    private static List<RouteNexthop> nexthops(ByteBuffer b, NlAttributes attr, int family, String context)
            throws NetlinkProtocolException {
        List<RouteNexthop> paths = new ArrayList<>();
        int at = attr.payloadStart();
        int end = attr.payloadEnd();
        while (end - at > 0) {
            if (end - at < Rtnl.RTNH_LEN) {
                throw new NetlinkProtocolException(context + ": truncated rtnexthop (" + (end - at) + " bytes)");
            }
            int length = Short.toUnsignedInt(b.getShort(at));   // rtnh_len, header included
            // at + 2: rtnh_flags (RTNH_F_*)
            int hops = Byte.toUnsignedInt(b.get(at + 3));       // rtnh_hops: weight - 1
            int ifindex = b.getInt(at + 4);                      // rtnh_ifindex
            if (length < Rtnl.RTNH_LEN || length > end - at) {
                throw new NetlinkProtocolException(context + ": rtnh_len " + length + " outside [" + Rtnl.RTNH_LEN
                        + ", " + (end - at) + "]");
            }
            InetAddress gateway = null;
            NlAttributes a = new NlAttributes(b, at + Rtnl.RTNH_LEN, at + length, context + " RTA_MULTIPATH");
            while (a.next()) {
                switch (a.type()) {
                    case Rtnl.RTA_GATEWAY -> gateway = a.address(family);
                    case Rtnl.RTA_VIA -> gateway = a.via();
                    default -> { } // per-path encap, flow: not decoded
                }
            }
            paths.add(new RouteNexthop(ifindex, gateway, hops + 1));
            at += Math.min(NlAttributes.align(length), end - at);
        }
        return paths;
    }

    private static InetAddress anyAddress(int length) {
        try {
            return InetAddress.getByAddress(new byte[length]);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
