package io.xdpgate.lab.bench;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Destinations drawn at random from a routing table (a random prefix, random host bits inside
 * it) and the UDP frames that carry them into the router: what a router of that table sees.
 */
final class BenchFrames {

    static final int TTL = 64;
    private static final int PAYLOAD = 18;

    private BenchFrames() {}

    /** count destinations, each inside a prefix drawn uniformly from routes. */
    static List<InetAddress> destinations(List<InternetTable.Prefix> routes, int count, long seed) {
        if (routes.isEmpty()) throw new IllegalArgumentException("no routes to draw destinations from");
        SplittableRandom random = new SplittableRandom(seed);
        List<InetAddress> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            InternetTable.Prefix p = routes.get(random.nextInt(routes.size()));
            byte[] a = p.address().getAddress();
            for (int bit = p.length(); bit < a.length * 8; bit++) {
                if (random.nextBoolean()) a[bit / 8] |= (byte) (0x80 >>> (bit % 8));
            }
            try {
                out.add(InetAddress.getByAddress(a));
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    /** A UDP datagram from src to dst in an Ethernet frame from srcMac to dstMac, TTL (hop limit) 64. */
    static byte[] udp(byte[] dstMac, byte[] srcMac, InetAddress src, InetAddress dst, int sport, int dport) {
        boolean ipv4 = dst instanceof Inet4Address;
        if (ipv4 != (src instanceof Inet4Address)) throw new IllegalArgumentException("mixed families: " + src + " > " + dst);
        int ipLength = (ipv4 ? 20 : 40) + 8 + PAYLOAD;
        ByteBuffer b = ByteBuffer.allocate(14 + ipLength);
        b.put(dstMac).put(srcMac).putShort((short) (ipv4 ? 0x0800 : 0x86dd));
        int ip = b.position();
        if (ipv4) {
            b.put((byte) 0x45).put((byte) 0).putShort((short) ipLength).putShort((short) 0).putShort((short) 0x4000);
            b.put((byte) TTL).put((byte) 17).putShort((short) 0).put(src.getAddress()).put(dst.getAddress());
            b.putShort(ip + 10, (short) checksum(b.array(), ip, 20, 0));
        } else {
            b.putInt(0x60000000).putShort((short) (8 + PAYLOAD)).put((byte) 17).put((byte) TTL);
            b.put(src.getAddress()).put(dst.getAddress());
        }
        int udp = b.position();
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + PAYLOAD)).putShort((short) 0);
        for (int i = 0; i < PAYLOAD; i++) b.put((byte) ('a' + i));
        if (!ipv4) {
            long pseudo = sum(b.array(), ip + 8, 32) + 8 + PAYLOAD + 17;
            int c = checksum(b.array(), udp, 8 + PAYLOAD, pseudo);
            b.putShort(udp + 6, (short) (c == 0 ? 0xffff : c));
        }
        return b.array();
    }

    /**
     * What is wrong with a frame forwarded to dstMac from srcMac, null if nothing: the MACs, TTL
     * (hop limit) one less, the IPv4 header checksum still right, every other byte unchanged.
     */
    static String forwardingError(byte[] in, byte[] out, byte[] dstMac, byte[] srcMac) {
        if (out.length != in.length) return "length " + out.length + " instead of " + in.length;
        for (int i = 0; i < 6; i++) {
            if (out[i] != dstMac[i]) return "destination MAC " + Macs.text(out, 0) + ", expected " + Macs.text(dstMac, 0);
            if (out[6 + i] != srcMac[i]) return "source MAC " + Macs.text(out, 6) + ", expected " + Macs.text(srcMac, 0);
        }
        boolean ipv4 = (in[12] & 0xff) == 0x08;
        int ttlAt = ipv4 ? 14 + 8 : 14 + 7;
        for (int i = 12; i < in.length; i++) {
            boolean rewritten = i == ttlAt || (ipv4 && (i == 24 || i == 25));
            if (!rewritten && in[i] != out[i]) return "byte " + i + " changed";
        }
        if ((out[ttlAt] & 0xff) != (in[ttlAt] & 0xff) - 1) {
            return (ipv4 ? "TTL " : "hop limit ") + (out[ttlAt] & 0xff) + " after " + (in[ttlAt] & 0xff);
        }
        if (ipv4 && checksum(out, 14, 20, 0) != 0) return "bad IPv4 header checksum";
        return null;
    }

    /** The Internet checksum (RFC 1071) of length bytes at offset, plus initial. */
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

    /** "aa:bb:cc:dd:ee:ff" as six bytes. */
    static byte[] mac(String text) {
        String[] parts = text.split(":");
        if (parts.length != 6) throw new IllegalArgumentException("not a MAC address: " + text);
        byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++) mac[i] = (byte) Integer.parseInt(parts[i], 16);
        return mac;
    }

    /** For messages: IPv6 addresses in brackets. */
    static String text(InetAddress a) {
        return a instanceof Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
    }

    private static final class Macs {
        static String text(byte[] b, int at) {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < 6; i++) s.append(i == 0 ? "" : ":").append(String.format("%02x", b[at + i] & 0xff));
            return s.toString();
        }
    }
}
