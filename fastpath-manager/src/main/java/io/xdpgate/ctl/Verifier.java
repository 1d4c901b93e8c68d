package io.xdpgate.ctl;

import io.xdpgate.ebpf.BpfException;
import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.ebpf.Fib4Dir;
import io.xdpgate.ebpf.Nexthop;
import io.xdpgate.ebpf.NexthopGroup;
import io.xdpgate.ebpf.Port;
import io.xdpgate.ebpf.Route;
import io.xdpgate.fastpath.IpFamily;
import io.xdpgate.fastpath.LocalRoutes;
import io.xdpgate.fastpath.Multipath;
import io.xdpgate.netlink.Address;
import io.xdpgate.netlink.Link;
import io.xdpgate.netlink.Neighbour;
import io.xdpgate.netlink.NexthopGroupMember;
import io.xdpgate.netlink.NexthopObject;
import io.xdpgate.netlink.PolicyRules;
import io.xdpgate.netlink.RouteNexthop;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Compares what the kernel of one VRF forwards by with what the fast path holds for it, by the
 * same rules the daemons apply: every difference is one line, and none means the fast path
 * decides as the kernel would (or hands the packet to it). IPv4 and IPv6 alike: objects of both
 * families are keyed by the text of their address, which never confuses one family with the other.
 */
final class Verifier {

    private static final int RT_TABLE_MAIN = 254;
    private static final int RTN_UNICAST = 1;
    private static final int AF_INET6 = 10;

    private Verifier() {}

    /**
     * The fast path's side of one VRF: routes of both families by prefix (those the manager never
     * writes, see {@link IpFamily#neverForwarded}, left out), the nexthop groups and slots they point at,
     * neighbours by "ifindex address" with their MAC, local addresses and ports.
     */
    record FastPathView(Map<RoutePrefix, Route> routes, Map<Integer, Nexthop> nexthops, Map<Integer, NexthopGroup> groups,
                        Map<String, byte[]> neighbours, Set<String> locals, Map<Integer, Port> ports, boolean fib4Dir) {

        /** {@code expectedRoutes}: about how many routes the VRF holds (the kernel's count), to size the map once. */
        static FastPathView of(FastPathMaps maps, int vrf, int expectedRoutes) throws BpfException {
            // Visited, not listed: a full table's million routes as entries with addresses were a large
            // part of a verify's time and memory.
            Map<RoutePrefix, Route> routes = new HashMap<>(capacity(expectedRoutes));
            maps.forEachRoute4((v, prefix, length, route) -> {
                if (v == vrf) routes.put(RoutePrefix.ipv4(prefix, length), route);
            });
            maps.forEachRoute6((v, hi, lo, length, route) -> {
                if (v != vrf) return;
                RoutePrefix p = new RoutePrefix(true, hi, lo, length);
                if (!IpFamily.neverForwarded(p.address(), length)) routes.put(p, route);
            });
            Map<String, byte[]> neighbours = new HashMap<>();
            for (FastPathMaps.Neighbour4Entry n : maps.neighbours4()) {
                if (n.vrf() == vrf) neighbours.put(n.ifindex() + " " + n.address().getHostAddress(), n.neighbour().mac());
            }
            for (FastPathMaps.Neighbour6Entry n : maps.neighbours6()) {
                if (n.vrf() == vrf) neighbours.put(n.ifindex() + " " + n.address().getHostAddress(), n.neighbour().mac());
            }
            Set<String> locals = new HashSet<>();
            for (FastPathMaps.Local4Entry l : maps.locals4()) {
                if (l.vrf() == vrf) locals.add(l.address().getHostAddress());
            }
            for (FastPathMaps.Local6Entry l : maps.locals6()) {
                if (l.vrf() == vrf) locals.add(l.address().getHostAddress());
            }
            Map<Integer, Port> ports = new HashMap<>();
            for (FastPathMaps.PortEntry p : maps.ports()) {
                if (p.vrf() == vrf) ports.put(p.ifindex(), p.port());
            }
            // Every slot a route points at, directly or through the buckets of its group, whatever its
            // flags: an invalid nexthop is still the route's.
            Map<Integer, Nexthop> nexthops = new HashMap<>();
            Map<Integer, NexthopGroup> groups = new HashMap<>();
            Set<Integer> slots = new HashSet<>();
            for (Route r : routes.values()) {
                if (r.isGroup()) {
                    if (groups.containsKey(r.groupId())) continue;
                    NexthopGroup g = maps.nexthopGroup(r.groupId());
                    if (g == null) continue;
                    groups.put(r.groupId(), g);
                    if (g.isValid()) slots.addAll(g.bucketsBySlot().keySet());
                } else if (r.type() == Route.UNICAST && r.nexthopId() > 0) {
                    slots.add(r.nexthopId());
                }
            }
            for (int id : slots) {
                Nexthop nh = maps.nexthop(id);
                if (nh != null) nexthops.put(id, nh);
            }
            return new FastPathView(routes, nexthops, groups, neighbours, locals, ports, maps.hasFib4Dir(vrf));
        }
    }

