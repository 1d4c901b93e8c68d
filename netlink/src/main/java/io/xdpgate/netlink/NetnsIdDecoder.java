package io.xdpgate.netlink;

import java.nio.ByteBuffer;

/** RTM_NEWNSID / RTM_DELNSID body: struct rtgenmsg (padded to 4 bytes) followed by NETNSA_* attributes. */
final class NetnsIdDecoder {
    private NetnsIdDecoder() {}

    static NetnsId decode(ByteBuffer b, int body, int end, String context) throws NetlinkProtocolException {
        Bodies.need(body, end, Rtnl.RTGENMSG_LEN, "rtgenmsg", context);
        // body: rtgen_family (AF_UNSPEC), then 3 bytes of alignment padding
        int nsid = Rtnl.NETNSA_NSID_NOT_ASSIGNED;
        int pid = -1;
        int fd = -1;
        NlAttributes a = new NlAttributes(b, body + Rtnl.RTGENMSG_LEN, end, context);
        while (a.next()) {
            switch (a.type()) {
                case Rtnl.NETNSA_NSID -> nsid = a.u32(); // s32
                case Rtnl.NETNSA_PID -> pid = a.u32();
                case Rtnl.NETNSA_FD -> fd = a.u32();
                default -> { } // NETNSA_TARGET_NSID, NETNSA_CURRENT_NSID: about the request, not the id
            }
        }
        if (nsid < 0) {
            throw new NetlinkProtocolException(context + ": NETNSA_NSID missing or negative (" + nsid + ")");
        }
        return new NetnsId(nsid, pid, fd);
    }
}
