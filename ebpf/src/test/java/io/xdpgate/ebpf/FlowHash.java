package io.xdpgate.ebpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An independent implementation of the flow hash xdpgate.h specifies for nexthop groups, computed from
 * a whole Ethernet frame, so that tests can say which bucket the program must pick.
 */
final class FlowHash {
    private FlowHash() {
    }

    /** The bucket of an IPv4 or IPv6 frame in a group with this seed. */
    static int bucket(byte[] frame, int seed) {
        return hash(frame, seed) & (NexthopGroup.BUCKETS - 1);
    }

    static int hash(byte[] frame, int seed) {
        ByteBuffer host = ByteBuffer.wrap(frame).order(ByteOrder.nativeOrder());
        ByteBuffer net = ByteBuffer.wrap(frame).order(ByteOrder.BIG_ENDIAN);
        int ethertype = net.getShort(12) & 0xffff;
        int h = seed;
        if (ethertype == Frames.ETH_P_IP) {
            int totLen = net.getShort(16) & 0xffff;
            boolean fragment = (net.getShort(20) & 0x3fff) != 0;
            int proto = frame[23] & 0xff;
            int ports = !fragment && hasPorts(proto) && totLen - 20 >= 4 ? host.getInt(34) : 0;
            h = word(h, host.getInt(26));
            h = word(h, host.getInt(30));
            h = word(h, proto);
            h = word(h, ports);
            return fmix(h, 16);
        }
        if (ethertype != Frames6.ETH_P_IPV6) {
            throw new IllegalArgumentException("not an IP frame");
        }
        int payload = net.getShort(18) & 0xffff;
        int proto = frame[20] & 0xff;
        int ports = 0;
        if (proto == 44) {
            if (payload >= 8) {
                proto = frame[54] & 0xff;
            }
        } else if (hasPorts(proto) && payload >= 4) {
            ports = host.getInt(54);
        }
        for (int off = 22; off < 54; off += 4) {
            h = word(h, host.getInt(off));
        }
        h = word(h, proto);
        h = word(h, ports);
        return fmix(h, 40);
    }

    private static boolean hasPorts(int proto) {
        return proto == 6 || proto == 17 || proto == 132;
    }

    private static int word(int h, int k) {
        k *= 0xcc9e2d51;
        k = Integer.rotateLeft(k, 15);
        k *= 0x1b873593;
        h ^= k;
        h = Integer.rotateLeft(h, 13);
        return h * 5 + 0xe6546b64;
    }

    private static int fmix(int h, int len) {
        h ^= len;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
