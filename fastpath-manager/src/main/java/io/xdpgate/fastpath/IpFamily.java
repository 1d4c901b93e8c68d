package io.xdpgate.fastpath;

import io.xdpgate.ebpf.BpfException;
import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.ebpf.Neighbour;
import io.xdpgate.ebpf.Route;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * What differs between IPv4 and IPv6 for the fast path manager: which of the per-family maps
 * (xg_local4/6, xg_neigh4/6, xg_fib4/6) an object goes to, and the width of an address. Everything
 * else (keys, generations, nexthop slots, sweeps) is the same for both and written once.
 * Public for {@link #neverForwarded}, which {@code xdpgate ctl verify} applies as the manager does.
 */
public enum IpFamily {
    IPV4(32) {
        @Override
        void putLocal(FastPathMaps maps, int vrf, InetAddress a, int ifindex) throws BpfException {
            maps.putLocal4(vrf, (Inet4Address) a, ifindex);
        }

        @Override
        void deleteLocal(FastPathMaps maps, int vrf, InetAddress a) throws BpfException {
            maps.deleteLocal4(vrf, (Inet4Address) a);
        }

        @Override
        void putNeighbour(FastPathMaps maps, int vrf, int ifindex, InetAddress a, Neighbour n) throws BpfException {
            maps.putNeighbour4(vrf, ifindex, (Inet4Address) a, n);
        }

        @Override
        void deleteNeighbour(FastPathMaps maps, int vrf, int ifindex, InetAddress a) throws BpfException {
            maps.deleteNeighbour4(vrf, ifindex, (Inet4Address) a);
        }

        @Override
        void putRoute(FastPathMaps maps, int vrf, InetAddress prefix, int prefixLength, Route r) throws BpfException {
            maps.putRoute4(vrf, (Inet4Address) prefix, prefixLength, r);
        }

        @Override
        void deleteRoute(FastPathMaps maps, int vrf, InetAddress prefix, int prefixLength,
                         FastPathMaps.CoveringRoute4 covering) throws BpfException {
            maps.deleteRoute4(vrf, (Inet4Address) prefix, prefixLength, covering);
        }
    },

    IPV6(128) {
        @Override
        void putLocal(FastPathMaps maps, int vrf, InetAddress a, int ifindex) throws BpfException {
            maps.putLocal6(vrf, (Inet6Address) a, ifindex);
        }

        @Override
        void deleteLocal(FastPathMaps maps, int vrf, InetAddress a) throws BpfException {
            maps.deleteLocal6(vrf, (Inet6Address) a);
        }

        @Override
        void putNeighbour(FastPathMaps maps, int vrf, int ifindex, InetAddress a, Neighbour n) throws BpfException {
            maps.putNeighbour6(vrf, ifindex, (Inet6Address) a, n);
        }

        @Override
        void deleteNeighbour(FastPathMaps maps, int vrf, int ifindex, InetAddress a) throws BpfException {
            maps.deleteNeighbour6(vrf, ifindex, (Inet6Address) a);
        }

        @Override
        void putRoute(FastPathMaps maps, int vrf, InetAddress prefix, int prefixLength, Route r) throws BpfException {
            maps.putRoute6(vrf, (Inet6Address) prefix, prefixLength, r);
        }

        @Override
        void deleteRoute(FastPathMaps maps, int vrf, InetAddress prefix, int prefixLength,
                         FastPathMaps.CoveringRoute4 covering) throws BpfException {
            maps.deleteRoute6(vrf, (Inet6Address) prefix, prefixLength);
        }
    };

    /** Address width in bits: the longest prefix. */
    final int bits;

    IpFamily(int bits) {
        this.bits = bits;
    }

    static IpFamily of(InetAddress a) {
        return a instanceof Inet4Address ? IPV4 : IPV6;
    }

    abstract void putLocal(FastPathMaps maps, int vrf, InetAddress a, int ifindex) throws BpfException;

    abstract void deleteLocal(FastPathMaps maps, int vrf, InetAddress a) throws BpfException;

    abstract void putNeighbour(FastPathMaps maps, int vrf, int ifindex, InetAddress a, Neighbour n) throws BpfException;

    abstract void deleteNeighbour(FastPathMaps maps, int vrf, int ifindex, InetAddress a) throws BpfException;

    abstract void putRoute(FastPathMaps maps, int vrf, InetAddress prefix, int prefixLength, Route r) throws BpfException;

    /** covering: the route covering an IPv4 one, needed in a VRF with a DIR-24 table (ignored for IPv6). */
    abstract void deleteRoute(FastPathMaps maps, int vrf, InetAddress prefix, int prefixLength,
                              FastPathMaps.CoveringRoute4 covering) throws BpfException;

    /**
     * {@code a} with the bits beyond {@code prefixLength} cleared: one key per prefix. An IPv6 address
     * stays an Inet6Address, IPv4-mapped ones included (InetAddress.getByAddress would make those IPv4).
     */
    static InetAddress masked(InetAddress a, int prefixLength) {
        byte[] b = a.getAddress();
        boolean changed = false;
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, prefixLength - 8 * i));
            byte m = (byte) (b[i] & (0xff << (8 - keep)));
            changed |= m != b[i];
            b[i] = m;
        }
        // The kernel announces prefixes masked: most need no new address (one per route of a dump).
        if (!changed && (a instanceof Inet4Address || a instanceof Inet6Address a6 && a6.getScopeId() == 0
                && a6.getScopedInterface() == null)) {
            return a;
        }
        try {
            return b.length == 4 ? InetAddress.getByAddress(b) : Inet6Address.getByAddress(null, b, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // 4 or 16 bytes are always an address
        }
    }

    /**
     * Whether the IPv6 prefix lies inside fe80::/10 (link-local) or ff00::/8 (multicast). The program
     * hands every packet to such a destination to Linux before its route lookup (a router never forwards
     * link-local destinations, multicast is Linux's), so these routes are never looked up: the kernel's
     * per-link fe80::/64 routes, all with the same prefix, are not mirrored, nor multicast routes.
     */
    public static boolean neverForwarded(InetAddress prefix, int prefixLength) {
        if (!(prefix instanceof Inet6Address)) return false;
        byte[] b = prefix.getAddress();
        boolean linkLocal = prefixLength >= 10 && (b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0x80;
        boolean multicast = prefixLength >= 8 && (b[0] & 0xff) == 0xff;
        return linkLocal || multicast;
    }
}