    /**
     * What the fast path must do with a kernel route: a {@link Route} type and, for UNICAST, either the
     * egress and gateway (null: directly connected) of the nexthop slot it forwards through, or the
     * canonical paths (see {@link Multipath}) of the nexthop group it forwards through (ECMP).
     */
    record Expected(int type, int oif, InetAddress gateway, List<Multipath.Path> paths) {
        /** An unknown or unusable nexthop object, more paths than a group holds, no egress: an exception. */
        static final Expected LEFT_TO_LINUX = new Expected(Route.UNREACHABLE, 0, null, null);

        Expected(int type, int oif, InetAddress gateway) {
            this(type, oif, gateway, null);
        }

        static Expected path(int oif, InetAddress gateway) {
            return oif > 0 ? new Expected(Route.UNICAST, oif, gateway) : LEFT_TO_LINUX;
        }

        /** Several paths: a group, or the one slot of paths that are all the same. */
        static Expected paths(List<Multipath.Path> paths) {
            for (Multipath.Path p : paths) if (p.ifindex() <= 0) return LEFT_TO_LINUX;
            List<Multipath.Path> canonical = Multipath.canonical(paths);
            if (canonical.size() == 1) return path(canonical.get(0).ifindex(), canonical.get(0).gateway());
            if (canonical.size() > Multipath.MAX_PATHS) return LEFT_TO_LINUX;
            return new Expected(Route.UNICAST, 0, null, canonical);
        }
    }

    /**
     * The fast path's rule for a kernel route of the main table whose type is mirrored. Through a
     * nexthop object (RTA_NH_ID) it follows the object, whatever the route also carries for older
     * readers (the kernel's nexthop compat mode): a single nexthop gives its slot, a blackhole drops,
     * a group of one member is that member, a larger group is ECMP over its members with their weights
     * (left to Linux if a member is not a single nexthop with an egress), and an id the kernel does not
     * know stays with Linux. Otherwise one path gives its slot, several a group.
     */
    static Expected expected(io.xdpgate.netlink.Route r, Map<Integer, NexthopObject> objects) {
        int type = mirroredType(r.type());
        if (type != Route.UNICAST) return new Expected(type, 0, null);
        if (r.nhId() != 0) {
            NexthopObject o = objects.get(r.nhId());
            if (o != null && o.isGroup() && o.group().size() > 1) return throughGroup(o, objects);
            if (o != null && o.isGroup()) o = objects.get(o.group().get(0).id());
            if (o == null || o.isGroup()) return Expected.LEFT_TO_LINUX;
            if (o.blackhole()) return new Expected(Route.BLACKHOLE, 0, null);
            return Expected.path(o.ifindex(), o.gateway());
        }
        if (r.multipath().size() > 1) {
            List<Multipath.Path> paths = new ArrayList<>();
            for (RouteNexthop h : r.multipath()) paths.add(new Multipath.Path(h.ifindex(), h.gateway(), h.weight()));
            return Expected.paths(paths);
        }
        if (r.multipath().size() == 1) {
            RouteNexthop only = r.multipath().get(0);
            return Expected.path(only.ifindex(), only.gateway());
        }
        return Expected.path(r.oif(), r.gateway());
    }

