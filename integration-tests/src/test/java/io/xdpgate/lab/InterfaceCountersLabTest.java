package io.xdpgate.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xdpgate.ctl.CtlMain;
import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.ebpf.Port;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.xdpgate.lab.Daemons.ipv4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-interface counters with real traffic of known sizes through the router's two ports: pings
 * forwarded both ways, pings to the router itself (local exceptions) on one port, pings into a
 * blackhole route (drops) on the other. The per-interface series of a Prometheus scrape, and
 * {@code ctl show stats --json}, must move by exactly the packets and bytes each port received.
 */
class InterfaceCountersLabTest {

    private static final Path PIN_ROOT = Path.of("/sys/fs/bpf/xgc-lab");
    private static final Path SOCKET = Path.of("/run/xdpgate/xgc-lab.sock");
    private static final int VRF = 1;
    private static final String BLACKHOLE = "10.201.9.0";
    /** Ethernet 14 + IPv4 20 + ICMP 8 + the ping payload. */
    private static final int OVERHEAD = 14 + 20 + 8;
    private static Lab lab;
    private static Daemons daemons;
    private static int metricsPort;

    @BeforeAll
    static void start() throws Exception {
        Privileged.require();
        Lab.removePins(PIN_ROOT);
        lab = Lab.create("xgch1", "xgcr", "xgch2", false);
        daemons = new Daemons(PIN_ROOT, SOCKET, Path.of("target", "lab-logs", "interface-counters"));
        metricsPort = Metrics.freePort();
        daemons.startFastPathManager(lab.router + "/" + lab.rH1 + "," + lab.router + "/" + lab.rH2,
                "--metrics", "127.0.0.1:" + metricsPort);
        Sh.run(Sh.in(lab.router, "ip", "route", "add", "blackhole", BLACKHOLE + "/24"));
        daemons.startCacheManagerFor(lab.router, VRF);
        awaitFastPath(Duration.ofSeconds(30));
        // Linux resolves the neighbours once (ARP); from then on the pings below are all the fast path's.
        Traffic.ping(lab.h1, Lab.H2_ADDR, 3, 0.2);
    }

    @AfterAll
    static void stop() {
        if (daemons != null) daemons.close();
        if (lab != null) lab.close();
        Lab.removePins(PIN_ROOT);
    }

    /** Both ports written with a stats slot, the route to xgch2 and the blackhole route in the FIB. */
    private static void awaitFastPath(Duration timeout) throws Exception {
        daemons.await("the fast path serving the lab", timeout, () -> {
            try (FastPathMaps maps = FastPathMaps.open(PIN_ROOT)) {
                Port p1 = maps.port(VRF, lab.ifindex(lab.router, lab.rH1));
                Port p2 = maps.port(VRF, lab.ifindex(lab.router, lab.rH2));
                return p1 != null && p2 != null && p1.statsSlot() > 0 && p2.statsSlot() > 0
                        && maps.lookupRoute4(VRF, ipv4("10.201.2.0"), 24) != null
                        && maps.lookupRoute4(VRF, ipv4(BLACKHOLE), 24) != null;
            }
        });
    }

    /** Pings with a payload of {@code size} bytes; returns how many were answered. */
    private static int ping(String fromNs, String to, int count, int size) {
        Sh.Result r = Sh.exec(60, Sh.in(fromNs, "ping", "-n", "-q", "-c", String.valueOf(count), "-i", "0.002",
                "-W", "1", "-s", String.valueOf(size), to));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(r.stdout());
        assertTrue(m.find(), "ping output: " + r.stdout() + r.stderr());
        assertEquals(count, Integer.parseInt(m.group(1)), "pings sent");
        return Integer.parseInt(m.group(2));
    }

