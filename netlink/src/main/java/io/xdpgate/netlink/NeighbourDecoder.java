package io.xdpgate.netlink;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/** RTM_NEWNEIGH / RTM_DELNEIGH body: struct ndmsg followed by NDA_* attributes. */
final class NeighbourDecoder {
    private NeighbourDecoder() {}

    /**
     * Returns null for families other than AF_INET and AF_INET6 (AF_BRIDGE FDB entries share the group),
     * except the one AF_BRIDGE entry the fast path needs: a VXLAN device's default remote, the all-zeros
     * MAC with NDA_DST (`bridge fdb append 00:00:00:00:00:00 dev vx0 dst B`, or what `remote B`
     * creates), returned as a Neighbour of family AF_BRIDGE whose address is the remote endpoint.
     */
    static Neighbour decode(ByteBuffer b, int body, int end, String context) throws NetlinkProtocolException {
        Bodies.need(body, end, Rtnl.NDMSG_LEN, "ndmsg", context);
        int family = Byte.toUnsignedInt(b.get(body));          // ndm_family
        // body + 1, body + 2: ndm_pad1, ndm_pad2
        int ifindex = b.getInt(body + 4);                       // ndm_ifindex
        int state = Short.toUnsignedInt(b.getShort(body + 8));  // ndm_state (NUD_*)
        int flags = Byte.toUnsignedInt(b.get(body + 10));       // ndm_flags (NTF_*)
        // body + 11: ndm_type (RTN_*), not needed
        if (family == Rtnl.AF_BRIDGE) {
            return vxlanDefaultRemote(b, body, end, ifindex, state, flags, context);
        }
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

    private static Neighbour vxlanDefaultRemote(ByteBuffer b, int body, int end, int ifindex, int state, int flags,
                                                String context) throws NetlinkProtocolException {
        InetAddress dst = null;
        byte[] lladdr = null;
        NlAttributes a = new NlAttributes(b, body + Rtnl.NDMSG_LEN, end, context);
        while (a.next()) {
            switch (a.type()) {
                // The remote's family is only told by its length (struct vxlan_rdst holds either).
                case Rtnl.NDA_DST -> dst = a.address(a.length() == 16 ? Rtnl.AF_INET6 : Rtnl.AF_INET);
                case Rtnl.NDA_LLADDR -> lladdr = a.bytes();
                default -> { } // NDA_PORT, NDA_VNI, NDA_IFINDEX (a remote's own overrides): not used
            }
        }
        if (dst == null || lladdr == null || lladdr.length != 6) return null;
        for (byte x : lladdr) {
            if (x != 0) return null; // a learned or configured entry for one MAC: not the default remote
        }
        return new Neighbour(Rtnl.AF_BRIDGE, ifindex, dst, lladdr, state, flags);
    }
}
