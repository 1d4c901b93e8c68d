package io.xdpgate.ebpf;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/** Builds Ethernet/IPv6 test frames: UDP by default, ICMPv6 or any next header on request. */
final class Frames6 {
    static final int ETH_P_IPV6 = 0x86dd;
    static final int NEXT_HOPOPTS = 0;
    static final int NEXT_UDP = 17;
    static final int NEXT_ICMPV6 = 58;

    private byte[] dmac = Frames.mac(1);
    private byte[] smac = Frames.mac(2);
    private int ethertype = ETH_P_IPV6;
    private int version = 6;
    private byte[] src = v6("2001:db8:1::100").getAddress();
    private byte[] dst = v6("2001:db8:100::7").getAddress();
    private int nextHeader = NEXT_UDP;
    private int hopLimit = 64;
    private int payload = 26; // a 80-byte frame
    private Integer icmpType;
    private Integer payloadLength;
    private int padding;
    private int truncateTo = -1;
    private Integer sport;
    private Integer dport;
    private Integer fragmentOf;
    private int fragmentField;

    static Frames6 ipv6() {
        return new Frames6();
    }

    /** An IPv6 literal; IPv4-mapped ones stay IPv6 (InetAddress.getByName would make them IPv4). */
    static Inet6Address v6(String literal) {
        if (!literal.contains(":")) {
            throw new AssertionError(literal + " is not an IPv6 literal");
        }
        try {
            byte[] a = InetAddress.getByName(literal).getAddress();
            if (a.length == 4) {
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xff;
                mapped[11] = (byte) 0xff;
                System.arraycopy(a, 0, mapped, 12, 4);
                a = mapped;
            }
            return Inet6Address.getByAddress(null, a, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError(literal + " is not an IPv6 literal", e);
        }
    }

    Frames6 dmac(byte[] m) {
        dmac = m.clone();
        return this;
    }

    Frames6 smac(byte[] m) {
        smac = m.clone();
        return this;
    }

    Frames6 ethertype(int t) {
        ethertype = t;
        return this;
    }

    Frames6 version(int v) {
        version = v;
        return this;
    }

    Frames6 src(String literal) {
        src = v6(literal).getAddress();
        return this;
    }

    Frames6 dst(String literal) {
        dst = v6(literal).getAddress();
        return this;
    }

    Frames6 nextHeader(int n) {
        nextHeader = n;
        return this;
    }

    Frames6 hopLimit(int h) {
        hopLimit = h;
        return this;
    }

    /** Bytes after the IPv6 header. */
    Frames6 payload(int n) {
        payload = n;
        return this;
    }

    /** An ICMPv6 message of this type (next header 58; type, code 0, a zero checksum, then bytes). */
    Frames6 icmp(int type) {
        nextHeader = NEXT_ICMPV6;
        icmpType = type;
        return this;
    }

    /** Overrides the payload length field to make malformed packets. */
    Frames6 payloadLength(int n) {
        payloadLength = n;
        return this;
    }

    /** Source and destination ports: the first four bytes of the payload (after a fragment header, if any). */
    Frames6 ports(int source, int destination) {
        sport = source;
        dport = destination;
        return this;
    }

    /**
     * A fragment: next header 44, and an 8-byte fragment header (inner next header {@code inner}, offset
     * in units of 8 bytes, M flag if more follow) at the start of the payload.
     */
    Frames6 fragment(int inner, int offset, boolean more) {
        nextHeader = 44;
        fragmentOf = inner;
        fragmentField = offset << 3 | (more ? 1 : 0);
        return this;
    }

    /** Trailing Ethernet padding beyond the payload. */
    Frames6 padding(int n) {
        padding = n;
        return this;
    }

    /** Cuts the built frame to n bytes. */
    Frames6 truncate(int n) {
        truncateTo = n;
        return this;
    }

    byte[] build() {
        ByteBuffer b = ByteBuffer.allocate(14 + 40 + payload + padding);
        b.put(dmac).put(smac).putShort((short) ethertype);
        b.putInt(version << 28 | 0x12345); // traffic class 0, flow label 0x12345
        b.putShort((short) (payloadLength == null ? payload : payloadLength));
        b.put((byte) nextHeader).put((byte) hopLimit);
        b.put(src).put(dst);
        for (int i = 0; i < payload; i++) {
            b.put((byte) i);
        }
        byte[] f = b.array();
        int l4 = 54;
        if (fragmentOf != null) {
            f[54] = (byte) (int) fragmentOf;
            f[55] = 0;
            f[56] = (byte) (fragmentField >> 8);
            f[57] = (byte) fragmentField;
            l4 += 8; // the identification stays the payload's bytes
        }
        if (sport != null) {
            byte[] ports = {(byte) (sport >> 8), (byte) (int) sport, (byte) (dport >> 8), (byte) (int) dport};
            for (int i = 0; i < 4 && l4 + i < 54 + payload; i++) {
                f[l4 + i] = ports[i]; // as much of them as the payload holds
            }
        }
        if (icmpType != null && payload > 0) {
            f[54] = (byte) (int) icmpType;
            for (int i = 55; i < Math.min(58, 54 + payload); i++) {
                f[i] = 0; // code, checksum
            }
        }
        return truncateTo < 0 ? f : java.util.Arrays.copyOf(f, truncateTo);
    }
}
