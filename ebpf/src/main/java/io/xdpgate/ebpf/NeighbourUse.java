package io.xdpgate.ebpf;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The fast path sent to kernel neighbour (vrf, ifindex, address) at {@code usedNanos}
 * (CLOCK_MONOTONIC_COARSE, within {@link MapLayouts#NEIGH_USED_RESOLUTION_NS} of its latest use):
 * an entry of xg_neigh_used (a connected neighbour) or of xg_nh_used (the gateway of a nexthop slot).
 */
public record NeighbourUse(int vrf, int ifindex, InetAddress address, long usedNanos) {

    /** The struct xg_neigh_ref of a neighbour: the family and the address in the first 4 or 16 bytes of addr. */
    static byte[] key(int vrf, int ifindex, InetAddress address) {
        byte[] addr = Arrays.copyOf(address.getAddress(), 16);
        int family = address instanceof Inet4Address ? MapLayouts.AF_INET : MapLayouts.AF_INET6;
        return StructBytes.allocate(MapLayouts.NEIGH_REF).host32("vrf", vrf).host32("ifindex", ifindex)
                .u8("family", family).bytes("addr", addr).array();
    }

    /** The use of a struct xg_neigh_ref at time {@code value} (a __u64), or null for a ref of no known family. */
    static NeighbourUse decode(byte[] ref, byte[] value) {
        StructBytes k = StructBytes.wrap(MapLayouts.NEIGH_REF, ref);
        InetAddress address = address(k.u8("family"), k.bytes("addr"));
        if (address == null) return null;
        return new NeighbourUse(k.host32("vrf"), k.host32("ifindex"), address, time(value));
    }

    static long time(byte[] value) {
        return ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getLong();
    }

    /** An address of family AF_INET (the first 4 bytes of addr) or AF_INET6, else null. */
    static InetAddress address(int family, byte[] addr) {
        try {
            if (family == MapLayouts.AF_INET) return InetAddress.getByAddress(Arrays.copyOf(addr, 4));
            // Without a scope, and an IPv4-mapped address stays IPv6 (getByAddress would make it IPv4).
            if (family == MapLayouts.AF_INET6) return Inet6Address.getByAddress(null, addr, -1);
            return null;
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // 4 or 16 bytes are always an address
        }
    }
}