    private static Expected throughGroup(NexthopObject group, Map<Integer, NexthopObject> objects) {
        List<Multipath.Path> paths = new ArrayList<>();
        for (NexthopGroupMember m : group.group()) {
            NexthopObject o = objects.get(m.id());
            if (o == null || o.isGroup() || o.blackhole()) return Expected.LEFT_TO_LINUX;
            paths.add(new Multipath.Path(o.ifindex(), o.gateway(), m.weight()));
        }
        return Expected.paths(paths);
    }

    static List<String> differences(KernelSnapshot kernel, FastPathView fp) {
        List<String> diffs = new ArrayList<>();
        Set<String> kernelLocals = new HashSet<>();
        boolean largeLocal = addConfiguredLocals(kernel, kernelLocals);
        boolean rules = policyRouting(kernel);
        boolean portsDown = largeLocal || rules;
        String why = !portsDown ? "" : " (expected down: " + (rules ? "the policy routing rules are not the kernel's defaults"
                : "a local route too large to list") + ")";
        // Ports: the interface must exist with the same address, MTU and state.
        fp.ports().forEach((ifindex, port) -> {
            Link l = kernel.links().get(ifindex);
            if (l == null) diffs.add("port ifindex " + ifindex + " is not an interface of the kernel");
            else if (!Arrays.equals(l.mac(), port.mac()) || l.mtu() != port.mtu() || (l.isUp() && !portsDown) != port.isUp()) {
                diffs.add("port " + l.name() + ": kernel mac/mtu/up " + hex(l.mac()) + "/" + l.mtu() + "/" + l.isUp()
                        + ", fast path " + hex(port.mac()) + "/" + port.mtu() + "/" + port.isUp() + why);
            }
        });
        // The ports a nexthop may send through (its VALID flag): those up in the fast path, and while the
        // VRF's ports are written down for its own sake, those whose link is up (the manager marks a
        // nexthop by its egress link, not by the VRF's state: no packet of the VRF reaches it meanwhile).
        Set<Integer> egresses = new HashSet<>();
        fp.ports().forEach((ifindex, port) -> {
            Link l = kernel.links().get(ifindex);
            if (port.isUp() || portsDown && l != null && l.isUp()) egresses.add(ifindex);
        });
        // Local addresses, of both families.
        for (Address a : kernel.addresses()) kernelLocals.add(text(a.family(), a.address()));
        for (String a : kernelLocals) if (!fp.locals().contains(a)) diffs.add("local address " + a + " missing in the fast path");
        for (String a : fp.locals()) if (!kernelLocals.contains(a)) diffs.add("local address " + a + " stale in the fast path");
        // Neighbours: exactly the usable ones, with their address.
        Map<String, Neighbour> usable = new HashMap<>();
        for (Neighbour n : kernel.neighbours()) {
            if (usable(n)) usable.put(n.ifindex() + " " + text(n.family(), n.address()), n);
        }
        // The same, by egress and gateway address: what a route's nexthop looks its gateway up by.
        Map<NeighbourKey, Neighbour> gatewayNeighbours = new HashMap<>();
        usable.values().forEach(n -> gatewayNeighbours.put(new NeighbourKey(n.ifindex(), address(n.family(), n.address())), n));
        usable.forEach((key, n) -> {
            byte[] mac = fp.neighbours().get(key);
            if (mac == null) diffs.add("neighbour " + key + " " + hex(n.lladdr()) + " missing in the fast path");
            else if (!Arrays.equals(mac, n.lladdr())) {
                diffs.add("neighbour " + key + ": kernel " + hex(n.lladdr()) + ", fast path " + hex(mac));
            }
        });
        for (String key : fp.neighbours().keySet()) {
            if (!usable.containsKey(key)) diffs.add("neighbour " + key + " stale in the fast path");
        }
        // Routes of the main table; of several routes to one prefix (metrics), the kernel uses the lowest.
        Map<RoutePrefix, io.xdpgate.netlink.Route> routes = new HashMap<>(capacity(kernel.routes().size()));
        for (io.xdpgate.netlink.Route r : kernel.routes()) {
            if (!mirrored(r)) continue;
            routes.merge(prefix(r), r, (a, b) -> Integer.compareUnsigned(b.priority(), a.priority()) < 0 ? b : a);
        }
        routes.forEach((prefix, r) -> {
            Route e = fp.routes().get(prefix);
            // Named only for a difference: a full table's routes mostly have none.
            Supplier<String> what = () -> "route " + prefix
                    + (r.nhId() == 0 ? "" : " (nexthop object " + Integer.toUnsignedString(r.nhId()) + ")");
            if (e == null && fp.fib4Dir() && hiddenInFib4Dir(prefix, routes)) return; // decides nothing, so not shown
            if (e == null) diffs.add(what.get() + " missing in the fast path");
            else diffs.addAll(routeDifferences(what, expected(r, kernel.nexthops()), e, gatewayNeighbours, fp, egresses));
        });
        for (RoutePrefix prefix : fp.routes().keySet()) {
            if (!routes.containsKey(prefix)) diffs.add("route " + prefix + " stale in the fast path");
        }
        return diffs;
    }

