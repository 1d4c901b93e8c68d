package io.xdpgate.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.ebpf.Route;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compares the IPv4 main table of a namespace, as {@code ip -j route} prints it, with the
 * routes of one VRF in the fast path's FIB: every prefix with its type, both ways.
 */
public final class RouteComparison {

    private RouteComparison() {}

    /** The differences, one line each; empty when the fast path holds exactly the kernel's routes. */
    public static List<String> differences(String netns, Path pinRoot, int vrf) {
        Map<String, String> kernel = kernelRoutes(netns);
        Map<String, String> fastPath = new TreeMap<>();
        try (FastPathMaps maps = FastPathMaps.open(pinRoot)) {
            for (FastPathMaps.Route4Entry r : maps.routes4()) {
                if (r.vrf() == vrf) fastPath.put(r.prefix().getHostAddress() + "/" + r.prefixLength(), typeName(r.route().type()));
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the FIB under " + pinRoot + ": " + e.getMessage(), e);
        }
        List<String> diffs = new ArrayList<>();
        kernel.forEach((prefix, type) -> {
            String fp = fastPath.get(prefix);
            if (fp == null) diffs.add("missing in the fast path: " + prefix + " " + type);
            else if (!compatible(type, fp)) diffs.add("type differs for " + prefix + ": kernel " + type + ", fast path " + fp);
        });
        fastPath.forEach((prefix, type) -> {
            if (!kernel.containsKey(prefix)) diffs.add("stale in the fast path: " + prefix + " " + type);
        });
        return diffs;
    }

    /**
     * A unicast route the fast path cannot express (a group of more paths than it has buckets, an
     * unknown nexthop object) is held as "leave to Linux" (unreachable type) by design.
     */
    private static boolean compatible(String kernel, String fastPath) {
        return kernel.equals(fastPath) || (kernel.equals("unicast") && fastPath.equals("unreachable"));
    }

    static Map<String, String> kernelRoutes(String netns) {
        Map<String, String> out = new TreeMap<>();
        try {
            JsonNode routes = new ObjectMapper().readTree(Sh.run(Sh.in(netns, "ip", "-j", "route", "show", "table", "main")));
            for (JsonNode r : routes) {
                String dst = r.path("dst").asText();
                if (dst.equals("default")) dst = "0.0.0.0/0";
                if (!dst.contains("/")) dst = dst + "/32";
                out.put(dst, r.path("type").asText("unicast"));
            }
        } catch (IOException e) {
            throw new IllegalStateException("unreadable ip -j route output", e);
        }
        return out;
    }

    private static String typeName(int type) {
        return switch (type) {
            case Route.UNICAST -> "unicast";
            case Route.LOCAL -> "local";
            case Route.BLACKHOLE -> "blackhole";
            case Route.UNREACHABLE -> "unreachable";
            case Route.PROHIBIT -> "prohibit";
            default -> "type" + type;
        };
    }
}
