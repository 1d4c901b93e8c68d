package io.xdpgate.ctl;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * One UDP packet of {@code xdpgate ctl verify --packets}: what arrives on port {@code ingress}, from
 * {@code src} to {@code dst}, with TTL (hop limit) 64 and no options, small enough for any MTU.
 *
 * @param kind what the sampler aimed at: "route" (inside a kernel route), "random" (any global
 *             address), "local" (an address of the router)
 */
record TestPacket(InetAddress dst, InetAddress src, int ingress, String ingressName, int sport, int dport,
                  String kind) {

    static final int TTL = 64;
    private static final int PAYLOAD = 18;
    /** The sender's MAC: locally administered, unicast. */
    private static final byte[] HOST_MAC = {0x02, 0x78, 0x67, 0x00, 0x00, 0x01};

    boolean ipv4() {
        return dst instanceof Inet4Address;
    }

    /** The Ethernet frame, addressed to {@code portMac} (the ingress port's own MAC). */
    byte[] frame(byte[] portMac) {
        int ipLength = (ipv4() ? 20 : 40) + 8 + PAYLOAD;
        ByteBuffer b = ByteBuffer.allocate(14 + ipLength);
        b.put(portMac).put(HOST_MAC).putShort((short) (ipv4() ? 0x0800 : 0x86dd));
        int ip = b.position();
        if (ipv4()) {
            b.put((byte) 0x45).put((byte) 0).putShort((short) ipLength).putShort((short) (sport ^ dport)).putShort((short) 0);
            b.put((byte) TTL).put((byte) 17).putShort((short) 0).put(src.getAddress()).put(dst.getAddress());
            b.putShort(ip + 10, (short) checksum(b.array(), ip, 20, 0));
        } else {
            b.putInt(0x60000000).putShort((short) (8 + PAYLOAD)).put((byte) 17).put((byte) TTL);
            b.put(src.getAddress()).put(dst.getAddress());
        }
        int udp = b.position();
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + PAYLOAD)).putShort((short) 0);
        for (int i = 0; i < PAYLOAD; i++) b.put((byte) ('a' + i));
        if (!ipv4()) {
            // Mandatory over IPv6: the pseudo-header (addresses, length, next header) and the datagram.
            long pseudo = sum(b.array(), ip + 8, 32) + 8 + PAYLOAD + 17;
            int c = checksum(b.array(), udp, 8 + PAYLOAD, pseudo);
            b.putShort(udp + 6, (short) (c == 0 ? 0xffff : c));
        }
        return b.array();
    }

    /** The Internet checksum (RFC 1071) of {@code length} bytes at {@code offset}, plus {@code initial}. */
    static int checksum(byte[] data, int offset, int length, long initial) {
        long s = initial + sum(data, offset, length);
        while ((s >> 16) != 0) s = (s & 0xffff) + (s >> 16);
        return (int) (~s & 0xffff);
    }

    private static long sum(byte[] data, int offset, int length) {
        long s = 0;
        for (int i = 0; i + 1 < length; i += 2) s += ((data[offset + i] & 0xff) << 8) | (data[offset + i + 1] & 0xff);
        if ((length & 1) != 0) s += (data[offset + length - 1] & 0xff) << 8;
        return s;
    }

    @Override
    public String toString() {
        String s = src.getHostAddress();
        String d = dst.getHostAddress();
        return "UDP " + (ipv4() ? s : "[" + s + "]") + ":" + sport + " > " + (ipv4() ? d : "[" + d + "]") + ":" + dport
                + " in " + ingressName + " (" + kind + ")";
    }
}
