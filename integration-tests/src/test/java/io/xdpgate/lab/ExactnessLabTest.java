package io.xdpgate.lab;

import io.xdpgate.ctl.CtlMain;
import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.ebpf.Fib4Dir;
import io.xdpgate.ebpf.Nexthop;
import io.xdpgate.ebpf.Route;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exactness: on a router holding a large table (100,000 IPv4 and 50,000 IPv6 routes: gateways on every
 * link, ECMP over several links, nexthop objects and groups, gateways without a usable neighbour,
 * routes through an interface that is no fast path port, blackhole, unreachable and prohibit routes,
 * local addresses and local routes), {@code xdpgate ctl verify --packets 100000} finds the fast path's
 * decision (BPF_PROG_TEST_RUN) equal to the kernel's own (its route lookup and neighbour table) for
 * every one of 100,000 random packets, after finding the maps in sync with the kernel; and that it
 * finds the packets a corrupted fast path decides wrongly.
 *
 * <pre>
 *   xgx1 -- xgxr-h1  10.201.1.1/24  2001:db8:201:1::1/64   port
 *           xgxr-h2  10.201.2.1/24  2001:db8:201:2::1/64   port  -- xgx2
 *           xgxr-h2b 10.201.3.1/24  2001:db8:201:3::1/64   port  -- xgx2
 *           xgxr-np  10.201.4.1/24  2001:db8:201:4::1/64   not a port -- xgx2
 * </pre>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExactnessLabTest {

    private static final Path PIN_ROOT = Path.of("/sys/fs/bpf/xg-test-exact");
    private static final Path SOCKET = Path.of("/run/xdpgate/xg-test-exact.sock");
    private static final String H1 = "xgx1";
    private static final String R = "xgxr";
    private static final String H2 = "xgx2";
    private static final int VRF = 7;
    private static final int ROUTES4 = 100_000;
    private static final int ROUTES6 = 50_000;
    private static final int PACKETS = 100_000;
    /** Router interface, host interface, IPv4 subnet (third octet), fast path port. */
    private static final String[][] EXTRA_LINKS = {{"xgxr-h2b", "xgx2-rb", "3"}, {"xgxr-np", "xgx2-np", "4"}};

    private static Lab lab;
    private static Daemons daemons;

    @BeforeAll
    static void start() throws Exception {
        Privileged.require();
        Lab.removePins(PIN_ROOT);
        lab = Lab.create(H1, R, H2, true);
        for (String[] l : EXTRA_LINKS) {
            Sh.run("ip", "link", "add", l[1], "netns", H2, "type", "veth", "peer", "name", l[0], "netns", R);
            Sh.run(Sh.in(H2, "ip", "link", "set", l[1], "up"));
            Sh.run(Sh.in(R, "ip", "link", "set", l[0], "up"));
            Sh.run(Sh.in(H2, "ethtool", "-K", l[1], "tx", "off", "gro", "on"));
            Sh.run(Sh.in(R, "ip", "addr", "add", "10.201." + l[2] + ".1/24", "dev", l[0]));
            Sh.run(Sh.in(H2, "ip", "addr", "add", "10.201." + l[2] + ".2/24", "dev", l[1]));
            Sh.run(Sh.in(R, "ip", "addr", "add", "2001:db8:201:" + l[2] + "::1/64", "dev", l[0], "nodad"));
            Sh.run(Sh.in(H2, "ip", "addr", "add", "2001:db8:201:" + l[2] + "::2/64", "dev", l[1], "nodad"));
        }
        daemons = new Daemons(PIN_ROOT, SOCKET, Path.of("target", "lab-logs", "exactness"));
        daemons.startFastPathManager(String.join(",", R + "/" + lab.rH1, R + "/" + lab.rH2, R + "/xgxr-h2b"));
        daemons.startCacheManagerFor(R, VRF);
        // Linux resolves the real hosts once (they stay usable: reachable, later stale).
        for (String a : new String[] {"10.201.1.2", "10.201.2.2", "10.201.3.2", "10.201.4.2", "2001:db8:201:1::2",
                "2001:db8:201:2::2", "2001:db8:201:3::2", "2001:db8:201:4::2"}) {
            Sh.run(Sh.in(R, "ping", "-c", "1", "-W", "2", a));
        }
    }

    @AfterAll
    static void stop() {
        if (daemons != null) daemons.close();
        if (lab != null) lab.close();
        Lab.removePins(PIN_ROOT);
    }

    @Test
    @Order(1)
    void theFastPathDecidesAsTheKernelForEveryRandomPacket() throws Exception {
        long t0 = System.nanoTime();
        List<String> batch = new ArrayList<>();
        int[] counts = table(new Random(20240607), batch);
        lab.ipBatch(R, batch);
        long t1 = System.nanoTime();
        // The DIR-24 table shows no route whose every /24 longer routes take (it decides nothing).
        awaitRoutes(counts[0] - counts[2], counts[1], Duration.ofSeconds(60));
        long t2 = System.nanoTime();

        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        int status = CtlMain.run(new String[] {"verify", "--pin-root", PIN_ROOT.toString(), "--packets",
                String.valueOf(PACKETS), "--seed", "1", "--max", "40"}, out, out);
        long t3 = System.nanoTime();
        String report = buffer.toString(StandardCharsets.UTF_8);
        System.out.print(report);
        System.out.printf("exactness: %d IPv4 and %d IPv6 routes installed in %.1f s, in the fast path %.1f s later;"
                        + " ctl verify --packets %d took %.1f s%n", counts[0], counts[1], (t1 - t0) / 1e9,
                (t2 - t1) / 1e9, PACKETS, (t3 - t2) / 1e9);

        assertTrue(report.contains("fast path in sync with the kernel"), "the state comparison:\n" + report);
        Matcher m = Pattern.compile("  packets: (\\d+) \\((\\d+) IPv4, (\\d+) IPv6\\).*: (\\d+) mismatches").matcher(report);
        assertTrue(m.find(), report);
        assertEquals(PACKETS, Integer.parseInt(m.group(1)), report);
        assertTrue(Integer.parseInt(m.group(2)) > PACKETS / 2 && Integer.parseInt(m.group(3)) > PACKETS / 5,
                "both families in the proportion of the routes:\n" + report);
        assertEquals(0, Integer.parseInt(m.group(4)), "mismatches:\n" + report);
        assertTrue(!report.contains("did not repeat"), "every decision agreed at the first look:\n" + report);
        // Every kind of decision was met.
        for (String outcome : new String[] {"forwarded ", "forwarded ecmp ", "local ", "no_neigh ", "no_route ",
                "not_port ", "route_type ", "drop blackhole "}) {
            assertTrue(report.contains(outcome), "no packet was '" + outcome.strip() + "':\n" + report);
        }
        assertEquals(0, status, report);
    }

    /**
     * Three wrong entries written into the maps behind the daemons' back (nothing in the kernel changes,
     * so they stay): a gateway's MAC, the default route made a blackhole, a gateway made unresolved.
     * Each must show in the mismatches, with the packets it decides wrongly.
     */
    @Test
    @Order(2)
    void aCorruptedFastPathIsCaught() throws Exception {
        byte[] gateway = {0x02, 0x10, 0x01, 0x00, 0x00, 0x10};
        byte[] gateway6 = {0x02, 0x60, 0x02, 0x00, 0x00, 0x12};
        try (FastPathMaps maps = FastPathMaps.open(PIN_ROOT)) {
            int changed = 0;
            for (var e : maps.nexthopsInUse().entrySet()) {
                Nexthop n = e.getValue();
                if (java.util.Arrays.equals(n.dmac(), gateway)) {
                    maps.putNexthop(e.getKey(), new Nexthop(n.ifindex(), n.flags(), n.mtu(),
                            new byte[] {0x02, (byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 0x01}, n.smac(), false));
                    changed++;
                } else if (java.util.Arrays.equals(n.dmac(), gateway6)) {
                    maps.putNexthop(e.getKey(), new Nexthop(n.ifindex(), n.flags() & ~Nexthop.RESOLVED, n.mtu(),
                            new byte[6], n.smac(), false));
                    changed++;
                }
            }
            assertEquals(2, changed, "the nexthop slots of 10.201.1.10 and 2001:db8:201:2::12");
            maps.putRoute4(VRF, Daemons.ipv4("0.0.0.0"), 0, new Route(Route.BLACKHOLE, 0));
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        int status = CtlMain.run(new String[] {"verify", "--pin-root", PIN_ROOT.toString(), "--packets", "20000",
                "--seed", "2", "--max", "100000"}, out, out);
        String report = buffer.toString(StandardCharsets.UTF_8);
        List<String> mismatches = report.lines().filter(l -> l.startsWith("  mismatch: ")).toList();
        report.lines().filter(l -> !l.startsWith("  mismatch: ") && !l.startsWith("  route ")).forEach(System.out::println);
        for (String[] wrong : new String[][] {
                {"dmac 02:10:01:00:00:10 [via 10.201.1.10 dev xgxr-h1]; fast path redirect", "dmac 02:de:ad:be:ef:01"},
                {"kernel unicast 0.0.0.0/0 via 10.201.2.2", "fast path drop blackhole"},
                {"dmac 02:60:02:00:00:12 [via 2001:db8:201:2:0:0:0:12 dev xgxr-h2]", "fast path pass no_neigh"}}) {
            List<String> found = mismatches.stream().filter(l -> l.contains(wrong[0]) && l.contains(wrong[1])).toList();
            System.out.printf("corruption '%s': %d mismatches, e.g. %s%n", wrong[1], found.size(),
                    found.isEmpty() ? "none" : found.get(0));
            assertTrue(!found.isEmpty(), "no mismatch shows '" + wrong[1] + "':\n" + String.join("\n", mismatches));
        }
        assertEquals(1, status, report);
    }

    /**
     * Waits until the fast path holds at least this many routes of each family (the kernel's connected
     * ones aside), then until ctl verify finds its state in sync with the kernel.
     */
    private static void awaitRoutes(int v4, int v6, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        int have4 = 0;
        int have6 = 0;
        while (have4 < v4 || have6 < v6) {
            daemons.checkAlive();
            if (System.nanoTime() > deadline) {
                ByteArrayOutputStream report = new ByteArrayOutputStream();
                PrintStream out = new PrintStream(report, true, StandardCharsets.UTF_8);
                CtlMain.run(new String[] {"verify", "--pin-root", PIN_ROOT.toString()}, out, out);
                throw new AssertionError("the fast path holds " + have4 + " IPv4 and " + have6 + " IPv6 routes, not "
                        + v4 + " and " + v6 + "; logs in " + daemons.logDir() + "; ctl verify:\n"
                        + report.toString(StandardCharsets.UTF_8).lines().limit(40).collect(java.util.stream.Collectors.joining("\n")));
            }
            Thread.sleep(250);
            if (java.nio.file.Files.exists(PIN_ROOT.resolve("xg_fib6"))) {
                try (FastPathMaps maps = FastPathMaps.open(PIN_ROOT)) {
                    have4 = maps.route4Count();
                    have6 = maps.route6Count();
                } catch (Exception e) {
                    // the maps are being created
                }
            }
        }
        PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
        while (CtlMain.run(new String[] {"verify", "--pin-root", PIN_ROOT.toString()}, quiet, quiet) != 0) {
            daemons.checkAlive();
            if (System.nanoTime() > deadline) throw new AssertionError("ctl verify still finds differences");
            Thread.sleep(250);
        }
    }

    /**
     * The table, as ip -batch commands: neighbours, nexthop objects, local addresses, then the routes.
     * Returns the number of IPv4 and IPv6 routes added, and how many of the IPv4 ones a DIR-24 table does not show.
     */
    static int[] table(Random random, List<String> batch) {
        String[] ports = {"xgxr-h1", "xgxr-h2", "xgxr-h2b"};
        List<String> gateways4 = new ArrayList<>();
        List<String> gateways6 = new ArrayList<>();
        // Real hosts (resolved by ping), permanent and stale entries: usable neighbours.
        for (int link = 1; link <= 3; link++) {
            String dev = ports[link - 1];
            gateways4.add("10.201." + link + ".2 dev " + dev);
            gateways6.add("2001:db8:201:" + link + "::2 dev " + dev);
            for (int host = 10; host <= 13; host++) {
                batch.add("neigh add 10.201." + link + "." + host + " lladdr 02:10:0" + link + ":00:00:" + host + " dev " + dev + " nud permanent");
                batch.add("neigh add 2001:db8:201:" + link + "::" + host + " lladdr 02:60:0" + link + ":00:00:" + host + " dev " + dev + " nud permanent");
                gateways4.add("10.201." + link + "." + host + " dev " + dev);
                gateways6.add("2001:db8:201:" + link + "::" + host + " dev " + dev);
            }
        }
        batch.add("neigh add 10.201.2.20 lladdr 02:10:02:00:00:20 dev xgxr-h2 nud stale");
        batch.add("neigh add 2001:db8:201:2::20 lladdr 02:60:02:00:00:20 dev xgxr-h2 nud stale");
        batch.add("neigh add fe80::10 lladdr 02:60:02:00:00:fe dev xgxr-h2 nud permanent");
        gateways4.add("10.201.2.20 dev xgxr-h2");
        gateways6.add("2001:db8:201:2::20 dev xgxr-h2");
        gateways6.add("fe80::10 dev xgxr-h2");
        // Gateways without a usable neighbour: none at all, failed, incomplete.
        List<String> unresolved4 = List.of("10.201.1.99 dev xgxr-h1", "10.201.2.99 dev xgxr-h2", "10.201.3.98 dev xgxr-h2b",
                "10.201.3.97 dev xgxr-h2b");
        List<String> unresolved6 = List.of("2001:db8:201:1::99 dev xgxr-h1", "2001:db8:201:2::99 dev xgxr-h2",
                "2001:db8:201:3::98 dev xgxr-h2b");
        batch.add("neigh add 10.201.3.98 dev xgxr-h2b nud failed");
        batch.add("neigh add 10.201.3.97 dev xgxr-h2b nud incomplete");
        batch.add("neigh add 2001:db8:201:3::98 dev xgxr-h2b nud failed");
        // Through the interface that is not a fast path port.
        List<String> notPort4 = List.of("10.201.4.2 dev xgxr-np");
        List<String> notPort6 = List.of("2001:db8:201:4::2 dev xgxr-np");
        // Nexthop objects and groups.
        batch.add("nexthop add id 101 via 10.201.1.10 dev xgxr-h1");
        batch.add("nexthop add id 102 via 10.201.2.10 dev xgxr-h2");
        batch.add("nexthop add id 103 via 10.201.3.99 dev xgxr-h2b");
        batch.add("nexthop add id 104 group 101/102");
        batch.add("nexthop add id 105 group 101,3/102/103");
        batch.add("nexthop add id 106 blackhole");
        batch.add("nexthop add id 111 via 2001:db8:201:1::10 dev xgxr-h1");
        batch.add("nexthop add id 112 via 2001:db8:201:2::11 dev xgxr-h2");
        batch.add("nexthop add id 113 group 111/112");
        int[] ids4 = {101, 102, 103, 104, 105, 106};
        int[] ids6 = {111, 112, 113};
        // Local addresses and local routes.
        for (int i = 1; i <= 20; i++) {
            batch.add("addr add 10.202.0." + i + "/32 dev lo");
            batch.add("addr add 2001:db8:202::" + Integer.toHexString(i) + "/128 dev lo");
        }
        batch.add("route add local 10.203.0.0/24 dev lo table main");
        batch.add("route add local 2001:db8:203::/64 dev lo table main");
        batch.add("route add default via 10.201.2.2 dev xgxr-h2");

        Set<String> seen = new HashSet<>();
        int v4 = 0;
        while (v4 < ROUTES4) {
            int spread = random.nextInt(100);
            int length = spread < 50 ? 24 : spread < 85 ? 16 + random.nextInt(8) : spread < 95 ? 25 + random.nextInt(8)
                    : 8 + random.nextInt(8);
            int first = 11 + random.nextInt(212);
            if (first == 127) continue;
            int a = (first << 24) | (random.nextInt() & 0xffffff);
            a &= length == 0 ? 0 : -1 << (32 - length);
            String prefix = ((a >>> 24) & 255) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255) + "/" + length;
            if (!seen.add(prefix)) continue;
            batch.add(route(random, prefix, gateways4, unresolved4, notPort4, ids4));
            v4++;
        }
        int v6 = 0;
        while (v6 < ROUTES6) {
            int length = random.nextInt(20) == 0 ? 128 : 24 + random.nextInt(41);
            byte[] b = new byte[16];
            random.nextBytes(b);
            b[0] = 0x24;
            for (int bit = length; bit < 128; bit++) b[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 16; i += 2) sb.append(i == 0 ? "" : ":").append(Integer.toHexString(((b[i] & 255) << 8) | (b[i + 1] & 255)));
            String prefix = sb + "/" + length;
            if (!seen.add(prefix)) continue;
            batch.add(route(random, prefix, gateways6, unresolved6, notPort6, ids6));
            v6++;
        }
        return new int[] {v4, v6, hiddenIpv4(seen)};
    }

    /** How many of these IPv4 prefixes ("a.b.c.d/len") a DIR-24 table holding them all shows no entry of. */
    private static int hiddenIpv4(Set<String> prefixes) {
        Set<Long> keys = new HashSet<>();
        List<long[]> routes = new ArrayList<>();
        for (String p : prefixes) {
            if (p.contains(":")) continue;
            String[] pl = p.split("/");
            String[] o = pl[0].split("\\.");
            int a = Integer.parseInt(o[0]) << 24 | Integer.parseInt(o[1]) << 16 | Integer.parseInt(o[2]) << 8 | Integer.parseInt(o[3]);
            keys.add(Integer.toUnsignedLong(a) << 6 | Integer.parseInt(pl[1]));
            routes.add(new long[] {a, Integer.parseInt(pl[1])});
        }
        int hidden = 0;
        for (long[] r : routes) {
            if (Fib4Dir.hidden((int) r[0], (int) r[1], (prefix, length) -> keys.contains(Integer.toUnsignedLong(prefix) << 6 | length))) {
                hidden++;
            }
        }
        return hidden;
    }

    /** One route to prefix: mostly through one gateway, some ECMP, some of every other kind. */
    private static String route(Random random, String prefix, List<String> gateways, List<String> unresolved,
                                List<String> notPort, int[] ids) {
        int kind = random.nextInt(1000);
        if (kind < 20) return "route add blackhole " + prefix;
        if (kind < 40) return "route add unreachable " + prefix;
        if (kind < 60) return "route add prohibit " + prefix;
        if (kind < 100) return "route add " + prefix + " via " + unresolved.get(random.nextInt(unresolved.size()));
        if (kind < 130) return "route add " + prefix + " via " + notPort.get(random.nextInt(notPort.size()));
        if (kind < 170) return "route add " + prefix + " nhid " + ids[random.nextInt(ids.length)];
        if (kind < 200) return "route add " + prefix + " dev " + (random.nextBoolean() ? "xgxr-h2" : "xgxr-np");
        if (kind < 300) {
            List<String> all = new ArrayList<>(gateways);
            if (random.nextInt(4) == 0) all.addAll(unresolved);
            if (random.nextInt(4) == 0) all.addAll(notPort);
            StringBuilder sb = new StringBuilder("route add " + prefix);
            Set<String> used = new HashSet<>();
            int paths = 2 + random.nextInt(3);
            while (used.size() < paths) {
                String gw = all.get(random.nextInt(all.size()));
                if (!used.add(gw)) continue;
                sb.append(" nexthop via ").append(gw);
                if (random.nextInt(3) == 0) sb.append(" weight ").append(1 + random.nextInt(5));
            }
            return sb.toString();
        }
        return "route add " + prefix + " via " + gateways.get(random.nextInt(gateways.size()));
    }
}
