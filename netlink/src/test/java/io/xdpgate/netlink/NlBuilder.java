package io.xdpgate.netlink;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Assembles netlink datagrams byte by byte (host order), so that tests can state every field. */
final class NlBuilder {
    private final ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.nativeOrder());
    private int message = -1;

    /** Starts a message; nlmsg_len is patched by {@link #end()}. */
    NlBuilder begin(int type, int flags, int seq, int pid) {
        message = b.position();
        b.putInt(0);              // nlmsg_len (patched)
        b.putShort((short) type); // nlmsg_type
        b.putShort((short) flags); // nlmsg_flags
        b.putInt(seq);            // nlmsg_seq
        b.putInt(pid);            // nlmsg_pid
        return this;
    }

    NlBuilder u8(int v) {
        b.put((byte) v);
        return this;
    }

    NlBuilder u16(int v) {
        b.putShort((short) v);
        return this;
    }

    NlBuilder u32(int v) {
        b.putInt(v);
        return this;
    }

    NlBuilder raw(byte... bytes) {
        b.put(bytes);
        return this;
    }

    /** struct rtattr: rta_len, rta_type, payload, padding to 4 bytes. */
    NlBuilder attr(int type, byte[] payload) {
        b.putShort((short) (4 + payload.length)); // rta_len
        b.putShort((short) type);                 // rta_type
        b.put(payload);
        pad();
        return this;
    }

    NlBuilder attrU32(int type, int value) {
        return attr(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array());
    }

    NlBuilder attrU8(int type, int value) {
        return attr(type, new byte[] {(byte) value});
    }

    NlBuilder attrString(int type, String value) {
        byte[] s = value.getBytes(StandardCharsets.UTF_8);
        byte[] z = new byte[s.length + 1]; // NUL-terminated, as the kernel sends names
        System.arraycopy(s, 0, z, 0, s.length);
        return attr(type, z);
    }

    NlBuilder attrAddress(int type, String address) {
        return attr(type, ip(address));
    }

    /** Opens a nested attribute (or an rtnexthop, with {@link #rtnh}); returns its start for {@link #close}. */
    int open(int type) {
        int start = b.position();
        b.putShort((short) 0);    // rta_len (patched)
        b.putShort((short) type); // rta_type
        return start;
    }

    /** struct rtnexthop: rtnh_len (patched by close), rtnh_flags, rtnh_hops, rtnh_ifindex. */
    int rtnh(int flags, int hops, int ifindex) {
        int start = b.position();
        b.putShort((short) 0);   // rtnh_len (patched)
        b.put((byte) flags);     // rtnh_flags
        b.put((byte) hops);      // rtnh_hops
        b.putInt(ifindex);       // rtnh_ifindex
        return start;
    }

    NlBuilder close(int start) {
        b.putShort(start, (short) (b.position() - start));
        pad();
        return this;
    }

    /** Patches nlmsg_len and pads the message to 4 bytes. */
    NlBuilder end() {
        b.putInt(message, b.position() - message);
        pad();
        return this;
    }

    private void pad() {
        while (b.position() % 4 != 0) {
            b.put((byte) 0);
        }
    }

    ByteBuffer build() {
        return ByteBuffer.wrap(bytes()).order(ByteOrder.nativeOrder());
    }

    byte[] bytes() {
        byte[] out = new byte[b.position()];
        b.duplicate().flip().get(out);
        return out;
    }

    static byte[] ip(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
