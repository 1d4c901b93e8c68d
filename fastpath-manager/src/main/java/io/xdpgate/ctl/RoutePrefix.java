package io.xdpgate.ctl;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * A route's prefix as a map key: its family, its address's bits (an IPv4 address in the low 32 of
 * {@code lo}) and its length. The verifier holds a million of each side's routes by prefix; keyed by
 * their text, formatting and hashing those strings took most of a full table's verify. The text, as
 * {@link InetAddress#getHostAddress} prints it, is made only for a difference that is printed.
 */
record RoutePrefix(boolean ipv6, long hi, long lo, int length) {

    static RoutePrefix ipv4(int address, int length) {
        return new RoutePrefix(false, 0, address & 0xffffffffL, length);
    }

    /** The prefix of an address of either family; null is the unspecified address of IPv4. */
    static RoutePrefix of(InetAddress address, int length) {
        if (address == null) return ipv4(0, length);
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) return ipv4(ByteBuffer.wrap(b).getInt(), length);
        ByteBuffer bytes = ByteBuffer.wrap(b);
        return new RoutePrefix(true, bytes.getLong(), bytes.getLong(), length);
    }

    /**
     * Mixed, unlike a record's own hash (31 times each field, added): a table's /24s share their low
     * eight bits, which crowded them into a few of HashMap's buckets, each turned into a tree.
     */
    @Override
    public int hashCode() {
        long h = (hi * 0x9E3779B97F4A7C15L) ^ lo ^ ((long) length << 56) ^ (ipv6 ? 1L << 63 : 0);
        h *= 0xBF58476D1CE4E5B9L;
        return (int) (h ^ (h >>> 32));
    }

    /** The prefix's address: an IPv6 prefix stays IPv6, an IPv4-mapped one too (as the fast path lists it). */
    InetAddress address() {
        try {
            return ipv6 ? Inet6Address.getByAddress(null, ByteBuffer.allocate(16).putLong(hi).putLong(lo).array(), -1)
                    : InetAddress.getByAddress(ByteBuffer.allocate(4).putInt((int) lo).array());
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four or sixteen bytes are always an address
        }
    }

    /** "10.1.0.0/16", "2001:db8::/32": as the verifier has always printed prefixes. */
    @Override
    public String toString() {
        return address().getHostAddress() + "/" + length;
    }
}
