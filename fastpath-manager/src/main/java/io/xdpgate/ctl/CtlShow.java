package io.xdpgate.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xdpgate.ebpf.Counter;
import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.ebpf.Nexthop;
import io.xdpgate.ebpf.NexthopGroup;
import io.xdpgate.ebpf.Route;
import io.xdpgate.ebpf.Stat;

import java.io.IOException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** {@code xdpgate ctl show TOPIC}: what the fast path holds, read from its pinned maps. */
final class CtlShow {

    static final String TOPICS = "interfaces, routes, neighbours, nexthops, vrfs, stats";

    private CtlShow() {}

    /**
     * The table for {@code topic}; null if there is no such topic. {@code vrf} < 0: every VRF. Of the
     * topics that can hold millions of rows (routes, neighbours), the first {@code keep} rows are kept
     * (all if negative) and the others counted.
     */
    static Table table(String topic, FastPathMaps maps, Map<Integer, String> vrfs, int vrf, int keep) throws Exception {
        return switch (topic) {
            case "interfaces" -> interfaces(maps, vrfs, vrf);
            case "routes" -> routes(maps, vrf, keep);
            case "neighbours", "neighbors" -> neighbours(maps, vrf, keep);
            case "nexthops" -> nexthops(maps);
            case "vrfs" -> vrfs(maps, vrfs);
            case "stats" -> stats(maps, vrfs, vrf);
            default -> null;
        };
    }

    private static boolean wanted(int vrf, int filter) {
        return filter < 0 || vrf == filter;
    }

    private static Table interfaces(FastPathMaps maps, Map<Integer, String> vrfs, int filter) throws Exception {
        Table t = new Table("vrf", "netns", "ifindex", "name", "mac", "mtu", "state");
        Map<String, Map<Integer, String>> names = new HashMap<>();
        for (FastPathMaps.PortEntry p : maps.ports()) {
            if (!wanted(p.vrf(), filter)) continue;
            String netns = vrfs.getOrDefault(p.vrf(), "?");
            String name = names.computeIfAbsent(netns, CtlShow::interfaceNames).getOrDefault(p.ifindex(), "?");
            t.add(p.vrf(), netns.isEmpty() ? "(default)" : netns, p.ifindex(), name, mac(p.port().mac()), p.port().mtu(),
                    p.port().isUp() ? "up" : "down");
        }
        return t;
    }

