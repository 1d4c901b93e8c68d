package io.xdpgate.ctl;

import io.xdpgate.ebpf.BpfException;
import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.ebpf.Nexthop;
import io.xdpgate.ebpf.Port;
import io.xdpgate.ebpf.Route;
import io.xdpgate.netlink.Address;
import io.xdpgate.netlink.Link;
import io.xdpgate.netlink.Neighbour;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares what the kernel of one VRF forwards by with what the fast path holds for it, by the
 * same rules the daemons apply: every difference is one line, and none means the fast path
 * decides as the kernel would (or hands the packet to it).
 */
final class Verifier {

    private static final int RT_TABLE_MAIN = 254;
    private static final int RTN_UNICAST = 1;

    private Verifier() {}

    record FastPathView(Map<String, FastPathMaps.Route4Entry> routes, Map<Integer, Nexthop> nexthops,
                        Map<String, FastPathMaps.Neighbour4Entry> neighbours, Set<String> locals,
                        Map<Integer, Port> ports) {

        static FastPathView of(FastPathMaps maps, int vrf) throws BpfException {
            Map<String, FastPathMaps.Route4Entry> routes = new HashMap<>();
            for (FastPathMaps.Route4Entry r : maps.routes4()) {
                if (r.vrf() == vrf) routes.put(r.prefix().getHostAddress() + "/" + r.prefixLength(), r);
            }
            Map<String, FastPathMaps.Neighbour4Entry> neighbours = new HashMap<>();
            for (FastPathMaps.Neighbour4Entry n : maps.neighbours4()) {
                if (n.vrf() == vrf) neighbours.put(n.ifindex() + " " + n.address().getHostAddress(), n);
            }
            Set<String> locals = new HashSet<>();
            for (FastPathMaps.Local4Entry l : maps.locals4()) {
                if (l.vrf() == vrf) locals.add(l.address().getHostAddress());
            }
            Map<Integer, Port> ports = new HashMap<>();
            for (FastPathMaps.PortEntry p : maps.ports()) {
                if (p.vrf() == vrf) ports.put(p.ifindex(), p.port());
            }
            // Every slot a route points at, whatever its flags: an invalid nexthop is still the route's.
            Map<Integer, Nexthop> nexthops = new HashMap<>();
            for (FastPathMaps.Route4Entry r : routes.values()) {
                int id = r.route().nexthopId();
                if (r.route().type() == Route.UNICAST && id > 0 && !nexthops.containsKey(id)) {
                    Nexthop nh = maps.nexthop(id);
                    if (nh != null) nexthops.put(id, nh);
                }
            }
            return new FastPathView(routes, nexthops, neighbours, locals, ports);
        }
    }

    static List<String> differences(KernelSnapshot kernel, FastPathView fp) {
        List<String> diffs = new ArrayList<>();
        // Ports: the interface must exist with the same address, MTU and state.
        fp.ports().forEach((ifindex, port) -> {
            Link l = kernel.links().get(ifindex);
            if (l == null) diffs.add("port ifindex " + ifindex + " is not an interface of the kernel");
            else if (!Arrays.equals(l.mac(), port.mac()) || l.mtu() != port.mtu() || l.isUp() != port.isUp()) {
                diffs.add("port " + l.name() + ": kernel mac/mtu/up " + hex(l.mac()) + "/" + l.mtu() + "/" + l.isUp()
                        + ", fast path " + hex(port.mac()) + "/" + port.mtu() + "/" + port.isUp());
            }
        });
        // Local addresses.
        Set<String> kernelLocals = new HashSet<>();
        for (Address a : kernel.addresses()) {
            if (a.address() instanceof Inet4Address) kernelLocals.add(a.address().getHostAddress());
        }
        for (String a : kernelLocals) if (!fp.locals().contains(a)) diffs.add("local address " + a + " missing in the fast path");
        for (String a : fp.locals()) if (!kernelLocals.contains(a)) diffs.add("local address " + a + " stale in the fast path");
        // Neighbours: exactly the usable ones, with their address.
        Map<String, Neighbour> usable = new HashMap<>();
        for (Neighbour n : kernel.neighbours()) {
            if (n.address() instanceof Inet4Address && n.usableForForwarding() && n.lladdr() != null && n.lladdr().length == 6) {
                usable.put(n.ifindex() + " " + n.address().getHostAddress(), n);
            }
        }
        usable.forEach((key, n) -> {
            FastPathMaps.Neighbour4Entry e = fp.neighbours().get(key);
            if (e == null) diffs.add("neighbour " + key + " " + hex(n.lladdr()) + " missing in the fast path");
            else if (!Arrays.equals(e.neighbour().mac(), n.lladdr())) {
                diffs.add("neighbour " + key + ": kernel " + hex(n.lladdr()) + ", fast path " + hex(e.neighbour().mac()));
            }
        });
        for (String key : fp.neighbours().keySet()) {
            if (!usable.containsKey(key)) diffs.add("neighbour " + key + " stale in the fast path");
        }
        // Routes of the main table.
        Map<String, io.xdpgate.netlink.Route> routes = new HashMap<>();
        for (io.xdpgate.netlink.Route r : kernel.routes()) {
            if (r.table() == RT_TABLE_MAIN && r.dst() instanceof Inet4Address && mirroredType(r.type()) != 0) {
                routes.put(r.dst().getHostAddress() + "/" + r.dstLength(), r);
            }
        }
        routes.forEach((prefix, r) -> {
            FastPathMaps.Route4Entry e = fp.routes().get(prefix);
            if (e == null) {
                diffs.add("route " + prefix + " missing in the fast path");
                return;
            }
            diffs.addAll(routeDifferences(prefix, r, e.route(), kernel, usable, fp));
        });
        for (String prefix : fp.routes().keySet()) {
            if (!routes.containsKey(prefix)) diffs.add("route " + prefix + " stale in the fast path");
        }
        return diffs;
    }

