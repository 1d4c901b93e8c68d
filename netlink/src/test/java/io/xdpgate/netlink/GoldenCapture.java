package io.xdpgate.netlink;


import java.nio.ByteBuffer;
import java.util.*;

/**
 * Regenerates src/test/resources/golden/ip-commands.txt (run as root with the test classpath; prints to
 * stdout; the header comment of that file is written by hand). Not a test: surefire does not pick it up.
 */
public final class GoldenCapture {
    static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (p.waitFor() != 0) throw new RuntimeException(String.join(" ", cmd));
    }
    public static void main(String[] a) throws Exception {
        String ns = "xgnlcap" + ProcessHandle.current().pid();
        run("ip", "netns", "add", ns);
        try {
            run("ip", "-n", ns, "link", "add", "xgva", "type", "veth", "peer", "name", "xgvb");
            run("ip", "-n", ns, "link", "set", "xgva", "address", "02:00:00:00:0a:01");
            run("ip", "-n", ns, "link", "set", "xgvb", "up");
            run("ip", "-n", ns, "link", "set", "xgva", "up");
            run("ip", "-n", ns, "addr", "add", "10.8.0.1/24", "dev", "xgva");
            String[][] commands = {
                {"ip", "route", "add", "10.9.0.0/16", "via", "10.8.0.2", "metric", "20", "table", "1000"},
                {"ip", "route", "add", "10.10.0.0/16", "nexthop", "via", "10.8.0.2", "weight", "1", "nexthop", "via", "10.8.0.3", "weight", "3"},
                {"ip", "neigh", "add", "10.8.0.3", "lladdr", "02:00:5e:00:00:03", "dev", "xgva", "nud", "permanent"},
                {"ip", "addr", "add", "10.8.1.1/24", "dev", "xgva"},
            };
            for (String[] c : commands) {
                String out = NetworkNamespace.call(ns, () -> {
                    try (NetlinkSocket s = NetlinkSocket.open(1 << 20)) {
                        s.joinGroups(Rtnl.RTNLGRP_IPV4_ROUTE, Rtnl.RTNLGRP_NEIGH, Rtnl.RTNLGRP_IPV4_IFADDR);
                        List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns));
                        cmd.addAll(List.of(c).subList(1, c.length));
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
            run("ip", "netns", "del", ns);
        }
    }
}
