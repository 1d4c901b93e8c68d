package io.xdpgate.netlink;

import java.nio.ByteBuffer;

/** NLMSG_ERROR and NLMSG_DONE bodies: an errno and, with NLM_F_ACK_TLVS, extended-ack attributes. */
final class Acks {
    private static final int NLMSGERR_LEN = 4 + Rtnl.NLMSG_HDRLEN; // int error; struct nlmsghdr msg

    private Acks() {}

    /** struct nlmsgerr { int error; struct nlmsghdr msg; } [echoed request payload] [ext-ack TLVs]. */
    static void error(ByteBuffer b, int flags, int body, int end, RtnlCodec.Summary s)
            throws NetlinkProtocolException {
        Bodies.need(body, end, 4, "nlmsgerr.error", "NLMSG_ERROR");
        int error = b.getInt(body);                              // error: 0 for an ACK, else -errno
        if (error > 0) {
            throw new NetlinkProtocolException("NLMSG_ERROR: positive error " + error);
        }
        if (error == 0) {
            s.acked = true;
        } else {
            s.error = -error;
        }
        if ((flags & Rtnl.NLM_F_ACK_TLVS) == 0) {
            return;
        }
        Bodies.need(body, end, NLMSGERR_LEN, "nlmsgerr", "NLMSG_ERROR");
        int tlvs;
        if ((flags & Rtnl.NLM_F_CAPPED) != 0) {
            tlvs = body + NLMSGERR_LEN; // the echoed request was cut to its header
        } else {
            long echoed = Integer.toUnsignedLong(b.getInt(body + 4)); // msg.nlmsg_len of the echoed request
            if (echoed < Rtnl.NLMSG_HDRLEN || 4 + echoed > end - body) {
                throw new NetlinkProtocolException("NLMSG_ERROR: echoed nlmsg_len " + echoed + " outside the "
                        + (end - body) + "-byte body");
            }
            tlvs = body + NlAttributes.align(4 + (int) echoed);
        }
        s.extAck = extAck(b, Math.min(tlvs, end), end, "NLMSG_ERROR");
    }

    /** A dump's end: int error (0, or -errno when the dump failed part way) [ext-ack TLVs]. */
    static void done(ByteBuffer b, int flags, int body, int end, RtnlCodec.Summary s)
            throws NetlinkProtocolException {
        s.done = true;
        if (end - body < 4) {
            return; // old kernels and some families send an empty NLMSG_DONE
        }
        int error = b.getInt(body);
        if (error < 0) {
            s.error = -error;
        }
        if ((flags & Rtnl.NLM_F_ACK_TLVS) != 0) {
            s.extAck = extAck(b, body + 4, end, "NLMSG_DONE");
        }
    }

    private static String extAck(ByteBuffer b, int start, int end, String context) throws NetlinkProtocolException {
        String message = null;
        NlAttributes a = new NlAttributes(b, start, end, context);
        while (a.next()) {
            if (a.type() == Rtnl.NLMSGERR_ATTR_MSG) {
                message = a.string();
            } // NLMSGERR_ATTR_OFFS and policy details point into our own request: not needed to report
        }
        return message;
    }
}
