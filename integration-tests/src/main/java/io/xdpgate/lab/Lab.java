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

    /** The IPv6 addresses of the dual-stack lab (see {@link #createDualStack}). */
    public static final String H1_ADDR6 = "2001:db8:201:1::2";
    public static final String H2_ADDR6 = "2001:db8:201:2::2";
    public static final String R_H1_ADDR6 = "2001:db8:201:1::1";
    public static final String R_H2_ADDR6 = "2001:db8:201:2::1";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Namespaces and interfaces of this lab: the host ends are HOST-r, the router's ROUTER-h1/ROUTER-h2. */
    public final String h1;
    public final String router;
    public final String h2;
    public final String h1If;
    public final String h2If;
    public final String rH1;
    public final String rH2;

    private Lab(String h1, String router, String h2) {
        this.h1 = h1;
        this.router = router;
        this.h2 = h2;
        this.h1If = h1 + "-r";
        this.h2If = h2 + "-r";
        this.rH1 = router + "-h1";
        this.rH2 = router + "-h2";
    }

    /** The lab xgh1 -- xgr -- xgh2, IPv4 only (no router solicitations or MLD reports in the counters). */
    public static Lab create() {
        return create(H1, ROUTER, H2, false);
    }

    /** The same lab with IPv6 too: 2001:db8:201:1::/64 and 2001:db8:201:2::/64 beside the IPv4 subnets. */
    public static Lab createDualStack() {
        return create(H1, ROUTER, H2, true);
    }

    /**
     * A lab of three namespaces with the given names and the same addresses as the default one:
     * two such labs are two VRFs with overlapping prefixes.
     */
    public static Lab create(String h1, String router, String h2, boolean ipv6) {
        Lab lab = new Lab(h1, router, h2);
        lab.close();
        try {
            for (String ns : new String[] {h1, router, h2}) {
                Sh.run("ip", "netns", "add", ns);
                Sh.run(Sh.in(ns, "ip", "link", "set", "lo", "up"));
                String off = ipv6 ? "0" : "1";
                Sh.run(Sh.in(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=" + off, "net.ipv6.conf.default.disable_ipv6=" + off));
            }
            pair(h1, lab.h1If, router, lab.rH1);
            pair(h2, lab.h2If, router, lab.rH2);
            Sh.run(Sh.in(router, "sysctl", "-qw", "net.ipv4.ip_forward=1"));
            addr(h1, lab.h1If, H1_ADDR + "/24");
            addr(router, lab.rH1, R_H1_ADDR + "/24");
            addr(router, lab.rH2, R_H2_ADDR + "/24");
            addr(h2, lab.h2If, H2_ADDR + "/24");
            Sh.run(Sh.in(h1, "ip", "route", "add", "default", "via", R_H1_ADDR));
            Sh.run(Sh.in(h2, "ip", "route", "add", "default", "via", R_H2_ADDR));
            if (ipv6) {
                Sh.run(Sh.in(router, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"));
                addr(h1, lab.h1If, H1_ADDR6 + "/64");
                addr(router, lab.rH1, R_H1_ADDR6 + "/64");
                addr(router, lab.rH2, R_H2_ADDR6 + "/64");
                addr(h2, lab.h2If, H2_ADDR6 + "/64");
                Sh.run(Sh.in(h1, "ip", "-6", "route", "add", "default", "via", R_H1_ADDR6));
                Sh.run(Sh.in(h2, "ip", "-6", "route", "add", "default", "via", R_H2_ADDR6));
            }
            for (String[] end : new String[][] {{h1, lab.h1If}, {h2, lab.h2If}}) {
                Sh.run(Sh.in(end[0], "ethtool", "-K", end[1], "tx", "off", "gro", "on"));
            }
            return lab;
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    private static void pair(String hostNs, String hostIf, String routerNs, String routerIf) {
        Sh.run("ip", "link", "add", hostIf, "netns", hostNs, "type", "veth", "peer", "name", routerIf, "netns", routerNs);
        Sh.run(Sh.in(hostNs, "ip", "link", "set", hostIf, "up"));
        Sh.run(Sh.in(routerNs, "ip", "link", "set", routerIf, "up"));
    }

    /** An address without duplicate address detection: IPv6 ones are usable at once. */
    private static void addr(String ns, String ifname, String addressWithLength) {
        if (addressWithLength.contains(":")) {
            Sh.run(Sh.in(ns, "ip", "addr", "add", addressWithLength, "dev", ifname, "nodad"));
        } else {
            Sh.run(Sh.in(ns, "ip", "addr", "add", addressWithLength, "dev", ifname));
        }
    }

    /** Removes the default lab's namespaces (and with them the veths); safe to call when nothing exists. */
    public static void destroy() {
        new Lab(H1, ROUTER, H2).close();
    }

    /** Removes this lab's namespaces; safe to call when nothing exists. */
    @Override
    public void close() {
        for (String ns : new String[] {h1, router, h2}) {
            if (Files.exists(Path.of("/run/netns", ns))) Sh.exec(30, "ip", "netns", "del", ns);
        }
    }

    /** The MAC address of an interface, as iproute2 prints it (aa:bb:cc:dd:ee:ff). */
    public String mac(String ns, String ifname) {
        return json(Sh.in(ns, "ip", "-j", "link", "show", "dev", ifname)).get(0).get("address").asText();
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

    /** IPv4 packets forwarded by the router's kernel (not by the fast path). */
    public long kernelForwarded() {
        return snmp(router, "Ip", "ForwDatagrams");
    }

    /** IPv6 packets forwarded by the router's kernel (Ip6OutForwDatagrams of /proc/net/snmp6). */
    public long kernelForwarded6() {
        for (String line : Sh.run(Sh.in(router, "cat", "/proc/net/snmp6")).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2 && f[0].equals("Ip6OutForwDatagrams")) return Long.parseLong(f[1]);
        }
        throw new IllegalStateException("no Ip6OutForwDatagrams in /proc/net/snmp6 of " + router);
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