    /** Interface names by ifindex in a namespace, as iproute2 shows them; empty if it cannot say. */
    private static Map<Integer, String> interfaceNames(String netns) {
        Map<Integer, String> out = new HashMap<>();
        try {
            ProcessBuilder pb = netns.isEmpty() || netns.equals("?")
                    ? new ProcessBuilder("ip", "-j", "link", "show") : new ProcessBuilder("ip", "-n", netns, "-j", "link", "show");
            Process p = pb.redirectErrorStream(false).start();
            JsonNode links = new ObjectMapper().readTree(p.getInputStream());
            p.waitFor();
            for (JsonNode l : links) out.put(l.path("ifindex").asInt(), l.path("ifname").asText());
        } catch (IOException | RuntimeException e) {
            // names are a convenience: ifindexes are shown anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    private static Table routes(FastPathMaps maps, int filter, int keep) throws Exception {
        Table t = new Table(keep, "vrf", "prefix", "type", "via");
        // Visited, not listed: a prefix is made text only for a row that is kept.
        maps.forEachRoute4((vrf, prefix, length, route) -> row(t, filter, vrf, RoutePrefix.ipv4(prefix, length), route));
        maps.forEachRoute6((vrf, hi, lo, length, route) -> row(t, filter, vrf, new RoutePrefix(true, hi, lo, length), route));
        return t;
    }

    private static void row(Table t, int filter, int vrf, RoutePrefix prefix, Route route) {
        if (!wanted(vrf, filter)) return;
        if (t.keeps()) t.add(vrf, prefix.toString(), type(route), via(route));
        else t.count();
    }

    private static String type(Route r) {
        return switch (r.type()) {
            case Route.UNICAST -> "forward";
            case Route.LOCAL -> "local";
            case Route.BLACKHOLE -> "blackhole";
            case Route.UNREACHABLE -> "to-linux";
            case Route.PROHIBIT -> "prohibit";
            default -> "type" + r.type();
        };
    }

    private static String via(Route r) {
        if (r.type() != Route.UNICAST) return "-";
        return r.isGroup() ? "group " + r.groupId() : "nexthop " + r.nexthopId();
    }

    private static Table neighbours(FastPathMaps maps, int filter, int keep) throws Exception {
        Table t = new Table(keep, "vrf", "ifindex", "address", "mac", "nud", "used");
        for (FastPathMaps.Neighbour4Entry n : maps.neighbours4()) {
            if (wanted(n.vrf(), filter)) t.add(n.vrf(), n.ifindex(), addr(n.address()), mac(n.neighbour().mac()), nud(n.neighbour().state()), n.neighbour().hit());
        }
        for (FastPathMaps.Neighbour6Entry n : maps.neighbours6()) {
            if (wanted(n.vrf(), filter)) t.add(n.vrf(), n.ifindex(), addr(n.address()), mac(n.neighbour().mac()), nud(n.neighbour().state()), n.neighbour().hit());
        }
        return t;
    }

    private static Table nexthops(FastPathMaps maps) throws Exception {
        Table t = new Table("id", "kind", "ifindex", "flags", "mtu", "dmac", "smac", "members");
        for (Map.Entry<Integer, Nexthop> e : new TreeMap<>(maps.nexthopsInUse()).entrySet()) {
            Nexthop n = e.getValue();
            t.add(e.getKey(), "nexthop", n.ifindex(), flags(n.flags()), n.mtu(), mac(n.dmac()), mac(n.smac()), "-");
        }
        for (Map.Entry<Integer, NexthopGroup> e : new TreeMap<>(maps.nexthopGroupsInUse()).entrySet()) {
            Map<Integer, Integer> buckets = new TreeMap<>();
            for (int slot : e.getValue().buckets()) buckets.merge(slot, 1, Integer::sum);
            StringBuilder members = new StringBuilder();
            buckets.forEach((slot, n) -> members.append(members.length() == 0 ? "" : " ").append(slot).append('x').append(n));
            t.add(e.getKey(), "group", "-", e.getValue().isValid() ? "valid" : "-", "-", "-", "-", members.toString());
        }
        return t;
    }

    private static Table vrfs(FastPathMaps maps, Map<Integer, String> vrfs) throws Exception {
        Map<Integer, int[]> counts = new TreeMap<>();
        for (Integer id : vrfs.keySet()) counts.put(id, new int[3]);
        for (FastPathMaps.PortEntry p : maps.ports()) counts.computeIfAbsent(p.vrf(), k -> new int[3])[0]++;
        maps.forEachRoute4((vrf, prefix, length, route) -> counts.computeIfAbsent(vrf, k -> new int[3])[1]++);
        maps.forEachRoute6((vrf, hi, lo, length, route) -> counts.computeIfAbsent(vrf, k -> new int[3])[2]++);
        Table t = new Table("vrf", "netns", "ports", "ipv4_routes", "ipv6_routes");
        counts.forEach((id, c) -> {
            String netns = vrfs.get(id);
            t.add(id, netns == null ? "?" : netns.isEmpty() ? "(default)" : netns, c[0], c[1], c[2]);
        });
        return t;
    }

    /**
     * The fast path's totals (interface "total", every counter; without --vrf only), then each port's
     * own counters by ingress interface: forwarded always, the others when not zero.
     */
    private static Table stats(FastPathMaps maps, Map<Integer, String> vrfs, int filter) throws Exception {
        Table t = new Table("vrf", "netns", "interface", "counter", "packets", "bytes");
        if (filter < 0) {
            for (Map.Entry<Stat, Counter> e : maps.stats().entrySet()) {
                t.add("-", "-", "total", counterName(e.getKey()), e.getValue().packets(), e.getValue().bytes());
            }
        }
        Map<String, Map<Integer, String>> names = new HashMap<>();
        java.util.List<FastPathMaps.PortEntry> ports = new java.util.ArrayList<>(maps.ports());
        ports.sort(java.util.Comparator.comparingInt(FastPathMaps.PortEntry::vrf).thenComparingInt(FastPathMaps.PortEntry::ifindex));
        for (FastPathMaps.PortEntry p : ports) {
            int slot = p.port().statsSlot();
            if (!wanted(p.vrf(), filter) || slot <= 0 || slot >= io.xdpgate.ebpf.MapLayouts.PORT_STATS_SLOTS) continue;
            String netns = vrfs.getOrDefault(p.vrf(), "?");
            String name = names.computeIfAbsent(netns, CtlShow::interfaceNames).getOrDefault(p.ifindex(), "ifindex " + p.ifindex());
            for (Map.Entry<Stat, Counter> e : maps.portStats(slot).entrySet()) {
                if (e.getKey() != Stat.FORWARDED && e.getValue().packets() == 0) continue;
                t.add(p.vrf(), netns.isEmpty() ? "(default)" : netns, name, counterName(e.getKey()), e.getValue().packets(),
                        e.getValue().bytes());
            }
        }
        return t;
    }

    private static String counterName(Stat s) {
        String kind = s.name().startsWith("FORWARDED") ? "" : s.name().startsWith("DROP") ? "drop: " : "exception: ";
        return kind + s.label();
    }

    static String mac(byte[] m) {
        if (m == null || m.length != 6) return "-";
        return String.format("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    }

    private static String addr(InetAddress a) {
        return a.getHostAddress();
    }

    private static String flags(int f) {
        StringBuilder s = new StringBuilder();
        if ((f & Nexthop.VALID) != 0) s.append("valid ");
        if ((f & Nexthop.CONNECTED) != 0) s.append("connected ");
        if ((f & Nexthop.RESOLVED) != 0) s.append("resolved ");
        return s.length() == 0 ? "-" : s.toString().trim().replace(' ', ',');
    }

    /** The kernel's NUD_* state names. */
    private static String nud(int state) {
        String[] names = {"incomplete", "reachable", "stale", "delay", "probe", "failed", "noarp", "permanent"};
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            if ((state & (1 << i)) != 0) s.append(s.length() == 0 ? "" : ",").append(names[i]);
        }
        return s.length() == 0 ? "none" : s.toString();
    }
}
