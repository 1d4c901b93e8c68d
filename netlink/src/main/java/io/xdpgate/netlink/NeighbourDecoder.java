package io.xdpgate.netlink;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/** RTM_NEWNEIGH / RTM_DELNEIGH body: struct ndmsg followed by NDA_* attributes. */
final class NeighbourDecoder {
    private NeighbourDecoder() {}

    /** Returns null for families other than AF_INET and AF_INET6 (AF_BRIDGE FDB entries share the group). */
    static Neighbour decode(ByteBuffer b, int body, int end, String context) throws NetlinkProtocolException {
        Bodies.need(body, end, Rtnl.NDMSG_LEN, "ndmsg", context);
        int family = Byte.toUnsignedInt(b.get(body));          // ndm_family
        // body + 1, body + 2: ndm_pad1, ndm_pad2
        int ifindex = b.getInt(body + 4);                       // ndm_ifindex
        int state = Short.toUnsignedInt(b.getShort(body + 8));  // ndm_state (NUD_*)
        int flags = Byte.toUnsignedInt(b.get(body + 10));       // ndm_flags (NTF_*)
        // body + 11: ndm_type (RTN_*), not needed
        if (!Bodies.isInet(family)) {
            return null;
        }
        InetAddress address = null;
        byte[] lladdr = null;
        NlAttributes a = new NlAttributes(b, body + Rtnl.NDMSG_LEN, end, context);
        while (a.next()) {
            switch (a.type()) {
                case Rtnl.NDA_DST -> address = a.address(family);
                case Rtnl.NDA_LLADDR -> lladdr = a.length() == 0 ? null : a.bytes();
                default -> { } // cacheinfo, probes, ...: not forwarding state
            }
        }
        if (address == null) {
            throw new NetlinkProtocolException(context + ": no NDA_DST");
        }
        return new Neighbour(family, ifindex, address, lladdr, state, flags);
    }
}
