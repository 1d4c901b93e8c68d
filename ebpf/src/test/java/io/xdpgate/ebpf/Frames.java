package io.xdpgate.ebpf;

import java.nio.ByteBuffer;

/**
 * Builds Ethernet/IPv4 test frames (UDP by default: the payload's first four bytes are its ports), and
 * computes IPv4 header checksums from scratch.
 */
final class Frames {
    static final int ETH_P_IP = 0x0800;
    static final int ETH_P_ARP = 0x0806;

    private byte[] dmac = mac(1);
    private byte[] smac = mac(2);
    private int ethertype = ETH_P_IP;
    private int src = ip(192, 0, 2, 100);
    private int dst = ip(198, 51, 100, 7);
    private int ttl = 64;
    private int optionWords = 0;
    private int payload = 26; // UDP header + 18 bytes: a 60-byte frame
    private Integer version;
    private Integer ihl;
    private Integer totLen;
    private int padding;
    private int protocol = 17;
    private int fragment = 0x4000; // DF, offset 0
    private Integer sport;
    private Integer dport;

    static Frames ipv4() {
        return new Frames();
    }

    /** 02:00:00:00:00:0n, a locally administered unicast address. */
    static byte[] mac(int n) {
        return new byte[] {2, 0, 0, 0, 0, (byte) n};
    }

    static int ip(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    Frames dmac(byte[] m) {
        dmac = m.clone();
        return this;
    }

    Frames smac(byte[] m) {
        smac = m.clone();
        return this;
    }

    Frames ethertype(int t) {
        ethertype = t;
        return this;
    }

    Frames src(int a) {
        src = a;
        return this;
    }

    Frames dst(int a) {
        dst = a;
        return this;
    }

    Frames ttl(int t) {
        ttl = t;
        return this;
    }

    /** IP options, 4 bytes each (NOPs), raising ihl. */
    Frames optionWords(int n) {
        optionWords = n;
        return this;
    }

    /** Bytes after the IPv4 header. */
    Frames payload(int n) {
        payload = n;
        return this;
    }

    /** Overrides header fields to make malformed packets. */
    Frames version(int v) {
        version = v;
        return this;
    }

    Frames ihl(int v) {
        ihl = v;
        return this;
    }

    Frames totLen(int v) {
        totLen = v;
        return this;
    }

    /** The IP protocol (17, UDP, by default). */
    Frames protocol(int p) {
        protocol = p;
        return this;
    }

    /** Source and destination ports: the first four bytes of the payload. */
    Frames ports(int source, int destination) {
        sport = source;
        dport = destination;
        return this;
    }

    /** A fragment: offset in units of 8 bytes, MF set if more follow (DF clear). */
    Frames fragment(int offset, boolean more) {
        fragment = (more ? 0x2000 : 0) | offset;
        return this;
    }

    /** Trailing Ethernet padding beyond tot_len. */
    Frames padding(int n) {
        padding = n;
        return this;
    }

    byte[] build() {
        int hdr = 20 + 4 * optionWords;
        ByteBuffer b = ByteBuffer.allocate(14 + hdr + payload + padding);
        b.put(dmac).put(smac).putShort((short) ethertype);
        int v = version == null ? 4 : version;
        int h = ihl == null ? hdr / 4 : ihl;
        b.put((byte) (v << 4 | h));
        b.put((byte) 0); // DSCP/ECN
        b.putShort((short) (totLen == null ? hdr + payload : totLen));
        b.putShort((short) 0x1234); // id
        b.putShort((short) fragment); // DF by default
        b.put((byte) ttl).put((byte) protocol);
        b.putShort((short) 0); // checksum, filled below
        b.putInt(src).putInt(dst);
        for (int i = 0; i < optionWords * 4; i++) {
            b.put((byte) 1); // NOP
        }
        int l4 = b.position();
        for (int i = 0; i < payload; i++) {
            b.put((byte) i);
        }
        if (sport != null) {
            byte[] ports = {(byte) (sport >> 8), (byte) (int) sport, (byte) (dport >> 8), (byte) (int) dport};
            for (int i = 0; i < Math.min(4, payload); i++) {
                b.put(l4 + i, ports[i]); // as much of them as the payload holds
            }
        }
        byte[] f = b.array();
        int sum = ipv4Checksum(f, 14, hdr);
        f[24] = (byte) (sum >> 8);
        f[25] = (byte) sum;
        return f;
    }

    /** The RFC 791 header checksum of the header at off with its checksum field taken as zero. */
    static int ipv4Checksum(byte[] f, int off, int len) {
        long sum = 0;
        for (int i = 0; i < len; i += 2) {
            if (i == 10) {
                continue; // the checksum field itself
            }
            sum += ((f[off + i] & 0xff) << 8) | (f[off + i + 1] & 0xff);
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }

    /** An ARP reply addressed to dmac. */
    static byte[] arpReply(byte[] dmac, byte[] smac) {
        ByteBuffer b = ByteBuffer.allocate(60);
        b.put(dmac).put(smac).putShort((short) ETH_P_ARP);
        b.putShort((short) 1).putShort((short) ETH_P_IP).put((byte) 6).put((byte) 4).putShort((short) 2);
        b.put(smac).putInt(ip(192, 0, 2, 100)).put(dmac).putInt(ip(192, 0, 2, 1));
        return b.array();
    }
}
