package io.xdpgate.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The three-namespace lab: xgh1 -- xgr -- xgh2, joined by veth pairs.
 *
 * <pre>
 *   xgh1                      xgr (router)                        xgh2
 *   xgh1-r 10.201.1.2/24 ---- xgr-h1 10.201.1.1/24
 *                             xgr-h2 10.201.2.1/24 ---- xgh2-r 10.201.2.2/24
 * </pre>
 *
 * The host ends have checksum offload off (the XDP path never completes a partial checksum)
 * and GRO on (a veth only delivers XDP-redirected frames when its peer has XDP or GRO).
 */
public final class Lab implements AutoCloseable {

    public static final String H1 = "xgh1";
    public static final String ROUTER = "xgr";
    public static final String H2 = "xgh2";
    public static final String H1_IF = "xgh1-r";
    public static final String H2_IF = "xgh2-r";
    public static final String R_H1 = "xgr-h1";
    public static final String R_H2 = "xgr-h2";
    public static final String H1_ADDR = "10.201.1.2";
    public static final String H2_ADDR = "10.201.2.2";
    public static final String R_H1_ADDR = "10.201.1.1";
    public static final String R_H2_ADDR = "10.201.2.1";
    /** The VRF id the lab gives the router's namespace. */
    public static final int ROUTER_VRF = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    private Lab() {}

    public static Lab create() {
        destroy();
        Lab lab = new Lab();
        try {
            for (String ns : new String[] {H1, ROUTER, H2}) {
                Sh.run("ip", "netns", "add", ns);
                Sh.run(Sh.in(ns, "ip", "link", "set", "lo", "up"));
                // IPv4 only: no router solicitations or MLD reports in the counters.
                Sh.run(Sh.in(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"));
            }
            pair(H1, H1_IF, R_H1);
            pair(H2, H2_IF, R_H2);
            Sh.run(Sh.in(ROUTER, "sysctl", "-qw", "net.ipv4.ip_forward=1"));
            addr(H1, H1_IF, H1_ADDR);
            addr(ROUTER, R_H1, R_H1_ADDR);
            addr(ROUTER, R_H2, R_H2_ADDR);
            addr(H2, H2_IF, H2_ADDR);
            Sh.run(Sh.in(H1, "ip", "route", "add", "default", "via", R_H1_ADDR));
            Sh.run(Sh.in(H2, "ip", "route", "add", "default", "via", R_H2_ADDR));
            for (String[] end : new String[][] {{H1, H1_IF}, {H2, H2_IF}}) {
                Sh.run(Sh.in(end[0], "ethtool", "-K", end[1], "tx", "off", "gro", "on"));
            }
            return lab;
        } catch (RuntimeException e) {
            destroy();
            throw e;
        }
    }

    private static void pair(String hostNs, String hostIf, String routerIf) {
        Sh.run("ip", "link", "add", hostIf, "netns", hostNs, "type", "veth", "peer", "name", routerIf, "netns", ROUTER);
        Sh.run(Sh.in(hostNs, "ip", "link", "set", hostIf, "up"));
        Sh.run(Sh.in(ROUTER, "ip", "link", "set", routerIf, "up"));
    }

    private static void addr(String ns, String ifname, String address) {
        Sh.run(Sh.in(ns, "ip", "addr", "add", address + "/24", "dev", ifname));
    }

    /** Removes the namespaces (and with them the veths); safe to call when nothing exists. */
    public static void destroy() {
        for (String ns : new String[] {H1, ROUTER, H2}) {
            if (Files.exists(Path.of("/run/netns", ns))) Sh.exec(30, "ip", "netns", "del", ns);
        }
    }

    @Override
    public void close() {
        destroy();
    }

    public int ifindex(String ns, String ifname) {
        JsonNode n = json(Sh.in(ns, "ip", "-j", "link", "show", "dev", ifname));
        return n.get(0).get("ifindex").asInt();
    }

    /** A link statistic as iproute2 shows it, e.g. ("xgh1", "xgh1-r", "tx", "packets"). */
    public long linkStat(String ns, String ifname, String direction, String field) {
        JsonNode n = json(Sh.in(ns, "ip", "-j", "-s", "link", "show", "dev", ifname));
        return n.get(0).get("stats64").get(direction).get(field).asLong();
    }

    /** A counter of /proc/net/snmp in namespace {@code ns}, e.g. ("xgr", "Ip", "ForwDatagrams"). */
    public long snmp(String ns, String group, String counter) {
        String[] lines = Sh.run(Sh.in(ns, "cat", "/proc/net/snmp")).split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (!lines[i].startsWith(group + ":") || !lines[i + 1].startsWith(group + ":")) continue;
            String[] names = lines[i].split("\\s+");
            String[] values = lines[i + 1].split("\\s+");
            for (int k = 1; k < names.length && k < values.length; k++) {
                if (names[k].equals(counter)) return Long.parseLong(values[k]);
            }
        }
        throw new IllegalStateException("no counter " + group + "." + counter + " in /proc/net/snmp of " + ns);
    }

    /** Packets forwarded by the router's kernel (not by the fast path). */
    public long kernelForwarded() {
        return snmp(ROUTER, "Ip", "ForwDatagrams");
    }

    /** Runs many {@code ip} commands in one process in namespace {@code ns} (ip -batch). */
    public void ipBatch(String ns, java.util.List<String> commands) {
        try {
            Path file = Files.createTempFile("xg-batch", ".ip");
            try {
                Files.write(file, commands);
                Sh.run("ip", "-n", ns, "-batch", file.toString());
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write an ip batch: " + e.getMessage(), e);
        }
    }

    private static JsonNode json(String... command) {
        try {
            return JSON.readTree(Sh.run(command));
        } catch (IOException e) {
            throw new IllegalStateException("unreadable JSON from '" + String.join(" ", command) + "'", e);
        }
    }

    /**
     * Removes a bpffs directory of pins (unpinned links detach, unpinned maps are freed) and the
     * VRF table the fast path manager published for it.
     */
    public static void removePins(Path pinRoot) {
        try {
            Files.deleteIfExists(io.xdpgate.fastpath.VrfTable.pathFor(pinRoot));
        } catch (IOException e) {
            throw new IllegalStateException("cannot remove the VRF table of " + pinRoot + ": " + e.getMessage(), e);
        }
        if (!Files.exists(pinRoot)) return;
        try (Stream<Path> walk = Files.walk(pinRoot)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new IllegalStateException("cannot remove pin " + p + ": " + e.getMessage(), e);
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot list pins under " + pinRoot + ": " + e.getMessage(), e);
        }
    }
}
