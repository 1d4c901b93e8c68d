package io.xdpgate.netlink;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Walks the netlink attributes (struct nlattr / rtattr) of one bounded slice [start, end) of a buffer.
 * Every read is checked against the current attribute's payload, so a bad rta_len can never make us read
 * past its attribute, and every attribute against the slice, so never past its message either.
 */
final class NlAttributes {
    private final ByteBuffer buf;
    private final int end;
    private final String context;
    private int next;
    private int type;
    private int payload;
    private int payloadLength;

    /** {@code context} names the enclosing message for error messages, e.g. "RTM_NEWROUTE". */
    NlAttributes(ByteBuffer buf, int start, int end, String context) {
        this.buf = buf;
        this.next = start;
        this.end = end;
        this.context = context;
    }

    /** Moves to the next attribute; false at the end of the slice. */
    boolean next() throws NetlinkProtocolException {
        int left = end - next;
        if (left <= 0) {
            return false;
        }
        if (left < Rtnl.NLA_HDRLEN) {
            // Fewer bytes than a header can only be alignment padding, which is never more than 3 bytes.
            throw error("truncated attribute header: " + left + " bytes left");
        }
        int length = Short.toUnsignedInt(buf.getShort(next));
        if (length < Rtnl.NLA_HDRLEN) {
            throw error("rta_len " + length + " shorter than its header (type " + rawType() + ")");
        }
        if (length > left) {
            throw error("rta_len " + length + " past the end of the message (" + left + " bytes left, type "
                    + rawType() + ")");
        }
        type = rawType() & Rtnl.NLA_TYPE_MASK;
        payload = next + Rtnl.NLA_HDRLEN;
        payloadLength = length - Rtnl.NLA_HDRLEN;
        // The last attribute's padding may be absent: never step past the slice.
        next += Math.min(align(length), left);
        return true;
    }

    private int rawType() {
        return Short.toUnsignedInt(buf.getShort(next + 2));
    }

    int type() {
        return type;
    }

    int length() {
        return payloadLength;
    }

    int u8() throws NetlinkProtocolException {
        need(1);
        return Byte.toUnsignedInt(buf.get(payload));
    }

    /** A __be16 (ports): network byte order whatever the host's. */
    int u16BigEndian() throws NetlinkProtocolException {
        need(2);
        return (Byte.toUnsignedInt(buf.get(payload)) << 8) | Byte.toUnsignedInt(buf.get(payload + 1));
    }

    int u16() throws NetlinkProtocolException {
        need(2);
        return Short.toUnsignedInt(buf.getShort(payload));
    }

    int u32() throws NetlinkProtocolException {
        need(4);
        return buf.getInt(payload);
    }

    /** A NUL-terminated string; tolerates a missing NUL (the payload bounds it anyway). */
    String string() {
        int n = 0;
        while (n < payloadLength && buf.get(payload + n) != 0) {
            n++;
        }
        byte[] bytes = new byte[n];
        buf.get(payload, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    byte[] bytes() {
        byte[] bytes = new byte[payloadLength];
        buf.get(payload, bytes);
        return bytes;
    }

    /** The payload as an address of {@code family}; its length must be that family's (4 or 16 bytes). */
    InetAddress address(int family) throws NetlinkProtocolException {
        return address(family, payload, payloadLength);
    }

    /** The payload of RTA_VIA: struct rtvia { __kernel_sa_family_t rtvia_family; __u8 rtvia_addr[]; }. */
    InetAddress via() throws NetlinkProtocolException {
        need(2);
        int family = Short.toUnsignedInt(buf.getShort(payload));
        return address(family, payload + 2, payloadLength - 2);
    }

    private InetAddress address(int family, int at, int length) throws NetlinkProtocolException {
        int expected = addressLength(family);
        if (expected < 0) {
            throw error("attribute type " + type + ": address family " + family + " is not AF_INET or AF_INET6");
        }
        if (length != expected) {
            throw error("attribute type " + type + ": " + length + "-byte address, family " + family
                    + " needs " + expected);
        }
        byte[] bytes = new byte[length];
        buf.get(at, bytes);
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw error("attribute type " + type + ": bad address length " + length); // unreachable: length checked
        }
    }

    /** The payload as a nested attribute slice (IFLA_LINKINFO, ...). */
    NlAttributes nested() {
        return new NlAttributes(buf, payload, payload + payloadLength, context);
    }

    /** Start and end of the payload, for structures that are not attributes (RTA_MULTIPATH). */
    int payloadStart() {
        return payload;
    }

    int payloadEnd() {
        return payload + payloadLength;
    }

    private void need(int bytes) throws NetlinkProtocolException {
        if (payloadLength < bytes) {
            throw error("attribute type " + type + ": payload of " + payloadLength + " bytes, need " + bytes);
        }
    }

    NetlinkProtocolException error(String what) {
        return new NetlinkProtocolException(context + ": " + what);
    }

    static int addressLength(int family) {
        return family == Rtnl.AF_INET ? 4 : family == Rtnl.AF_INET6 ? 16 : -1;
    }

    static int align(int length) {
        return (length + Rtnl.NLMSG_ALIGNTO - 1) & ~(Rtnl.NLMSG_ALIGNTO - 1);
    }
}