    /**
     * Adds the addresses of the configured local routes (AnyIP) to {@code locals}; returns whether one is
     * too large to list, which sends the namespace's traffic to Linux, its ports written down (see LocalRoutes).
     */
    private static boolean addConfiguredLocals(KernelSnapshot kernel, Set<String> locals) {
        boolean tooLarge = false;
        for (io.xdpgate.netlink.Route r : kernel.routes()) {
            if (!r.isConfiguredLocal()) continue;
            List<InetAddress> listed = LocalRoutes.addresses(address(r.family(), r.dst()), r.dstLength());
            if (listed == null) tooLarge = true;
            else for (InetAddress a : listed) locals.add(a.getHostAddress());
        }
        return tooLarge;
    }

    /**
     * Whether the namespace's policy routing rules, of either family, are not exactly the kernel's
     * defaults: the kernel may then forward by other tables than main, so the manager writes the
     * namespace's ports down and Linux forwards all its traffic.
     */
    private static boolean policyRouting(KernelSnapshot kernel) {
        PolicyRules rules = new PolicyRules();
        for (io.xdpgate.netlink.Rule r : kernel.rules()) rules.apply(r, false);
        return rules.differingFamilies(true) != 0;
    }

    /**
     * As the daemons: the main table, a type the fast path knows (multicast, broadcast, anycast and the
     * like are Linux's alone), and not a prefix the program never looks up (link-local, multicast).
     */
    private static boolean mirrored(io.xdpgate.netlink.Route r) {
        if (r.table() != RT_TABLE_MAIN || mirroredType(r.type()) == 0) return false;
        return !IpFamily.neverForwarded(address(r.family(), r.dst()), r.dstLength());
    }

    /**
     * What the fast path may forward to: a usable entry with a unicast MAC (the manager never writes a
     * group address, such as the 33:33:... of the NOARP entries IPv6 keeps for multicast groups).
     */
    private static boolean usable(Neighbour n) {
        byte[] mac = n.lladdr();
        return n.usableForForwarding() && mac != null && mac.length == 6 && (mac[0] & 1) == 0;
    }

