package io.xdpgate.netlink;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/** RTM_NEWLINK / RTM_DELLINK body: struct ifinfomsg followed by IFLA_* attributes. */
final class LinkDecoder {
    private static final String VXLAN = "vxlan";

    private LinkDecoder() {}

    /**
     * Decodes the body at [body, end). Returns null for AF_BRIDGE messages: those describe a bridge port's
     * bridging state, and an AF_BRIDGE RTM_DELLINK means "left the bridge", not "the link is gone".
     */
    static Link decode(ByteBuffer b, int body, int end, String context) throws NetlinkProtocolException {
        Bodies.need(body, end, Rtnl.IFINFOMSG_LEN, "ifinfomsg", context);
        int family = Byte.toUnsignedInt(b.get(body));      // ifi_family
        // body + 1: padding; body + 2: ifi_type (ARPHRD_*), not needed
        int ifindex = b.getInt(body + 4);                   // ifi_index
        int flags = b.getInt(body + 8);                     // ifi_flags (IFF_*)
        // body + 12: ifi_change, only meaningful to the sender
        if (family == Rtnl.AF_BRIDGE) {
            return null;
        }
        String name = null;
        byte[] mac = null;
        int mtu = 0;
        int operState = Rtnl.IF_OPER_UNKNOWN;
        int master = 0;
        int link = 0;
        int linkNetnsid = Rtnl.NETNSA_NSID_NOT_ASSIGNED;
        LinkInfo info = LinkInfo.NONE;
        NlAttributes a = new NlAttributes(b, body + Rtnl.IFINFOMSG_LEN, end, context);
        while (a.next()) {
            switch (a.type()) {
                case Rtnl.IFLA_IFNAME -> name = a.string();
                case Rtnl.IFLA_ADDRESS -> mac = a.bytes();
                case Rtnl.IFLA_MTU -> mtu = a.u32();
                case Rtnl.IFLA_OPERSTATE -> operState = a.u8();
                case Rtnl.IFLA_MASTER -> master = a.u32();
                case Rtnl.IFLA_LINK -> link = a.u32();
                case Rtnl.IFLA_LINK_NETNSID -> linkNetnsid = a.u32(); // s32 in the kernel
                case Rtnl.IFLA_LINKINFO -> info = linkInfo(a.nested(), context);
                default -> { } // statistics, qdisc, XDP state, ...: not part of the forwarding view
            }
        }
        return new Link(ifindex, name, info.kind, mac, mtu, flags, operState, master, info.vxlan, link, linkNetnsid);
    }

    private record LinkInfo(String kind, VxlanInfo vxlan) {
        static final LinkInfo NONE = new LinkInfo(null, null);
    }

    /** IFLA_LINKINFO: IFLA_INFO_KIND, and IFLA_INFO_DATA whose meaning depends on the kind (whatever their order). */
    private static LinkInfo linkInfo(NlAttributes info, String context) throws NetlinkProtocolException {
        String kind = null;
        NlAttributes data = null;
        while (info.next()) {
            switch (info.type()) {
                case Rtnl.IFLA_INFO_KIND -> kind = info.string();
                case Rtnl.IFLA_INFO_DATA -> data = info.nested();
                default -> { } // IFLA_INFO_XSTATS, IFLA_INFO_SLAVE_KIND / _DATA: not needed
            }
        }
        // A vxlan device always carries its IFLA_INFO_DATA; without it there is nothing to report.
        VxlanInfo vxlan = VXLAN.equals(kind) && data != null ? vxlan(data, context) : null;
        return new LinkInfo(kind, vxlan);
    }

    /** IFLA_VXLAN_* inside IFLA_INFO_DATA. */
    private static VxlanInfo vxlan(NlAttributes a, String context) throws NetlinkProtocolException {
        int vni = 0;
        InetAddress local = null;
        InetAddress group = null;
        int port = 0;
        int underlay = 0;
        int ttl = 0;
        boolean learning = false;
        while (a.next()) {
            switch (a.type()) {
                case Rtnl.IFLA_VXLAN_ID -> vni = a.u32();
                case Rtnl.IFLA_VXLAN_LOCAL -> local = a.address(Rtnl.AF_INET);
                case Rtnl.IFLA_VXLAN_LOCAL6 -> local = a.address(Rtnl.AF_INET6);
                case Rtnl.IFLA_VXLAN_GROUP -> group = a.address(Rtnl.AF_INET);
                case Rtnl.IFLA_VXLAN_GROUP6 -> group = a.address(Rtnl.AF_INET6);
                case Rtnl.IFLA_VXLAN_PORT -> port = a.u16BigEndian(); // __be16
                case Rtnl.IFLA_VXLAN_LINK -> underlay = a.u32();
                case Rtnl.IFLA_VXLAN_TTL -> ttl = a.u8();
                case Rtnl.IFLA_VXLAN_LEARNING -> learning = a.u8() != 0;
                default -> { } // tos, ageing, port range, checksums, df, label, ...: not forwarding state
            }
        }
        if (vni < 0 || vni > 0xffffff) {
            throw new NetlinkProtocolException(context + ": IFLA_VXLAN_ID " + Integer.toUnsignedString(vni)
                    + " is not a 24-bit VNI");
        }
        return new VxlanInfo(vni, local, group, port, underlay, ttl, learning);
    }
}
