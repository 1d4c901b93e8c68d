package io.xdpgate.lab;

import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.ebpf.Neighbour;
import io.xdpgate.ebpf.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.xdpgate.lab.Daemons.ipv4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Neighbours that only the fast path uses, with the router's kernel timers shortened
 * (base_reachable_time 2 s, delay_first_probe_time 1 s, gc_stale_time 4 s on its ports).
 * Steady traffic goes from xghf-h1 to 10.99.0.1, an address of xghf-h2 routed through the gateway
 * 10.201.2.2 (a gateway nexthop), and the echo replies come back to the connected 10.201.1.2.
 * <p>Linux collects STALE neighbours only when its ARP table (one for the whole machine) holds at
 * least gc_thresh1 entries (128 by default): below that, nothing ever ages out, with or without
 * hitflags. The router therefore gets gc_thresh1 + 8 static neighbours, as a router with many
 * neighbours has.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HitflagsLabTest {

    private static final Path PIN_ROOT = Path.of("/sys/fs/bpf/xghf-lab");
    private static final Path SOCKET = Path.of("/run/xdpgate/xghf-lab.sock");
    private static final int VRF = 1;
    private static final String FAR = "10.99.0.1"; // on xghf-h2's lo, routed via 10.201.2.2
    private static final Set<String> USABLE = Set.of("REACHABLE", "STALE", "DELAY", "PROBE");
    private static final Pattern PING = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");
    /** A link of the router that is no fast path port: it holds the static neighbours, which nothing flushes. */
    private static final String STATICS_IF = "xghf-r-st";

    private static Lab lab;
    private static Daemons daemons;
    private static FastPathMaps maps;
    private static int h1Port; // the router's port towards xghf-h1
    private static int h2Port; // towards xghf-h2

    @BeforeAll
    static void start() throws Exception {
        Privileged.require();
        Lab.removePins(PIN_ROOT);
        lab = Lab.create("xghf-h1", "xghf-r", "xghf-h2", false);
        for (String port : new String[] {lab.rH1, lab.rH2}) {
            Sh.run(Sh.in(lab.router, "sysctl", "-qw", "net.ipv4.neigh." + port + ".base_reachable_time_ms=2000",
                    "net.ipv4.neigh." + port + ".delay_first_probe_time=1", "net.ipv4.neigh." + port + ".gc_stale_time=4"));
        }
        Sh.run(Sh.in(lab.router, "ip", "link", "add", STATICS_IF, "type", "veth", "peer", "name", STATICS_IF + "p"));
        Sh.run(Sh.in(lab.router, "ip", "link", "set", STATICS_IF, "up"));
        Sh.run(Sh.in(lab.router, "ip", "link", "set", STATICS_IF + "p", "up"));
        List<String> statics = new ArrayList<>();
        int count = gcThresh1() + 8;
        for (int i = 0; i < count; i++) {
            statics.add(String.format("neigh add 10.202.%d.%d lladdr 02:00:00:00:%02x:%02x dev %s nud permanent",
                    i / 250, i % 250 + 1, i / 250, i % 250 + 1, STATICS_IF));
        }
        lab.ipBatch(lab.router, statics);
        Sh.run(Sh.in(lab.h2, "ip", "addr", "add", FAR + "/32", "dev", "lo"));
        Sh.run(Sh.in(lab.router, "ip", "route", "add", "10.99.0.0/24", "via", Lab.H2_ADDR));
        h1Port = lab.ifindex(lab.router, lab.rH1);
        h2Port = lab.ifindex(lab.router, lab.rH2);

        daemons = new Daemons(PIN_ROOT, SOCKET, Path.of("target", "lab-logs", "hitflags"));
        Daemons.clearLogs(daemons.logDir());
        daemons.startFastPathManager(lab.router + "/" + lab.rH1 + "," + lab.router + "/" + lab.rH2, "--metrics", "off");
        daemons.startCacheManagerFor(lab.router, VRF, "--metrics", "off");
        awaitRoute("10.99.0.0", 24);
        maps = FastPathMaps.open(PIN_ROOT);
        Traffic.ping(lab.h1, FAR, 3, 0.2); // Linux resolves both neighbours once
    }

    @AfterAll
    static void stop() {
        if (maps != null) maps.close();
        if (daemons != null) daemons.close();
        if (lab != null) lab.close();
        Lab.removePins(PIN_ROOT);
    }

    private static int gcThresh1() throws Exception {
        // Not Files.readString: measured, the JDK reads "1" from this procfs file (128), cat reads it whole.
        return Integer.parseInt(Sh.run("cat", "/proc/sys/net/ipv4/neigh/default/gc_thresh1").strip());
    }

    /** The entries of the machine's one ARP table, all namespaces together (/proc/net/stat/arp_cache). */
    private static int arpEntries() {
        String[] lines = Sh.run("cat", "/proc/net/stat/arp_cache").split("\n");
        return Integer.parseInt(lines[1].trim().split("\\s+")[0], 16);
    }

    /** Without it neither phase means anything: no STALE entry would ever be collected. */
    private static void assertGarbageCollectionIsOn() throws Exception {
        assertTrue(arpEntries() >= gcThresh1(), "Linux collects STALE neighbours only from gc_thresh1 entries on: "
                + arpEntries() + " < " + gcThresh1());
    }

    private static void awaitRoute(String prefix, int length) throws Exception {
        Inet4Address p = ipv4(prefix);
        daemons.await("route " + prefix + "/" + length + " in the fast path", Duration.ofSeconds(30), () -> {
            try (FastPathMaps m = FastPathMaps.open(PIN_ROOT)) {
                return m.lookupRoute4(VRF, p, length) != null;
            }
        });
    }

    @Test
    @Order(1)
    void aNeighbourMacChangeAndRemovalReachTheFastPathWithin100Milliseconds() throws Exception {
        Inet4Address addr = ipv4("10.201.2.77");
        byte[] a = {2, 0, 0, 0, (byte) 0xaa, 1};
        byte[] b = {2, 0, 0, 0, (byte) 0xbb, 2};
        long[] change = new long[20];
        long[] removal = new long[20];
        long[] changeFromStart = new long[20]; // including the start of ip itself: an upper bound
        long[] removalFromStart = new long[20];
        for (int i = 0; i < change.length; i++) {
            Sh.run(Sh.in(lab.router, "ip", "neigh", "replace", "10.201.2.77", "lladdr", "02:00:00:00:aa:01", "dev", lab.rH2));
            awaitNeighbour(addr, a, 2_000_000_000L);
            long start = System.nanoTime();
            Sh.run(Sh.in(lab.router, "ip", "neigh", "replace", "10.201.2.77", "lladdr", "02:00:00:00:bb:02", "dev", lab.rH2));
            long returned = System.nanoTime();
            change[i] = awaitNeighbour(addr, b, 2_000_000_000L);
            changeFromStart[i] = change[i] + returned - start;
            start = System.nanoTime();
            Sh.run(Sh.in(lab.router, "ip", "neigh", "del", "10.201.2.77", "dev", lab.rH2));
            returned = System.nanoTime();
            removal[i] = awaitNeighbour(addr, null, 2_000_000_000L);
            removalFromStart[i] = removal[i] + returned - start;
        }
        System.out.printf("neighbour MAC change reached xg_neigh4 after ip returned: median %s, max %s (from ip's start: median %s, max %s);"
                        + " removal: median %s, max %s (from ip's start: median %s, max %s); %d each%n",
                ms(median(change)), ms(max(change)), ms(median(changeFromStart)), ms(max(changeFromStart)),
                ms(median(removal)), ms(max(removal)), ms(median(removalFromStart)), ms(max(removalFromStart)), change.length);
        assertTrue(max(change).compareTo(Duration.ofMillis(100)) < 0, "every MAC change within 100 ms: " + max(change));
        assertTrue(max(removal).compareTo(Duration.ofMillis(100)) < 0, "every removal within 100 ms: " + max(removal));
    }

    private static Duration median(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return Duration.ofNanos(sorted[sorted.length / 2]);
    }

    private static Duration max(long[] nanos) {
        return Duration.ofNanos(Arrays.stream(nanos).max().orElseThrow());
    }

    private static String ms(Duration d) {
        return String.format("%.1f ms", d.toNanos() / 1e6);
    }

    /** Nanoseconds until xg_neigh4 holds {@code mac} for addr on the port to xghf-h2 (null: no entry). */
    private static long awaitNeighbour(Inet4Address addr, byte[] mac, long timeoutNanos) throws Exception {
        long start = System.nanoTime();
        while (true) {
            Neighbour n = maps.neighbour4(VRF, h2Port, addr);
            if (mac == null ? n == null : n != null && Arrays.equals(mac, n.mac())) return System.nanoTime() - start;
            if (System.nanoTime() - start > timeoutNanos) {
                throw new AssertionError("xg_neigh4 never held " + (mac == null ? "no entry" : "the new MAC") + " for " + addr + ": " + n);
            }
            Thread.onSpinWait();
        }
    }

    @Test
    @Order(2)
    void withHitflagsNoPacketOfSteadyTrafficIsANoNeighbourExceptionFor60Seconds() throws Exception {
        assertGarbageCollectionIsOn();
        int port = Metrics.freePort();
        daemons.startHitflags("--metrics", "127.0.0.1:" + port);
        Stream stream = Stream.start(lab, 72);
        Thread.sleep(7_000); // warm-up: hitflags' first scan only learns, entries settle
        String warm = Metrics.scrape(port);
        Samples s = Samples.take(60_000, true);
        Traffic.Ping ping = stream.await();
        System.out.println("with hitflags, 60 s of ping -i 0.01: " + s.summary() + "; ping " + ping);
        assertEquals(0, s.noNeighbourExceptions(), "no 'no neighbour' exception after warm-up: " + s.summary());
        assertTrue(s.forwarded() >= 2 * 60 * 50, "the traffic was fast-pathed: " + s.summary());
        assertTrue(s.kernelAlwaysUsable(), "the kernel entries stayed usable: " + s.kernelStates());
        assertTrue(ping.received() >= ping.transmitted() - 5, "the stream was answered: " + ping);

        String metrics = Metrics.scrape(port);
        double sent = Metrics.sample(metrics, "xdpgate_hitflags_refreshes_sent_total");
        double failed = failures(metrics);
        String scans = "xdpgate_hitflags_scans_seconds_count";
        String seconds = "xdpgate_hitflags_scans_seconds_sum";
        double steadyScans = Metrics.sample(metrics, scans) - Metrics.sample(warm, scans);
        System.out.printf("hitflags metrics: refreshes sent %.0f, failed %.0f, scans %.0f; after warm-up a scan took %.2f ms on average%n",
                sent, failed, Metrics.sample(metrics, scans),
                1000 * (Metrics.sample(metrics, seconds) - Metrics.sample(warm, seconds)) / steadyScans);
        assertTrue(sent >= 2 * 60, "both neighbours refreshed about once a second: " + sent);
        assertEquals(0, failed, metrics);
        assertNotNull(maps.neighbour4(VRF, h2Port, ipv4(Lab.H2_ADDR)));
        assertTrue(maps.neighbourUses().stream().anyMatch(u -> u.ifindex() == h2Port && u.address().equals(ipv4(Lab.H2_ADDR))),
                "the gateway's use is recorded: " + maps.neighbourUses());
        assertTrue(maps.neighbourUsed(VRF, h1Port, ipv4(Lab.H1_ADDR)) > 0, "the connected neighbour's use is recorded");
    }

    private static double failures(String metrics) {
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("xdpgate_hitflags_refreshes_failed_total{")) sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
        return sum;
    }

    @Test
    @Order(3)
    void withoutHitflagsTheNoNeighbourExceptionsComeBackInWaves() throws Exception {
        daemons.stopHitflags();
        if (daemons.logCount("hitflags", "scanning") > 0) assertEquals(1, daemons.logCount("hitflags", "stopped"), "hitflags stopped cleanly on SIGTERM");
        Stream stream = Stream.start(lab, 42);
        assertGarbageCollectionIsOn();
        Samples s = Samples.take(40_000, false); // Linux collects every 15 s: two collections at least
        stream.await();
        List<Long> waves = s.waves();
        System.out.println("without hitflags, 40 s of ping -i 0.01: " + s.summary() + "; waves at ms " + waves);
        assertTrue(waves.size() >= 2, "'no neighbour' exceptions come back in waves: " + waves + ", " + s.summary());
    }

    @Test
    @Order(4)
    void aNeighbourThatStopsAnsweringIsFoundByTheKernelsProbesAndLeavesTheFastPath() throws Exception {
        daemons.startHitflags("--metrics", "off");
        Traffic.ping(lab.h1, FAR, 3, 0.2); // resolved again after the waves
        Stream stream = Stream.start(lab, 25);
        Thread.sleep(3_000);
        Inet4Address gateway = ipv4(Lab.H2_ADDR);
        assertNotNull(maps.neighbour4(VRF, h2Port, gateway), "the gateway is in the fast path");
        Sh.run(Sh.in(lab.h2, "ip", "addr", "del", Lab.H2_ADDR + "/24", "dev", lab.h2If)); // it no longer answers ARP
        long gone = awaitNeighbour(gateway, null, 15_000_000_000L);
        String kernel = neighbourState(lab.rH2, Lab.H2_ADDR);
        long before = maps.stats().get(Stat.FORWARDED).packets();
        long noNeighBefore = maps.stats().get(Stat.EXC_NO_NEIGH).packets();
        Thread.sleep(2_000);
        long forwarded = maps.stats().get(Stat.FORWARDED).packets() - before;
        long noNeigh = maps.stats().get(Stat.EXC_NO_NEIGH).packets() - noNeighBefore;
        stream.destroy();
        System.out.printf("a gateway that stopped answering left xg_neigh4 after %d ms (kernel: %s); then in 2 s: %d forwarded, %d no_neighbour exceptions%n",
                gone / 1_000_000, kernel, forwarded, noNeigh);
        assertTrue(!USABLE.contains(kernel), "the kernel's probes failed: " + kernel);
        assertEquals(0, forwarded, "nothing is forwarded into the void");
        assertTrue(noNeigh >= 100, "the stream goes to Linux as 'no neighbour' exceptions: " + noNeigh);
    }

    private static String neighbourState(String port, String address) {
        String line = Sh.run(Sh.in(lab.router, "ip", "neigh", "show", address, "dev", port)).strip();
        return line.isEmpty() ? "absent" : line.substring(line.lastIndexOf(' ') + 1);
    }

    /** ping -i 0.01 from xghf-h1 to 10.99.0.1 for a number of seconds, in the background. */
    private record Stream(Process process) {
        static Stream start(Lab lab, int seconds) throws Exception {
            return new Stream(new ProcessBuilder(Sh.in(lab.h1, "ping", "-n", "-q", "-i", "0.01", "-W", "1", "-w",
                    String.valueOf(seconds), FAR)).redirectErrorStream(true).start());
        }

        Traffic.Ping await() throws Exception {
            String out = new String(process.getInputStream().readAllBytes());
            process.waitFor();
            Matcher m = PING.matcher(out);
            if (!m.find()) throw new AssertionError("unexpected ping output: " + out);
            return new Traffic.Ping(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        }

        void destroy() throws InterruptedException {
            process.destroy();
            process.waitFor();
        }
    }

    /** The fast path's counters every 200 ms, and the kernel's two neighbour states every second. */
    private record Samples(List<long[]> counters, List<String> kernelStates) {
        static Samples take(long millis, boolean kernelToo) throws Exception {
            List<long[]> counters = new ArrayList<>();
            List<String> states = new ArrayList<>();
            long start = System.nanoTime();
            long end = start + millis * 1_000_000L;
            int tick = 0;
            while (System.nanoTime() < end) {
                daemons.checkAlive();
                var st = maps.stats();
                counters.add(new long[] {(System.nanoTime() - start) / 1_000_000, st.get(Stat.FORWARDED).packets(),
                        st.get(Stat.EXC_NO_NEIGH).packets()});
                if (kernelToo && tick++ % 5 == 0) {
                    states.add(neighbourState(lab.rH2, Lab.H2_ADDR) + "/" + neighbourState(lab.rH1, Lab.H1_ADDR));
                }
                Thread.sleep(200);
            }
            return new Samples(counters, states);
        }

        long forwarded() {
            return counters.get(counters.size() - 1)[1] - counters.get(0)[1];
        }

        long noNeighbourExceptions() {
            return counters.get(counters.size() - 1)[2] - counters.get(0)[2];
        }

        boolean kernelAlwaysUsable() {
            return !kernelStates.isEmpty() && kernelStates.stream()
                    .allMatch(s -> Arrays.stream(s.split("/")).allMatch(USABLE::contains));
        }

        /** When 'no neighbour' exceptions started again after at least 2 s without any, in ms. */
        List<Long> waves() {
            List<Long> starts = new ArrayList<>();
            long lastRise = Long.MIN_VALUE / 2;
            for (int i = 1; i < counters.size(); i++) {
                if (counters.get(i)[2] > counters.get(i - 1)[2]) {
                    if (counters.get(i)[0] - lastRise >= 2_000) starts.add(counters.get(i)[0]);
                    lastRise = counters.get(i)[0];
                }
            }
            return starts;
        }

        String summary() {
            return forwarded() + " forwarded, " + noNeighbourExceptions() + " no_neighbour exceptions";
        }
    }
}
