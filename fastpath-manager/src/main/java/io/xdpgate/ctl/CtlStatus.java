package io.xdpgate.ctl;

import io.xdpgate.ebpf.Counter;
import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.ebpf.Stat;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** {@code xdpgate ctl status}: is there a fast path, where is it attached, is its manager running. */
final class CtlStatus {

    private CtlStatus() {}

    /** Whether a process listens on UNIX socket {@code path} (from /proc/net/unix: no connection is made). */
    static boolean listening(Path path) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/unix"))) {
                String[] f = line.trim().split("\\s+");
                // Num RefCount Protocol Flags Type St Inode Path; flags 00010000 = listening (__SO_ACCEPTCON)
                if (f.length >= 8 && f[7].equals(path.toString()) && (Integer.parseInt(f[3], 16) & 0x10000) != 0) return true;
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }

    /** The pinned XDP links: one per attached port, named vrfV-ifI. */
    static List<String> links(Path pinRoot) throws IOException {
        return allLinks(pinRoot).stream().filter(l -> l.matches("vrf\\d+-if\\d+")).toList();
    }

    /** Every pinned link: the ports' XDP (vrfV-ifI) and TC (vrfV-ifI-tc) ones, the exception devices' (exc-vrfV). */
    static List<String> allLinks(Path pinRoot) throws IOException {
        Path dir = pinRoot.resolve("links");
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static Map<String, Object> status(Path pinRoot, Path socket) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        boolean maps = Files.exists(pinRoot.resolve("xg_fib4"));
        out.put("pin_root", pinRoot.toString());
        out.put("fast_path", maps ? "present" : "absent");
        out.put("fastpath_manager", listening(socket) ? "running (listening on " + socket + ")" : "not running (nothing listens on " + socket + ")");
        out.put("attached", links(pinRoot));
        if (!maps) return out;
        Map<Integer, String> vrfs = new LinkedHashMap<>();
        try {
            vrfs.putAll(io.xdpgate.fastpath.VrfTable.read(pinRoot));
        } catch (IOException e) {
            out.put("vrf_table", e.getMessage());
        }
        out.put("vrfs", vrfs.size());
        try (FastPathMaps m = FastPathMaps.open(pinRoot)) {
            out.put("ipv4_routes", m.route4Count());
            out.put("ipv6_routes", m.route6Count());
            out.put("nexthops", m.nexthopsInUse().size());
            out.put("nexthop_groups", m.nexthopGroupsInUse().size());
            long forwarded = 0, exceptions = 0, drops = 0;
            for (Map.Entry<Stat, Counter> e : m.stats().entrySet()) {
                String n = e.getKey().name();
                if (n.equals("FORWARDED")) forwarded = e.getValue().packets();
                else if (n.startsWith("EXC_")) exceptions += e.getValue().packets();
                else if (n.startsWith("DROP")) drops += e.getValue().packets();
            }
            out.put("forwarded_packets", forwarded);
            out.put("exception_packets", exceptions);
            out.put("dropped_packets", drops);
        }
        return out;
    }

    static void print(Map<String, Object> status, PrintStream out) {
        status.forEach((k, v) -> out.printf("%-18s %s%n", k.replace('_', ' ') + ":", v instanceof List<?> l
                ? (l.isEmpty() ? "no port" : l.size() + " ports: " + String.join(", ", l.stream().map(String::valueOf).toList())) : v));
        if ("absent".equals(status.get("fast_path"))) {
            out.println("No fast path under " + status.get("pin_root") + ": is the fast path manager running with this --pin-root?");
        }
    }

    /** Removes the fast path: unpins the links (which detaches the programs), then every pinned map. */
    static List<String> detach(Path pinRoot) throws IOException {
        List<String> removed = new ArrayList<>();
        Map<Integer, String> vrfs = Map.of();
        try {
            vrfs = io.xdpgate.fastpath.VrfTable.read(pinRoot);
        } catch (IOException e) {
            // No table: the exception devices, if any, cannot be found by namespace; the pins still go.
        }
        for (String link : allLinks(pinRoot)) {
            Files.delete(pinRoot.resolve("links").resolve(link));
            removed.add("detached " + link);
            if (link.matches("exc-vrf\\d+")) {
                String netns = vrfs.get(Integer.parseInt(link.substring("exc-vrf".length())));
                if (netns != null && io.xdpgate.fastpath.ExceptionDevice.remove(netns)) {
                    removed.add("deleted " + io.xdpgate.fastpath.ExceptionDevice.NAME
                            + (netns.isEmpty() ? "" : " in netns " + netns));
                }
            }
        }
        Files.deleteIfExists(io.xdpgate.fastpath.VrfTable.pathFor(pinRoot));
        if (Files.exists(pinRoot)) {
            try (Stream<Path> walk = Files.walk(pinRoot)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                    if (!p.equals(pinRoot) && !Files.isDirectory(p)) removed.add("removed " + pinRoot.relativize(p));
                }
            }
        }
        return removed;
    }
}
