package io.xdpgate.ebpf;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One entry of xg_neigh_used: the fast path sent to kernel neighbour (vrf, ifindex, address)
 * at {@code usedNanos} (CLOCK_MONOTONIC_COARSE, within {@link MapLayouts#NEIGH_USED_RESOLUTION_NS}
 * of its latest use).
 */
public record NeighbourUse(int vrf, int ifindex, InetAddress address, long usedNanos) {

    /** The xg_neigh_used_key of a neighbour: the family and the address in the first 4 or 16 bytes of addr. */
    static byte[] key(int vrf, int ifindex, InetAddress address) {
        byte[] addr = Arrays.copyOf(address.getAddress(), 16);
        int family = address instanceof Inet4Address ? MapLayouts.AF_INET : MapLayouts.AF_INET6;
        return StructBytes.allocate(MapLayouts.NEIGH_USED_KEY).host32("vrf", vrf).host32("ifindex", ifindex)
                .u8("family", family).bytes("addr", addr).array();
    }

    /** The entry of a key and value, or null for a key of no known family (never written by the fast path). */
    static NeighbourUse decode(byte[] key, byte[] value) {
        StructBytes k = StructBytes.wrap(MapLayouts.NEIGH_USED_KEY, key);
        InetAddress address = address(k.u8("family"), k.bytes("addr"));
        if (address == null) return null;
        long used = ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getLong();
        return new NeighbourUse(k.host32("vrf"), k.host32("ifindex"), address, used);
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
