package io.xdpgate.netlink;


import java.nio.ByteBuffer;
import java.util.*;

/**
 * Regenerates the golden files (run as root with the test classpath; prints to stdout; the header comment of
 * each file is written by hand). Not a test: surefire does not pick it up.
 * <ul>
 * <li>no argument: src/test/resources/golden/ip-commands.txt (routes, neighbours, addresses)</li>
 * <li>{@code objects}: src/test/resources/golden/ip-commands-objects.txt (nexthop objects, VXLAN links,
 *     namespace ids); "PEER" in a command stands for a second namespace</li>
 * <li>{@code rules}: src/test/resources/golden/ip-rule-commands.txt (policy routing rules, both families)</li>
 * </ul>
 */
public final class GoldenCapture {
    static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (p.waitFor() != 0) throw new RuntimeException(String.join(" ", cmd));
    }
    public static void main(String[] a) throws Exception {
        boolean objects = a.length > 0 && a[0].equals("objects");
        boolean rules = a.length > 0 && a[0].equals("rules");
        String ns = "xgnlcap" + ProcessHandle.current().pid();
        String peer = ns + "p";
        run("ip", "netns", "add", ns);
        run("ip", "netns", "add", peer);
        try {
            run("ip", "-n", ns, "link", "set", "lo", "up");
            run("ip", "-n", ns, "link", "add", "xgva", "type", "veth", "peer", "name", "xgvb");
            run("ip", "-n", ns, "link", "set", "xgva", "address", "02:00:00:00:0a:01");
            run("ip", "-n", ns, "link", "set", "xgvb", "up");
            run("ip", "-n", ns, "link", "set", "xgva", "up");
            run("ip", "-n", ns, "addr", "add", "10.8.0.1/24", "dev", "xgva");
            String[][] commands = rules ? new String[][] {
                {"ip", "rule", "add", "from", "10.8.0.0/24", "table", "100", "pref", "1000"},
                {"ip", "rule", "add", "fwmark", "0x10", "lookup", "200", "pref", "1100"},
                {"ip", "rule", "del", "pref", "1000"},
                {"ip", "-6", "rule", "add", "to", "2001:db8:5::/48", "iif", "lo", "table", "300", "pref", "1200"},
                {"ip", "rule", "del", "pref", "32766"},
            } : objects ? new String[][] {
                {"ip", "nexthop", "add", "id", "1", "via", "10.8.0.2", "dev", "xgva"},
                {"ip", "nexthop", "add", "id", "2", "via", "10.8.0.3", "dev", "xgva", "proto", "static"},
                {"ip", "nexthop", "add", "id", "4", "blackhole"},
                {"ip", "nexthop", "add", "id", "10", "group", "1,3/2,255"},
                {"ip", "route", "add", "10.20.0.0/16", "nhid", "10"},
                {"ip", "link", "add", "xgvx", "type", "vxlan", "id", "42", "local", "10.8.0.1", "remote", "10.8.0.9", "dstport", "4789", "dev", "xgva", "ttl", "64"},
                {"ip", "link", "add", "xgvy", "type", "vxlan", "id", "43", "group", "239.1.1.1", "dev", "xgva", "nolearning"},
                {"ip", "link", "add", "xgve", "type", "veth", "peer", "name", "xgvf", "netns", "PEER"},
                {"ip", "nexthop", "del", "id", "10"},
            } : new String[][] {
                {"ip", "route", "add", "10.9.0.0/16", "via", "10.8.0.2", "metric", "20", "table", "1000"},
                {"ip", "route", "add", "10.10.0.0/16", "nexthop", "via", "10.8.0.2", "weight", "1", "nexthop", "via", "10.8.0.3", "weight", "3"},
                {"ip", "neigh", "add", "10.8.0.3", "lladdr", "02:00:5e:00:00:03", "dev", "xgva", "nud", "permanent"},
                {"ip", "addr", "add", "10.8.1.1/24", "dev", "xgva"},
            };
            int[] groups = rules ? new int[] {Rtnl.RTNLGRP_IPV4_RULE, Rtnl.RTNLGRP_IPV6_RULE} : objects
                    ? new int[] {Rtnl.RTNLGRP_LINK, Rtnl.RTNLGRP_NEXTHOP, Rtnl.RTNLGRP_NSID, Rtnl.RTNLGRP_IPV4_ROUTE}
                    : new int[] {Rtnl.RTNLGRP_IPV4_ROUTE, Rtnl.RTNLGRP_NEIGH, Rtnl.RTNLGRP_IPV4_IFADDR};
            for (String[] c : commands) {
                String out = NetworkNamespace.call(ns, () -> {
                    try (NetlinkSocket s = NetlinkSocket.open(1 << 20)) {
                        s.joinGroups(groups);
                        List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns));
                        for (String word : List.of(c).subList(1, c.length)) {
                            cmd.add(word.equals("PEER") ? peer : word);
                        }
                        run(cmd.toArray(new String[0]));
                        StringBuilder sb = new StringBuilder();
                        ByteBuffer d;
                        while ((d = s.receive()) != null) {
                            byte[] b = new byte[d.remaining()]; d.get(b);
                            sb.append(HexFormat.of().formatHex(b)).append('\n');
                        }
                        return sb.toString();
                    }
                });
                System.out.println("$ " + String.join(" ", c));
                System.out.print(out);
            }
        } finally {
            run("ip", "netns", "del", peer);
            run("ip", "netns", "del", ns);
        }
    }
}
