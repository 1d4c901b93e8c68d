package io.xdpgate.fastpath;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The addresses a configured route of the local table makes the router's own ({@code ip route add
 * local 10.0.0.0/24 dev lo}: AnyIP). The kernel looks in the local table before the main one, so
 * every address of such a prefix is delivered locally whatever the main table says; the fast path
 * treats them exactly like interface addresses (xg_local4/6: an exception to Linux), which it can
 * do for a prefix of at most {@value #MAX_ADDRESSES} addresses. A larger one cannot be listed: while
 * a VRF holds one, its ports are written down and Linux forwards all its traffic. Public for
 * {@code xdpgate ctl verify}, which expects what the manager writes.
 */
public final class LocalRoutes {

    /** The host bits of the largest prefix whose addresses are listed: 12, 4,096 addresses. */
    static final int MAX_HOST_BITS = 12;
    public static final int MAX_ADDRESSES = 1 << MAX_HOST_BITS;

    private LocalRoutes() {}

    /** Every address of the prefix, or null when there are more than {@link #MAX_ADDRESSES}. */
    public static List<InetAddress> addresses(InetAddress prefix, int prefixLength) {
        int hostBits = IpFamily.of(prefix).bits - prefixLength;
        if (hostBits < 0 || hostBits > MAX_HOST_BITS) return null;
        byte[] base = IpFamily.masked(prefix, prefixLength).getAddress();
        List<InetAddress> out = new ArrayList<>(1 << hostBits);
        for (int i = 0; i < 1 << hostBits; i++) {
            byte[] b = base.clone();
            // The host bits are clear and at most 12: the offset goes into the last two bytes.
            b[b.length - 1] |= (byte) i;
            b[b.length - 2] |= (byte) (i >>> 8);
            try {
                out.add(b.length == 4 ? InetAddress.getByAddress(b) : Inet6Address.getByAddress(null, b, -1));
            } catch (UnknownHostException e) {
                throw new AssertionError(e); // 4 or 16 bytes are always an address
            }
        }
        return out;
    }
}