    /** A usable neighbour's key as a nexthop's gateway finds it: the egress and the address. */
    private record NeighbourKey(int ifindex, InetAddress address) {
        @Override
        public int hashCode() { // looked up once per route: spares the record's generic hash
            return 31 * ifindex + address.hashCode();
        }
    }

    private static List<String> routeDifferences(Supplier<String> what, Expected expected, Route fast,
                                                 Map<NeighbourKey, Neighbour> usable, FastPathView fp, Set<Integer> egresses) {
        List<String> diffs = new ArrayList<>(0);
        if (fast.type() != expected.type()) {
            diffs.add(what.get() + ": type " + fast.type() + " in the fast path, expected " + expected.type());
            return diffs;
        }
        if (expected.type() != Route.UNICAST) return diffs;
        if (expected.paths() != null) return groupDifferences(what, expected.paths(), fast, usable, fp, egresses);
        if (fast.isGroup()) {
            diffs.add(what.get() + ": through nexthop group " + fast.groupId() + " in the fast path, one path in the kernel");
            return diffs;
        }
        Nexthop nh = fp.nexthops().get(fast.nexthopId());
        if (nh == null) {
            diffs.add(what.get() + ": nexthop slot " + fast.nexthopId() + " is beyond the nexthop array");
            return diffs;
        }
        slotDifferences(diffs, what, nh, expected.oif(), expected.gateway(), usable, egresses);
        return diffs;
    }

    /**
     * A route that must forward through a group of these canonical paths: its buckets must follow the
     * kernel's weights exactly as the manager lays them out (one slot per path, in the paths' order), and
     * each path's slot must be right for that path, as a single path's slot.
     */
    private static List<String> groupDifferences(Supplier<String> what, List<Multipath.Path> paths, Route fast,
                                                 Map<NeighbourKey, Neighbour> usable, FastPathView fp, Set<Integer> egresses) {
        List<String> diffs = new ArrayList<>();
        if (!fast.isGroup()) {
            diffs.add(what.get() + ": one nexthop slot in the fast path, " + paths.size() + " paths in the kernel " + paths);
            return diffs;
        }
        NexthopGroup g = fp.groups().get(fast.groupId());
        if (g == null || !g.isValid()) {
            diffs.add(what.get() + ": nexthop group " + fast.groupId() + " is " + (g == null ? "beyond the group array" : "not in use"));
            return diffs;
        }
        int[] layout = NexthopGroup.layout(Multipath.weights(paths));
        int[] slotOfPath = new int[paths.size()]; // 0: the path has no bucket
        Map<Integer, Integer> pathOfSlot = new HashMap<>();
        boolean follows = true;
        for (int b = 0; b < NexthopGroup.BUCKETS && follows; b++) {
            int path = layout[b];
            int slot = g.bucket(b);
            if (slotOfPath[path] == 0) slotOfPath[path] = slot;
            Integer owner = pathOfSlot.putIfAbsent(slot, path);
            follows = slot > 0 && slotOfPath[path] == slot && (owner == null || owner == path);
        }
        if (!follows) {
            int[] counts = NexthopGroup.bucketCounts(Multipath.weights(paths));
            diffs.add(what.get() + ": buckets by slot " + g.bucketsBySlot() + " in the fast path, the kernel's paths "
                    + paths + " need " + Arrays.toString(counts) + " in this order");
            return diffs;
        }
        for (int i = 0; i < paths.size(); i++) {
            if (slotOfPath[i] == 0) continue; // a share under half a bucket: not in the group
            Multipath.Path p = paths.get(i);
            Nexthop nh = fp.nexthops().get(slotOfPath[i]);
            Supplier<String> path = () -> what.get() + " path " + p;
            if (nh == null) diffs.add(path.get() + ": nexthop slot " + slotOfPath[i] + " is beyond the nexthop array");
            else slotDifferences(diffs, path, nh, p.ifindex(), p.gateway(), usable, egresses);
        }
        return diffs;
    }

