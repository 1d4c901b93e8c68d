package io.xdpgate.ctl;

import io.xdpgate.fastpath.IpFamily;
import io.xdpgate.netlink.Address;
import io.xdpgate.netlink.Link;
import io.xdpgate.netlink.Route;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Test packets for one VRF, IPv4 and IPv6 in the proportion of the kernel's routes of each family (a
 * family no port has a source address for is left out): 85% to a random address inside a random route of
 * the main table, 10% to a random global unicast address (no route, or the default), 5% to a random
 * address inside a random route of the local table (the router's own addresses and local prefixes, its
 * broadcast and anycast addresses). Each arrives on a random fast path port, from a random host address of one of that port's
 * subnets, as UDP with random ports (so that ECMP flows vary). Destinations the kernel treats as martians
 * before any route lookup (0/8, 127/8, multicast, 240/4, ::/8, link-local) are never chosen: the route
 * lookup alone does not tell what the kernel does with those.
 */
final class PacketSampler {

    private static final int RT_TABLE_MAIN = 254;
    private static final int RT_TABLE_LOCAL = 255;
    private static final int AF_INET6 = 10;

    /** A subnet of a port: where sources come from. */
    private record Subnet(int ifindex, String name, InetAddress prefix, int length) {}

    private static final InetAddress ANY4 = address(new byte[4]);
    /** 2000::/3, global unicast. */
    private static final InetAddress GLOBAL6 = address(new byte[] {0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});

    private final Random random;
    private final List<Route> routes4 = new ArrayList<>();
    private final List<Route> routes6 = new ArrayList<>();
    private final List<Route> locals4 = new ArrayList<>();
    private final List<Route> locals6 = new ArrayList<>();
    private final Set<InetAddress> localSet = new HashSet<>();
    private final List<Subnet> subnets4 = new ArrayList<>();
    private final List<Subnet> subnets6 = new ArrayList<>();

    /**
     * @param ports the VRF's fast path ports that are up, by ifindex (only interfaces the kernel has are used)
     */
    PacketSampler(KernelSnapshot kernel, Set<Integer> ports, Random random) {
        this.random = random;
        for (Route r : kernel.routes()) {
            if (r.table() != RT_TABLE_MAIN || !(r.dst() instanceof Inet4Address || r.dst() instanceof Inet6Address)) continue;
            if (r.family() == AF_INET6 && (r.dst() instanceof Inet4Address || IpFamily.neverForwarded(r.dst(), r.dstLength()))) {
                continue;
            }
            (r.dst() instanceof Inet4Address ? routes4 : routes6).add(r);
        }
        for (Route r : kernel.routes()) {
            // The local table: the router's own addresses and prefixes (local), broadcast and anycast addresses.
            if (r.table() == RT_TABLE_LOCAL && !special(r.dst()) && r.dst().getAddress().length == (r.family() == AF_INET6 ? 16 : 4)) {
                (r.dst() instanceof Inet4Address ? locals4 : locals6).add(r);
            }
        }
        for (Address a : kernel.addresses()) localSet.add(a.address());
        for (Address a : kernel.addresses()) {
            Link l = kernel.links().get(a.ifindex());
            if (l == null || !ports.contains(a.ifindex()) || special(a.address())) continue;
            boolean v4 = a.address() instanceof Inet4Address;
            if (a.prefixLength() >= (v4 ? 31 : 127)) continue; // no other host on the subnet to come from
            (v4 ? subnets4 : subnets6).add(new Subnet(a.ifindex(), l.name(), a.address(), a.prefixLength()));
        }
    }

    /** Routes of each family the packets aim at, as found: for the report. */
    int routes4() {
        return routes4.size();
    }

    int routes6() {
        return routes6.size();
    }

    /** {@code n} packets; none when no port has a source address. */
    List<TestPacket> sample(int n) {
        List<TestPacket> out = new ArrayList<>(n);
        long weight4 = subnets4.isEmpty() ? 0 : Math.max(1, routes4.size());
        long weight6 = subnets6.isEmpty() ? 0 : Math.max(1, routes6.size());
        if (weight4 + weight6 == 0) return out;
        while (out.size() < n) {
            boolean v4 = random.nextDouble() * (weight4 + weight6) < weight4;
            TestPacket p = packet(v4);
            if (p != null) out.add(p);
        }
        return out;
    }

    private TestPacket packet(boolean v4) {
        Subnet from = (v4 ? subnets4 : subnets6).get(random.nextInt((v4 ? subnets4 : subnets6).size()));
        InetAddress src = host(from.prefix(), from.length());
        if (src == null || localSet.contains(src)) return null;
        double pick = random.nextDouble();
        InetAddress dst = null;
        String kind;
        List<Route> own = v4 ? locals4 : locals6;
        if (pick < 0.05 && !own.isEmpty()) {
            kind = "local";
            Route r = own.get(random.nextInt(own.size()));
            dst = inside(r.dst(), r.dstLength());
        } else if (pick < 0.15 || (v4 ? routes4 : routes6).isEmpty()) {
            kind = "random";
        } else {
            kind = "route";
            List<Route> routes = v4 ? routes4 : routes6;
            for (int attempt = 0; attempt < 10 && dst == null; attempt++) {
                Route r = routes.get(random.nextInt(routes.size()));
                dst = inside(r.dst(), r.dstLength());
                if (special(dst)) dst = null;
            }
        }
        while (dst == null || special(dst)) dst = v4 ? inside(ANY4, 0) : inside(GLOBAL6, 3);
        if (dst.equals(src)) return null;
        return new TestPacket(dst, src, from.ifindex(), from.name(), 1024 + random.nextInt(64512),
                1024 + random.nextInt(64512), kind);
    }

    /** A random address inside prefix/length. */
    private InetAddress inside(InetAddress prefix, int length) {
        byte[] b = prefix.getAddress();
        byte[] r = new byte[b.length];
        random.nextBytes(r);
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, length - 8 * i));
            int mask = (0xff << (8 - keep)) & 0xff;
            b[i] = (byte) ((b[i] & mask) | (r[i] & ~mask));
        }
        return address(b);
    }

    /** A random host of a subnet: neither its first address (network, subnet-router anycast) nor the IPv4 broadcast. */
    private InetAddress host(InetAddress prefix, int length) {
        for (int attempt = 0; attempt < 20; attempt++) {
            InetAddress a = inside(prefix, length);
            byte[] b = a.getAddress();
            if (allHostBits(b, length, 0) || (b.length == 4 && allHostBits(b, length, 1))) continue;
            return a;
        }
        return null;
    }

    private static boolean allHostBits(byte[] b, int length, int bit) {
        for (int i = length; i < b.length * 8; i++) {
            if (((b[i / 8] >> (7 - i % 8)) & 1) != bit) return false;
        }
        return true;
    }

    /** Not a global unicast destination: see the class comment. */
    static boolean special(InetAddress a) {
        byte[] b = a.getAddress();
        int first = b[0] & 0xff;
        if (b.length == 4) return first == 0 || first == 127 || first >= 224;
        return first == 0 || first == 0xff || (first == 0xfe && (b[1] & 0xc0) == 0x80);
    }

    private static InetAddress address(byte[] b) {
        try {
            return b.length == 4 ? InetAddress.getByAddress(b) : Inet6Address.getByAddress(null, b, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // 4 or 16 bytes are always an address
        }
    }
}