    /** The per-interface series of a scrape, as "interface reason kind" -> value (packets and bytes). */
    private static Map<String, Double> interfaceSeries(String scrape) {
        Map<String, Double> out = new LinkedHashMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "(?m)^xdpgate_fp_interface_(forwarded|exceptions|dropped)_(packets|bytes)_total\\{interface=\"([^\"]+)\","
                        + "netns=\"([^\"]*)\",reason=\"([^\"]+)\",vrf=\"(\\d+)\"} (\\S+)$").matcher(scrape);
        while (m.find()) {
            assertEquals(lab.router, m.group(4), "netns label");
            assertEquals(String.valueOf(VRF), m.group(6), "vrf label");
            out.put(m.group(3) + " " + m.group(5) + " " + m.group(2), Double.parseDouble(m.group(7)));
        }
        return out;
    }

    private static Map<String, Double> minus(Map<String, Double> after, Map<String, Double> before) {
        Map<String, Double> d = new LinkedHashMap<>();
        after.forEach((k, v) -> {
            double delta = v - before.getOrDefault(k, 0.0);
            if (delta != 0) d.put(k, delta);
        });
        return d;
    }

    /** The per-interface rows of ctl show stats --json, in the same form. */
    private static Map<String, Double> ctlRows() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        assertEquals(0, CtlMain.run(new String[] {"show", "stats", "--json", "--pin-root", PIN_ROOT.toString()}, out, out));
        Map<String, Double> rows = new LinkedHashMap<>();
        for (JsonNode row : new ObjectMapper().readTree(buffer.toString(StandardCharsets.UTF_8))) {
            if (row.path("interface").asText().equals("total")) continue;
            assertEquals(VRF, row.path("vrf").asInt());
            String reason = row.path("counter").asText().replaceFirst("^(exception|drop): ", "");
            String key = row.path("interface").asText() + " " + reason;
            rows.put(key + " packets", row.path("packets").asDouble());
            rows.put(key + " bytes", row.path("bytes").asDouble());
        }
        return rows;
    }

    @Test
    void eachInterfaceCountsExactlyTheTrafficItReceived() throws Exception {
        Map<String, Double> before = interfaceSeries(Metrics.scrape(metricsPort));
        Map<String, Double> ctlBefore = ctlRows();

        int big = 1000;
        int small = 56;
        assertEquals(200, ping(lab.h1, Lab.H2_ADDR, 200, big), "forwarded both ways");
        assertEquals(100, ping(lab.h2, Lab.H1_ADDR, 100, small), "forwarded both ways");
        assertEquals(50, ping(lab.h1, Lab.R_H1_ADDR, 50, small), "the router answers its own address");
        assertEquals(0, ping(lab.h2, "10.201.9.1", 40, small), "the blackhole answers nothing");

        Map<String, Double> d = minus(interfaceSeries(Metrics.scrape(metricsPort)), before);
        double bigFrame = OVERHEAD + big;
        double smallFrame = OVERHEAD + small;
        Map<String, Double> expected = new LinkedHashMap<>();
        // xgcr-h1 receives the big echo requests and the small replies; xgcr-h2 the big replies and the
        // small requests: 300 forwarded packets each, the same bytes.
        for (String port : new String[] {lab.rH1, lab.rH2}) {
            expected.put(port + " forwarded packets", 300.0);
            expected.put(port + " forwarded bytes", 200 * bigFrame + 100 * smallFrame);
        }
        expected.put(lab.rH1 + " local packets", 50.0);
        expected.put(lab.rH1 + " local bytes", 50 * smallFrame);
        expected.put(lab.rH2 + " blackhole packets", 40.0);
        expected.put(lab.rH2 + " blackhole bytes", 40 * smallFrame);
        // Linux's own ARP refreshes would arrive as not_ipv4 exceptions: not part of what is checked.
        d.keySet().removeIf(k -> k.contains(" not_ipv4 "));
        System.out.println("per-interface deltas in the scrape: " + d);
        assertEquals(expected, d, "per-interface series of the scrape");

        Map<String, Double> ctl = minus(ctlRows(), ctlBefore);
        ctl.keySet().removeIf(k -> k.contains(" not_ipv4 "));
        assertEquals(expected, ctl, "ctl show stats --json");
    }

    @Test
    void theCountersGoOnAcrossARestartOfTheFastPathManager() throws Exception {
        String series = "xdpgate_fp_interface_forwarded_packets_total{interface=\"" + lab.rH1 + "\",netns=\"" + lab.router
                + "\",reason=\"forwarded\",vrf=\"" + VRF + "\"}";
        String bytes = series.replace("_packets_", "_bytes_");
        String before = Metrics.scrape(metricsPort);
        daemons.stopFastPathManager();
        // The attached programs forward and count meanwhile, in the port's slot.
        assertEquals(20, ping(lab.h1, Lab.H2_ADDR, 20, 56));
        daemons.startFastPathManager(lab.router + "/" + lab.rH1 + "," + lab.router + "/" + lab.rH2,
                "--metrics", "127.0.0.1:" + metricsPort);
        // The series comes back once the cache manager has announced the port again (its name).
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String after = "";
        while (!after.contains(series + " ")) {
            daemons.checkAlive();
            if (System.nanoTime() > deadline) throw new AssertionError(series + " never served again:\n" + after);
            Thread.sleep(100);
            try {
                after = Metrics.scrape(metricsPort);
            } catch (java.io.IOException e) {
                after = ""; // not listening yet
            }
        }
        assertEquals(20.0, Metrics.sample(after, series) - Metrics.sample(before, series),
                "the requests of the 20 pings, counted without the manager, on top of what it had counted before:\n" + after);
        assertEquals(20.0 * (OVERHEAD + 56), Metrics.sample(after, bytes) - Metrics.sample(before, bytes));
    }

    /** DualStackLabTest checks the whole dashboard against both daemons; this, the fast path's part on this lab. */
    @Test
    void everyFastPathMetricOfTheGrafanaDashboardIsServed() throws Exception {
        Path root = Path.of(System.getenv().getOrDefault("XDPGATE_ROOT", "..")).toAbsolutePath().normalize();
        JsonNode dashboard = new ObjectMapper().readTree(root.resolve("docs/grafana-dashboard.json").toFile());
        String served = Metrics.scrape(metricsPort);
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("xdpgate_fp_[a-z0-9_]+").matcher(target.path("expr").asText());
                while (m.find()) names.add(m.group());
            }
        }
        assertTrue(names.contains("xdpgate_fp_interface_forwarded_packets_total"), "the dashboard's metrics: " + names);
        for (String name : names) {
            assertTrue(java.util.regex.Pattern.compile("(?m)^" + name + "[{ ]").matcher(served).find(), name + " is not served:\n" + served);
        }
    }
}
