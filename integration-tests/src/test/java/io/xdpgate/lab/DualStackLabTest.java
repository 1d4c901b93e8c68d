package io.xdpgate.lab;

import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.ebpf.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IPv6 beside IPv4 through the fast path with the real daemons: ping, TCP and tracepath; the
 * ICMP error for a packet larger than the egress MTU; and a fast path manager restarted under a
 * ping flood.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DualStackLabTest {

    private static final Path PIN_ROOT = Path.of("/sys/fs/bpf/xg-test-dual");
    private static final Path SOCKET = Path.of("/run/xdpgate/xg-test-dual.sock");
    private static Lab lab;
    private static Daemons daemons;
    private static int metricsPort;
    private static int cmMetricsPort;

    @BeforeAll
    static void startLab() throws Exception {
        Privileged.require();
        Lab.removePins(PIN_ROOT);
        lab = Lab.createDualStack();
        daemons = new Daemons(PIN_ROOT, SOCKET, Path.of("target", "lab-logs", "dual-stack"));
        metricsPort = Metrics.freePort();
        cmMetricsPort = Metrics.freePort();
        startFastPathManager();
        daemons.startCacheManager("--metrics", "127.0.0.1:" + cmMetricsPort);
        daemons.awaitSynchronized(lab, Duration.ofSeconds(30));
        awaitRoute6(Lab.H2_ADDR6.replace("::2", "::"), 64);
        // Linux resolves the neighbours (ARP, neighbour discovery) once; then they are synchronized.
        Traffic.ping(Lab.H1, Lab.H2_ADDR, 3, 0.2);
        Traffic.ping(Lab.H1, Lab.H2_ADDR6, 3, 0.2);
    }

    @AfterAll
    static void stopLab() {
        if (daemons != null) daemons.close();
        if (lab != null) lab.close();
        Lab.removePins(PIN_ROOT);
    }

    private static void startFastPathManager() {
        daemons.startFastPathManager(Lab.ROUTER + "/" + Lab.R_H1 + "," + Lab.ROUTER + "/" + Lab.R_H2,
                "--metrics", "127.0.0.1:" + metricsPort);
    }

    private static void awaitRoute6(String prefix, int length) throws Exception {
        Inet6Address p = (Inet6Address) InetAddress.getByName(prefix);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        try (FastPathMaps maps = FastPathMaps.open(PIN_ROOT)) {
            while (maps.lookupRoute6(Lab.ROUTER_VRF, p, length) == null) {
                daemons.checkAlive();
                if (System.nanoTime() > deadline) throw new AssertionError(prefix + "/" + length + " never reached xg_fib6");
                Thread.sleep(20);
            }
        }
    }

    private long hostsTransmitted() {
        return lab.linkStat(lab.h1, lab.h1If, "tx", "packets") + lab.linkStat(lab.h2, lab.h2If, "tx", "packets");
    }

    @Test
    @Order(1)
    void ipv6PingAndTcpAreForwardedByTheFastPath() throws Exception {
        Counters before = Counters.read(PIN_ROOT, lab);
        long kernelBefore = lab.kernelForwarded6();
        long sentBefore = hostsTransmitted();

        Traffic.Ping ping = Traffic.ping(Lab.H1, Lab.H2_ADDR6, 200, 0.005);
        assertTrue(ping.allAnswered(), "IPv6 ping through the fast path: " + ping);
        Traffic.Transfer tcp = Traffic.tcp(Lab.H1, Lab.H2, Lab.H2_ADDR6, 256L << 20);
        // iperf3's receiver report of a transfer this short (about 0.4 s) may leave out the last few
        // megabytes, which arrive after it: the frames counted below are the real measure.
        assertTrue(tcp.bytes() >= (256L << 20) * 9 / 10, "received: " + tcp);

        Counters d = Counters.read(PIN_ROOT, lab).minus(before);
        long sent = hostsTransmitted() - sentBefore;
        long kernel = lab.kernelForwarded6() - kernelBefore;
        System.out.printf("IPv6: %d frames sent by the hosts, %d fast-path forwarded, %d forwarded by the kernel, TCP %.1f Gbit/s%n",
                sent, d.packets(Stat.FORWARDED), kernel, tcp.bitsPerSecond() / 1e9);
        // Neighbour discovery and router solicitations are Linux's: a handful of frames.
        assertTrue(d.packets(Stat.FORWARDED) >= sent - 20,
                "fast-path forwarded " + d.packets(Stat.FORWARDED) + " of the " + sent + " frames the hosts sent:\n" + d.table());
        assertTrue(kernel <= 10, "the kernel forwarded " + kernel + " IPv6 packets");
    }

    @Test
    @Order(2)
    void ipv6TracepathShowsTheRouterHop() {
        Counters before = Counters.read(PIN_ROOT, lab);
        String out = Traffic.tracepath(Lab.H1, Lab.H2_ADDR6);
        Counters d = Counters.read(PIN_ROOT, lab).minus(before);
        assertTrue(out.contains(" " + Lab.R_H1_ADDR6 + " "), "router hop in tracepath output:\n" + out);
        assertTrue(out.contains(Lab.H2_ADDR6), "destination reached:\n" + out);
        assertTrue(d.packets(Stat.EXC_TTL) >= 1, "hop limit expiry went to Linux:\n" + d.table());
    }

    @Test
    @Order(3)
    void aPacketLargerThanTheEgressMtuGetsTheIcmpErrorBack() throws Exception {
        Sh.run(Sh.in(lab.router, "ip", "link", "set", lab.rH2, "mtu", "1280"));
        Sh.run(Sh.in(lab.h2, "ip", "link", "set", lab.h2If, "mtu", "1280"));
        try {
            Counters before = Counters.read(PIN_ROOT, lab);
            // The new MTU reaches the nexthops through the daemons: ask until the router answers.
            String v4 = untilMatches(Lab.H1, "mtu = 1280", "ping", "-n", "-c", "1", "-W", "1", "-M", "do", "-s", "1400", Lab.H2_ADDR);
            String v6 = untilMatches(Lab.H1, "mtu=1280", "ping", "-n", "-c", "1", "-W", "1", "-s", "1400", Lab.H2_ADDR6);
            Counters d = Counters.read(PIN_ROOT, lab).minus(before);
            assertTrue(v4.contains("From " + Lab.R_H1_ADDR), "the router sent 'fragmentation needed':\n" + v4);
            assertTrue(v6.contains("From " + Lab.R_H1_ADDR6), "the router sent 'packet too big':\n" + v6);
            assertTrue(d.packets(Stat.EXC_MTU) >= 2, "too big for the egress MTU went to Linux:\n" + d.table());

            Traffic.Ping fits = Traffic.ping(Lab.H1, Lab.H2_ADDR, 20, 0.01);
            assertTrue(fits.allAnswered(), "smaller packets still pass: " + fits);
        } finally {
            Sh.run(Sh.in(lab.h2, "ip", "link", "set", lab.h2If, "mtu", "1500"));
            Sh.run(Sh.in(lab.router, "ip", "link", "set", lab.rH2, "mtu", "1500"));
        }
    }

    /** Runs a command in {@code ns} (at most 50 times, 100 ms apart) until its output contains {@code text}. */
    private static String untilMatches(String ns, String text, String... command) throws InterruptedException {
        String out = "";
        for (int i = 0; i < 50; i++) {
            Sh.Result r = Sh.exec(10, Sh.in(ns, command));
            out = r.stdout() + r.stderr();
            if (out.contains(text)) return out;
            Thread.sleep(100);
        }
        throw new AssertionError("'" + String.join(" ", command) + "' never printed '" + text + "':\n" + out);
    }

    @Test
    @Order(0)
    void prometheusScrapeCountsTheTrafficTheFastPathForwarded() throws Exception {
        String series = "xdpgate_fp_forwarded_packets_total{reason=\"forwarded\"}";
        String bytes = "xdpgate_fp_forwarded_bytes_total{reason=\"forwarded\"}";
        Counters mapBefore = Counters.read(PIN_ROOT, lab);
        String before = Metrics.scrape(metricsPort);
        Traffic.Ping ping = Traffic.ping(Lab.H1, Lab.H2_ADDR, 300, 0.002);
        String after = Metrics.scrape(metricsPort);
        Counters mapDelta = Counters.read(PIN_ROOT, lab).minus(mapBefore);
        assertTrue(ping.allAnswered(), ping.toString());
        double packets = Metrics.sample(after, series) - Metrics.sample(before, series);
        double octets = Metrics.sample(after, bytes) - Metrics.sample(before, bytes);
        System.out.printf("scrape: %.0f packets and %.0f bytes forwarded for %d pings (%d in the map)%n",
                packets, octets, ping.transmitted(), mapDelta.packets(Stat.FORWARDED));
        // Each echo request and reply is one 98-byte frame (84 bytes of IPv4, 14 of Ethernet).
        assertTrue(packets >= 2 * 300 && packets <= 2 * 300 + 10, "forwarded packets in the scrape: " + packets);
        assertTrue(octets >= 2 * 300 * 98 && octets <= (2 * 300 + 10) * 98 + 2000, "forwarded bytes in the scrape: " + octets);
        assertTrue(Math.abs(packets - mapDelta.packets(Stat.FORWARDED)) <= 10, "the scrape reads the fast path's own counters");
        assertTrue(Metrics.sample(after, "xdpgate_fp_table_entries{family=\"ipv4\",table=\"routes\"}") >= 2, after);
        assertTrue(Metrics.sample(after, "xdpgate_fp_fpc_messages_total{type=\"route_add\"}") >= 2, after);
    }

    @Test
    @Order(5)
    void everyMetricOfTheGrafanaDashboardIsServed() throws Exception {
        Path root = Path.of(System.getenv().getOrDefault("XDPGATE_ROOT", "..")).toAbsolutePath().normalize();
        JsonNode dashboard = new ObjectMapper().readTree(root.resolve("docs/grafana-dashboard.json").toFile());
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                Matcher m = Pattern.compile("xdpgate_[a-z0-9_]+").matcher(target.path("expr").asText());
                while (m.find()) names.add(m.group());
            }
        }
        assertTrue(names.size() >= 10, "the dashboard's metrics: " + names);
        // The fast path manager was just restarted (the test before): its per-interface series come back
        // once the cache manager has announced the links again.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            String served = Metrics.scrape(metricsPort) + Metrics.scrape(cmMetricsPort);
            java.util.List<String> missing = names.stream()
                    .filter(name -> !Pattern.compile("(?m)^" + name + "[{ ]").matcher(served).find()).toList();
            if (missing.isEmpty()) break;
            assertTrue(System.nanoTime() < deadline, missing + " not served:\n" + served);
            Thread.sleep(250);
        }
    }

    @Test
    @Order(4)
    void fastPathManagerRestartedUnderAPingFloodLosesNoPing() throws Exception {
        Counters before = Counters.read(PIN_ROOT, lab);
        Process flood = new ProcessBuilder(Sh.in(Lab.H1, "ping", "-n", "-q", "-f", "-w", "8", Lab.H2_ADDR))
                .redirectErrorStream(true).start();
        Thread.sleep(1000);
        daemons.stopFastPathManager(); // SIGTERM: a clean stop leaves the fast path forwarding
        Thread.sleep(1000);
        startFastPathManager(); // adopts the pinned maps and links, resynchronizes
        Thread.sleep(2000);
        daemons.killFastPathManager(); // SIGKILL, as a crash would
        Thread.sleep(500);
        startFastPathManager();
        String out = new String(flood.getInputStream().readAllBytes());
        flood.waitFor();
        Matcher m = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(out);
        assertTrue(m.find(), out);
        int sent = Integer.parseInt(m.group(1));
        Counters d = Counters.read(PIN_ROOT, lab).minus(before);
        System.out.printf("ping flood across two fast path manager restarts: %d sent, %s received, %d fast-path forwarded%n",
                sent, m.group(2), d.packets(Stat.FORWARDED));
        assertTrue(sent > 1000, "a flood: " + out);
        assertEquals(sent, Integer.parseInt(m.group(2)), "no ping lost across the restarts: " + out);
        assertTrue(d.packets(Stat.FORWARDED) >= 2L * sent, "the fast path forwarded the flood all along:\n" + d.table());

        daemons.awaitVerifyClean(Duration.ofSeconds(30));
    }
}
