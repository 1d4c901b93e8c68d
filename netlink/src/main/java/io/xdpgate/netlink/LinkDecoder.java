package io.xdpgate.netlink;

import java.nio.ByteBuffer;

/** RTM_NEWLINK / RTM_DELLINK body: struct ifinfomsg followed by IFLA_* attributes. */
final class LinkDecoder {
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
        String kind = null;
        byte[] mac = null;
        int mtu = 0;
        int operState = Rtnl.IF_OPER_UNKNOWN;
        int master = 0;
        NlAttributes a = new NlAttributes(b, body + Rtnl.IFINFOMSG_LEN, end, context);
        while (a.next()) {
            switch (a.type()) {
                case Rtnl.IFLA_IFNAME -> name = a.string();
                case Rtnl.IFLA_ADDRESS -> mac = a.bytes();
                case Rtnl.IFLA_MTU -> mtu = a.u32();
                case Rtnl.IFLA_OPERSTATE -> operState = a.u8();
                case Rtnl.IFLA_MASTER -> master = a.u32();
                case Rtnl.IFLA_LINKINFO -> kind = kindOf(a.nested());
                default -> { } // statistics, qdisc, XDP state, ...: not part of the forwarding view
            }
        }
        return new Link(ifindex, name, kind, mac, mtu, flags, operState, master);
    }

    private static String kindOf(NlAttributes info) throws NetlinkProtocolException {
        String kind = null;
        while (info.next()) {
            if (info.type() == Rtnl.IFLA_INFO_KIND) {
                kind = info.string();
            }
        }
        return kind;
    }
}