    /** The differences between one nexthop slot and the path (egress oif, gateway) it must be. */
    private static void slotDifferences(List<String> diffs, Supplier<String> what, Nexthop nh, int oif, InetAddress gateway,
                                        Map<NeighbourKey, Neighbour> usable, Set<Integer> egresses) {
        if (nh.ifindex() != oif) diffs.add(what.get() + ": egress ifindex " + nh.ifindex() + ", kernel " + oif);
        boolean valid = egresses.contains(oif);
        if (((nh.flags() & Nexthop.VALID) != 0) != valid) {
            diffs.add(what.get() + ": nexthop " + (valid ? "not valid" : "valid") + " but the egress "
                    + (valid ? "is" : "is not") + " an up fast path port");
        }
        if (gateway == null) {
            if ((nh.flags() & Nexthop.CONNECTED) == 0) diffs.add(what.get() + ": directly connected in the kernel, not in the fast path");
        } else {
            Neighbour n = usable.get(new NeighbourKey(oif, gateway));
            boolean resolved = (nh.flags() & Nexthop.RESOLVED) != 0;
            if ((nh.flags() & Nexthop.CONNECTED) != 0) {
                diffs.add(what.get() + ": via " + gateway.getHostAddress() + " in the kernel, directly connected in the fast path");
            } else if (n != null && (!resolved || !Arrays.equals(nh.dmac(), n.lladdr()))) {
                diffs.add(what.get() + ": gateway " + gateway.getHostAddress() + " is " + hex(n.lladdr()) + " in the kernel, "
                        + (resolved ? hex(nh.dmac()) : "unresolved") + " in the fast path");
            } else if (n == null && resolved) {
                diffs.add(what.get() + ": gateway " + gateway.getHostAddress() + " unresolved in the kernel, resolved in the fast path");
            }
        }
    }

    /** The fast path route type for a kernel RTN_* type; 0 when such routes are not mirrored. */
    private static int mirroredType(int rtn) {
        return switch (rtn) {
            case RTN_UNICAST -> Route.UNICAST;
            case 2 -> Route.LOCAL;
            case 6 -> Route.BLACKHOLE;
            case 7 -> Route.UNREACHABLE;
            case 8 -> Route.PROHIBIT;
            default -> 0;
        };
    }

    /** Whether a DIR-24 table holding the kernel's routes shows no entry of this one (see {@link Fib4Dir#hidden}). */
    private static boolean hiddenInFib4Dir(RoutePrefix p, Map<RoutePrefix, io.xdpgate.netlink.Route> routes) {
        if (p.ipv6()) return false;
        return Fib4Dir.hidden((int) p.lo(), p.length(), (prefix, length) -> routes.containsKey(RoutePrefix.ipv4(prefix, length)));
    }

    /** A HashMap's initial capacity for n entries: a full table's maps are not rehashed as they fill. */
    private static int capacity(int n) {
        return (int) Math.min(1L << 30, n * 4L / 3 + 1);
    }

    private static RoutePrefix prefix(io.xdpgate.netlink.Route r) {
        return RoutePrefix.of(address(r.family(), r.dst()), r.dstLength());
    }

    private static String text(int family, InetAddress a) {
        return address(family, a).getHostAddress();
    }

    /**
     * {@code a} in its object's family: netlink gives IPv4-mapped IPv6 addresses as Inet4Address,
     * the fast path's listings as the Inet6Address they are.
     */
    private static InetAddress address(int family, InetAddress a) {
        if (family != AF_INET6 || !(a instanceof Inet4Address)) return a;
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(a.getAddress(), 0, mapped, 12, 4);
        try {
            return Inet6Address.getByAddress(null, mapped, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // sixteen bytes are always an address
        }
    }

    private static String hex(byte[] mac) {
        if (mac == null) return "none";
        StringBuilder sb = new StringBuilder();
        for (byte b : mac) sb.append(sb.length() == 0 ? "" : ":").append(String.format("%02x", b & 0xff));
        return sb.toString();
    }
}