    private static List<String> routeDifferences(String prefix, io.xdpgate.netlink.Route r, Route fast,
                                                 KernelSnapshot kernel, Map<String, Neighbour> usable, FastPathView fp) {
        List<String> diffs = new ArrayList<>();
        boolean single = r.type() == RTN_UNICAST && r.multipath().isEmpty() && r.nhId() == 0;
        int expectedType = r.type() == RTN_UNICAST && !single ? Route.UNREACHABLE : mirroredType(r.type());
        if (fast.type() != expectedType) {
            diffs.add("route " + prefix + ": type " + fast.type() + " in the fast path, expected " + expectedType);
            return diffs;
        }
        if (!single) return diffs;
        Nexthop nh = fp.nexthops().get(fast.nexthopId());
        if (nh == null) {
            diffs.add("route " + prefix + ": nexthop slot " + fast.nexthopId() + " is beyond the nexthop array");
            return diffs;
        }
        if (nh.ifindex() != r.oif()) diffs.add("route " + prefix + ": egress ifindex " + nh.ifindex() + ", kernel " + r.oif());
        Port port = fp.ports().get(r.oif());
        boolean valid = port != null && port.isUp();
        if (((nh.flags() & Nexthop.VALID) != 0) != valid) {
            diffs.add("route " + prefix + ": nexthop " + (valid ? "not valid" : "valid") + " but the egress "
                    + (valid ? "is" : "is not") + " an up fast path port");
        }
        if (r.gateway() == null) {
            if ((nh.flags() & Nexthop.CONNECTED) == 0) diffs.add("route " + prefix + ": directly connected in the kernel, not in the fast path");
        } else {
            Neighbour gw = usable.get(r.oif() + " " + r.gateway().getHostAddress());
            boolean resolved = (nh.flags() & Nexthop.RESOLVED) != 0;
            if (gw != null && (!resolved || !Arrays.equals(nh.dmac(), gw.lladdr()))) {
                diffs.add("route " + prefix + ": gateway " + r.gateway().getHostAddress() + " is " + hex(gw.lladdr())
                        + " in the kernel, " + (resolved ? hex(nh.dmac()) : "unresolved") + " in the fast path");
            } else if (gw == null && resolved) {
                diffs.add("route " + prefix + ": gateway " + r.gateway().getHostAddress() + " unresolved in the kernel, resolved in the fast path");
            }
        }
        return diffs;
    }

    /** The fast path route type for a kernel RTN_* type; 0 when such routes are not mirrored. */
    private static int mirroredType(int rtn) {
        return switch (rtn) {
            case 1 -> Route.UNICAST;
            case 2 -> Route.LOCAL;
            case 6 -> Route.BLACKHOLE;
            case 7 -> Route.UNREACHABLE;
            case 8 -> Route.PROHIBIT;
            default -> 0;
        };
    }

    private static String hex(byte[] mac) {
        if (mac == null) return "none";
        StringBuilder sb = new StringBuilder();
        for (byte b : mac) sb.append(sb.length() == 0 ? "" : ":").append(String.format("%02x", b & 0xff));
        return sb.toString();
    }
}
