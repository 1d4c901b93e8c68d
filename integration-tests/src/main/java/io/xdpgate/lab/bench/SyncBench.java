package io.xdpgate.lab.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.lab.Daemons;
import io.xdpgate.lab.Lab;
import io.xdpgate.lab.Sh;
import io.xdpgate.lab.StartupCacheTraining;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./xdpgate bench sync}: how fast and how cheaply the kernel's routing table reaches
 * the fast path. In one run, with both real daemons following namespace {@value #NS}:
 * the latency of single route changes made over netlink, the convergence of a full Internet
 * table against the kernel's own installation time, a cold start in front of that table, and
 * the daemons' resident memory per route.
 */
public final class SyncBench {

    static final String NS = "xgsb";
    static final String PORT = "xgsb-a";
    static final String PEER = "xgsb-b";
    static final int VRF = 1;
    static final String GATEWAY4 = "10.250.0.2";
    static final String GATEWAY6 = "2001:db8:250::2";
    static final Path PIN_ROOT = Path.of("/sys/fs/bpf/xgsb");
    static final Path SOCKET = Path.of("/run/xdpgate/xgsb.sock");
    private static final Duration CONVERGENCE_TIMEOUT = Duration.ofMinutes(10);
    /** Pause between two looks at the FIB (the timer slack of Linux adds about 50 µs to it). */
    private static final long POLL_NANOS = Long.getLong("xdpgate.bench.pollNanos", 20_000);

    private final SyncBenchOptions options;
    private final ObjectNode result = new ObjectMapper().createObjectNode();

    private SyncBench(SyncBenchOptions options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("xdpgate.process", "bench-sync");
        SyncBenchOptions options;
        try {
            options = SyncBenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("xdpgate bench sync: " + e.getMessage());
            System.err.println(SyncBenchOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.println(SyncBenchOptions.USAGE);
            return;
        }
        SyncBench bench = new SyncBench(options);
        bench.run();
        if (options.json()) {
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(bench.result));
        }
    }

    private void run() throws Exception {
        Path logs = Path.of(System.getProperty("java.io.tmpdir"), "xdpgate-bench-sync-logs");
        progress("generating a table of %,d IPv4 and %,d IPv6 routes", options.routes4(), options.routes6());
        InternetTable table = InternetTable.generate(options.routes4(), options.routes6(), options.seed());
        Path batch = Files.createTempFile("xg-bench-sync", ".batch");
        table.writeBatch(batch, "add", GATEWAY4, GATEWAY6);
        // The daemons start as a router's do after their first run: from the start-up caches of a run
        // that routed a table (see StartupCache), written now as ./xdpgate setup writes them.
        progress("writing the daemons' start-up caches as ./xdpgate setup does (daemons routing %,d routes)",
                StartupCacheTraining.ROUTES4 + StartupCacheTraining.ROUTES6);
        StartupCacheTraining.train();
        Daemons.clearLogs(logs); // the daemons append: a new run starts with empty logs
        Lab.removePins(PIN_ROOT);
        createNamespace();
        Daemons daemons = new Daemons(PIN_ROOT, SOCKET, logs);
        result.put("daemon_java_release", daemons.jvm().feature());
        // Interrupted (Ctrl-C), the benchmark still stops its daemons and removes its namespace.
        Thread cleanup = new Thread(() -> cleanUp(daemons, batch), "bench-sync-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            startDaemons(daemons);
            progress("daemons up (logs in %s)", logs);
            measureLatency();
            long rssBefore = rss(daemons);
            TableWatch watch = measureBulk(daemons, table, batch);
            long rssAfter = rss(daemons);
            recordMemory(rssBefore, rssAfter, table.size());
            measureColdStart(daemons, table, watch);
        } finally {
            cleanUp(daemons, batch);
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
        printSummary();
    }

    private static synchronized void cleanUp(Daemons daemons, Path batch) {
        daemons.close();
        try {
            Files.deleteIfExists(batch);
        } catch (IOException e) {
            progress("cannot delete %s: %s", batch, e.getMessage());
        }
        if (Sh.exec(10, "ip", "netns", "pids", NS).ok()) {
            progress("cleaning up: deleting namespace %s with its routes", NS);
            Sh.exec(300, "ip", "netns", "del", NS);
        }
        Lab.removePins(PIN_ROOT);
    }

    // ---- setup

    private static void createNamespace() {
        Sh.exec(300, "ip", "netns", "del", NS);
        Sh.run("ip", "netns", "add", NS);
        Sh.run("ip", "-n", NS, "link", "set", "lo", "up");
        Sh.run("ip", "-n", NS, "link", "add", PORT, "type", "veth", "peer", "name", PEER);
        Sh.run("ip", "-n", NS, "link", "set", PORT, "up");
        Sh.run("ip", "-n", NS, "link", "set", PEER, "up");
        Sh.run("ip", "-n", NS, "addr", "add", "10.250.0.1/24", "dev", PORT);
        Sh.run("ip", "-n", NS, "addr", "add", "2001:db8:250::1/64", "dev", PORT, "nodad");
        Sh.run("ip", "-n", NS, "neigh", "replace", GATEWAY4, "lladdr", "02:00:00:00:fa:02", "dev", PORT, "nud", "permanent");
        Sh.run("ip", "-n", NS, "neigh", "replace", GATEWAY6, "lladdr", "02:00:00:00:fa:02", "dev", PORT, "nud", "permanent");
        Sh.run("ip", "netns", "exec", NS, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1");
    }

    private static void startDaemons(Daemons daemons) throws Exception {
        daemons.startFastPathManager(NS + "/" + PORT);
        daemons.startCacheManagerFor(NS, VRF);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Inet4Address connected = (Inet4Address) InetAddress.getByName("10.250.0.0");
        while (true) {
            daemons.checkAlive();
            if (Files.exists(PIN_ROOT.resolve("xg_fib4"))) {
                try (FastPathMaps maps = FastPathMaps.open(PIN_ROOT)) {
                    if (maps.lookupRoute4(VRF, connected, 24) != null) return;
                } catch (Exception e) {
                    // maps being created: try again
                }
            }
            if (System.nanoTime() > deadline) throw new IllegalStateException("the daemons did not synchronize in 60 s");
            Thread.sleep(20);
        }
    }

    // ---- latency of single changes

    private void measureLatency() throws Exception {
        int changes = options.changes();
        // Untimed changes first, until the JIT compilers have settled both daemons: with 5,000 the
        // first 4,000 timed changes still met C2 compilations (clusters of 1-9 ms changes), which
        // is start-up, not the steady latency the figure is about.
        int warmup = Math.max(20_000, changes);
        progress("latency: %,d single route changes over netlink (after %,d untimed)", 2 * changes, 2 * warmup);
        long[] adds = new long[changes];
        long[] deletes = new long[changes];
        long[] kernelAdds = new long[changes]; // until the kernel's acknowledgement
        try (RouteRequests requests = RouteRequests.open(NS); FastPathMaps maps = FastPathMaps.open(PIN_ROOT)) {
            InetAddress gateway = InetAddress.getByName(GATEWAY4);
            for (int round = 0; round < 2; round++) {
                boolean timed = round == 1;
                int n = timed ? changes : warmup;
                for (int i = 0; i < n; i++) {
                    Inet4Address prefix = InternetTable.ipv4Address(0xc6120000 | i); // 198.18.0.0/15
                    long start = System.nanoTime();
                    requests.sendAdd(prefix, 32, gateway, 0);
                    requests.awaitAck();
                    if (timed) kernelAdds[i] = System.nanoTime() - start;
                    awaitRoute(maps, prefix, true);
                    if (timed) adds[i] = System.nanoTime() - start;
                }
                for (int i = 0; i < n; i++) {
                    Inet4Address prefix = InternetTable.ipv4Address(0xc6120000 | i);
                    long start = System.nanoTime();
                    requests.sendDelete(prefix, 32);
                    requests.awaitAck();
                    awaitRoute(maps, prefix, false);
                    if (timed) deletes[i] = System.nanoTime() - start;
                }
            }
        }
        if (Boolean.getBoolean("xdpgate.bench.trace")) {
            for (int i = 0; i < changes; i++) System.err.println("latency-trace " + i + " " + adds[i] / 1000 + " " + kernelAdds[i] / 1000 + " " + deletes[i] / 1000);
        }
        Arrays.sort(adds);
        Arrays.sort(deletes);
        Arrays.sort(kernelAdds);
        result.put("latency_changes", changes);
        result.put("latency_p50_us", micros(percentile(adds, 50)));
        result.put("latency_p99_us", micros(percentile(adds, 99)));
        result.put("latency_p90_us", micros(percentile(adds, 90)));
        result.put("latency_max_us", micros(adds[adds.length - 1]));
        result.put("kernel_ack_p50_us", micros(percentile(kernelAdds, 50)));
        result.put("kernel_ack_p99_us", micros(percentile(kernelAdds, 99)));
        result.put("delete_latency_p50_us", micros(percentile(deletes, 50)));
        result.put("delete_latency_p99_us", micros(percentile(deletes, 99)));
        progress("latency: add p50 %.0f µs, p99 %.0f µs; delete p50 %.0f µs, p99 %.0f µs",
                result.get("latency_p50_us").asDouble(), result.get("latency_p99_us").asDouble(),
                result.get("delete_latency_p50_us").asDouble(), result.get("delete_latency_p99_us").asDouble());
    }

    /**
     * Polls the pinned FIB until the route is there (or gone). Each poll yields the CPU, so that
     * on a small machine the daemons being measured are not starved by the measurement.
     */
    private static void awaitRoute(FastPathMaps maps, Inet4Address prefix, boolean present) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while ((maps.lookupRoute4(VRF, prefix, 32) != null) != present) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(prefix.getHostAddress() + "/32 " + (present ? "never reached" : "never left")
                        + " the fast path's FIB within 5 s");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(POLL_NANOS);
        }
    }

    // ---- bulk convergence

    private TableWatch measureBulk(Daemons daemons, InternetTable table, Path batch) throws Exception {
        progress("bulk: installing %,d routes into the kernel with one ip -batch", table.size());
        try (FastPathMaps maps = FastPathMaps.open(PIN_ROOT)) {
            TableWatch watch = new TableWatch(table, VRF, maps.route4Count(), maps.route6Count());
            progress("bulk: %,d IPv4 routes of the table decide nothing (longer routes take each of their /24s):"
                    + " a DIR-24 table shows no entry of them", watch.hiddenIpv4());
            long start = System.nanoTime();
            Process ip = new ProcessBuilder("ip", "-n", NS, "-batch", batch.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            long kernelNanos = -1;
            long fastPathNanos;
            long nextReport = start;
            while (true) {
                daemons.checkAlive();
                if (kernelNanos < 0 && !ip.isAlive()) {
                    kernelNanos = System.nanoTime() - start;
                    if (ip.exitValue() != 0) throw new IllegalStateException("ip -batch failed with status " + ip.exitValue());
                    progress("bulk: the kernel holds the table after %.2f s", kernelNanos / 1e9);
                }
                if (watch.sampleComplete(maps)) {
                    long at = System.nanoTime() - start;
                    if (kernelNanos >= 0 && watch.countsComplete(maps)) {
                        fastPathNanos = at;
                        break;
                    }
                }
                if (System.nanoTime() - start > CONVERGENCE_TIMEOUT.toNanos()) {
                    throw new IllegalStateException("the fast path did not converge in " + CONVERGENCE_TIMEOUT);
                }
                if (System.nanoTime() > nextReport) {
                    progress("bulk: %.0f s, fast path holds %d%% of the sample", (System.nanoTime() - start) / 1e9, watch.percent());
                    nextReport = System.nanoTime() + 5_000_000_000L;
                }
                Thread.sleep(5);
            }
            result.put("bulk_ipv4_routes", table.ipv4().size());
            result.put("bulk_ipv6_routes", table.ipv6().size());
            result.put("kernel_install_s", seconds(kernelNanos));
            result.put("fast_path_converged_s", seconds(fastPathNanos));
            result.put("bulk_ratio", round3((double) fastPathNanos / kernelNanos));
            progress("bulk: the fast path holds the table after %.2f s (ratio %.3f)", fastPathNanos / 1e9,
                    (double) fastPathNanos / kernelNanos);
            return watch;
        }
    }

    // ---- cold start

    /** How long a cold start waits at most for the machine to be idle before it begins. */
    private static final Duration SETTLE_LIMIT = Duration.ofSeconds(20);

    /** One cold start: its time, the daemons' CPU, when the fast path manager reached each step, their memory. */
    private record ColdRun(double seconds, double cpuSeconds, Map<String, Double> phases, long rss) {}

    private void measureColdStart(Daemons daemons, InternetTable table, TableWatch bulk) throws Exception {
        List<ColdRun> runs = new ArrayList<>();
        for (int i = 1; i <= options.coldStarts(); i++) {
            ColdRun run = coldStart(daemons, bulk);
            runs.add(run);
            progress("cold start%s: the fast path holds the table %.2f s after the daemons were started (%.1f s of"
                            + " daemon CPU); fast path manager: %s", options.coldStarts() > 1 ? " " + i + "/" + options.coldStarts() : "",
                    run.seconds(), run.cpuSeconds(), describe(run.phases()));
        }
        List<ColdRun> byTime = new ArrayList<>(runs);
        byTime.sort(Comparator.comparingDouble(ColdRun::seconds));
        ColdRun median = byTime.get((byTime.size() - 1) / 2);
        result.put("cold_start_s", round3(median.seconds()));
        result.put("cold_start_daemon_cpu_s", round3(median.cpuSeconds()));
        result.put("cold_start_rss_bytes", median.rss());
        ObjectNode phases = result.putObject("cold_start_phases_s");
        median.phases().forEach(phases::put);
        ArrayNode all = result.putArray("cold_start_runs_s");
        runs.forEach(r -> all.add(round3(r.seconds())));
    }

    private static String describe(Map<String, Double> phases) {
        StringBuilder b = new StringBuilder();
        phases.forEach((step, at) -> b.append(b.length() == 0 ? "" : ", ").append(step.replace('_', ' '))
                .append(String.format(Locale.ROOT, " %.2f s", at)));
        return b.length() == 0 ? "no steps in its log" : b.toString();
    }

    private ColdRun coldStart(Daemons daemons, TableWatch bulk) throws Exception {
        progress("cold start: stopping both daemons and removing the fast path's maps");
        daemons.stopCacheManager();
        daemons.stopFastPathManager();
        Lab.removePins(PIN_ROOT);
        // A cold start begins on a quiet machine: the kernel frees the stopped manager's maps (a full table's,
        // a few tenths of a second of a kernel worker) after their pins and programs are gone, and a start
        // made at once shared the CPUs with that (0.27 s later on average, five interleaved pairs).
        double settled = MachineIdle.await(SETTLE_LIMIT);
        progress("cold start: the machine idle %.1f s after the daemons stopped%s", settled,
                settled >= SETTLE_LIMIT.toSeconds() ? " (not idle yet: starting anyway)" : "");
        TableWatch watch = bulk.restartingFromEmpty();
        Path log = daemons.logDir().resolve("fastpath-manager.log");
        long logFrom = ColdStartPhases.mark(log);
        int completedBefore = daemons.logCount("fastpath-manager", Daemons.GENERATION_COMPLETE);
        LocalTime startedAt = LocalTime.now();
        long start = System.nanoTime();
        daemons.startFastPathManager(NS + "/" + PORT);
        daemons.startCacheManagerFor(NS, VRF);
        long deadline = start + CONVERGENCE_TIMEOUT.toNanos();
        CpuTimeline timeline = Boolean.getBoolean("xdpgate.bench.trace") ? new CpuTimeline(
                Map.of("cm", daemons.cacheManagerPid(), "fpm", daemons.fastPathPid()), start) : null;
        FastPathMaps maps = null;
        try {
            while (true) {
                daemons.checkAlive();
                if (timeline != null) timeline.sample(System.nanoTime());
                if (maps == null && Files.exists(PIN_ROOT.resolve("xg_fib6"))) {
                    try {
                        maps = FastPathMaps.open(PIN_ROOT);
                    } catch (Exception e) {
                        // being created
                    }
                }
                if (maps != null && watch.sampleComplete(maps)) {
                    long at = System.nanoTime() - start;
                    if (watch.countsComplete(maps)) {
                        double cpu = ThreadCpu.total(daemons.fastPathPid()) + ThreadCpu.total(daemons.cacheManagerPid());
                        long rss = rss(daemons); // both daemons, right after
                        if (timeline != null) { // -Dxdpgate.bench.trace=true
                            ThreadCpu.print("fastpath-manager", daemons.fastPathPid());
                            ThreadCpu.print("cache-manager", daemons.cacheManagerPid());
                            timeline.print(System.err, 0.1);
                        }
                        // The maps are complete before the manager logs it: wait for the line the steps end with.
                        daemons.awaitLog("fastpath-manager", Daemons.GENERATION_COMPLETE, completedBefore + 1, Duration.ofSeconds(10));
                        return new ColdRun(at / 1e9, cpu, ColdStartPhases.read(log, logFrom, startedAt), rss);
                    }
                }
                if (System.nanoTime() > deadline) throw new IllegalStateException("cold start did not converge in " + CONVERGENCE_TIMEOUT);
                Thread.sleep(5);
            }
        } finally {
            if (maps != null) maps.close();
        }
    }

    // ---- memory

    private void recordMemory(long before, long after, int routes) {
        result.put("rss_before_bytes", before);
        result.put("rss_after_bytes", after);
        result.put("bytes_per_route", Math.round((double) (after - before) / routes));
        progress("memory: both daemons' resident memory %,d → %,d KiB, %d bytes per route",
                before / 1024, after / 1024, result.get("bytes_per_route").asLong());
    }

    /** Resident memory of both daemons, from /proc/PID/status (VmRSS). */
    private static long rss(Daemons daemons) throws IOException {
        return rssOf(daemons.fastPathPid()) + rssOf(daemons.cacheManagerPid());
    }

    private static long rssOf(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return 1024 * Long.parseLong(line.substring(6).replace("kB", "").strip());
            }
        }
        throw new IOException("no VmRSS for pid " + pid);
    }

    // ---- output

    private void printSummary() {
        if (options.json()) return;
        System.out.println();
        System.out.println("xdpgate bench sync");
        line("latency, route change → fast path map, p50", result.get("latency_p50_us").asDouble(), "µs", "");
        line("latency, route change → fast path map, p99", result.get("latency_p99_us").asDouble(), "µs",
                goal(result.get("latency_p99_us").asDouble() < 1000, "goal < 1000 µs"));
        line("bulk: kernel installation", result.get("kernel_install_s").asDouble(), "s", "");
        line("bulk: fast path complete", result.get("fast_path_converged_s").asDouble(), "s", "");
        line("bulk ratio (fast path / kernel)", result.get("bulk_ratio").asDouble(), "",
                goal(result.get("bulk_ratio").asDouble() <= 1.05, "goal ≤ 1.05"));
        line("cold start", result.get("cold_start_s").asDouble(), "s", goal(result.get("cold_start_s").asDouble() < 5, "goal < 5 s"));
        line("resident memory per route, both daemons", result.get("bytes_per_route").asDouble(), "bytes",
                goal(result.get("bytes_per_route").asDouble() < 150, "goal < 150"));
    }

    private static void line(String what, double value, String unit, String note) {
        System.out.printf(Locale.ROOT, "  %-46s %12.3f %-5s %s%n", what, value, unit, note);
    }

    private static String goal(boolean met, String goal) {
        return (met ? "met" : "NOT met") + " (" + goal + ")";
    }

    static void progress(String format, Object... args) {
        System.err.println("bench sync: " + String.format(Locale.ROOT, format, args));
    }

    private static long percentile(long[] sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double micros(long nanos) {
        return Math.round(nanos / 100.0) / 10.0;
    }

    private static double seconds(long nanos) {
        return round3(nanos / 1e9);
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
