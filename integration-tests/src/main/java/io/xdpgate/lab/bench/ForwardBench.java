package io.xdpgate.lab.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.ebpf.FibReferenceProgram;
import io.xdpgate.lab.Daemons;
import io.xdpgate.lab.Lab;
import io.xdpgate.lab.Sh;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./xdpgate bench forward}: the fast path against a bpf_fib_lookup forwarder and against
 * Linux's own forwarding, on the same routes, at several table sizes (see
 * {@link ForwardBenchOptions#USAGE}). The fast path's maps are filled the way a router's are: the
 * real cache manager follows the router namespace and the real fast path manager writes its maps;
 * the cache manager is restarted after each installation, so that it takes the table in one dump.
 */
public final class ForwardBench {

    static final Path PIN_ROOT = Path.of("/sys/fs/bpf/xgb-fwd");
    static final Path SOCKET = Path.of("/run/xdpgate/xgb-fwd.sock");
    private static final Duration SYNC_TIMEOUT = Duration.ofMinutes(10);
    /** The fast path keeps up with the kernel's installation (bench sync): minutes more means lost routes. */
    private static final Duration CONVERGENCE_AFTER_KERNEL = Duration.ofMinutes(2);
    private static final InetAddress SENDER4 = Daemons.ipv4("10.251.1.2");

    private final ForwardBenchOptions options;
    private final ObjectNode result = new ObjectMapper().createObjectNode();
    private final ArrayNode ipv4Results = result.putArray("ipv4");

    private ForwardBench(ForwardBenchOptions options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("xdpgate.process", "bench-forward");
        ForwardBenchOptions options;
        try {
            options = ForwardBenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("xdpgate bench forward: " + e.getMessage());
            System.err.println(ForwardBenchOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.println(ForwardBenchOptions.USAGE);
            return;
        }
        ForwardBench bench = new ForwardBench(options);
        bench.run();
        if (options.json()) {
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(bench.result));
        } else {
            bench.printTable();
        }
    }

    private void run() throws Exception {
        long started = System.nanoTime();
        Path logs = Path.of(System.getProperty("java.io.tmpdir"), "xgb-bench-forward-logs");
        progress("generating a table of %,d IPv4 and %,d IPv6 routes", options.maxRoutes4(), options.routes6());
        InternetTable table = InternetTable.generate(options.maxRoutes4(), options.routes6(), options.seed());
        Daemons.clearLogs(logs);
        Lab.removePins(PIN_ROOT);
        try (FibReferenceProgram reference = FibReferenceProgram.load();
             ForwardRate rate = options.rateSeconds() > 0 ? ForwardRate.compile() : null) {
            Daemons daemons = new Daemons(PIN_ROOT, SOCKET, logs);
            // Interrupted (Ctrl-C), the benchmark still stops its daemons and removes its namespaces.
            Thread cleanup = new Thread(() -> cleanUp(daemons), "bench-forward-cleanup");
            Runtime.getRuntime().addShutdownHook(cleanup);
            try {
                ForwardLab lab = ForwardLab.create(PIN_ROOT, reference);
                startDaemons(daemons, lab);
                progress("lab and daemons up (daemon logs in %s)", logs);
                int installed = 0;
                for (int size : options.routes4Sizes()) {
                    install(daemons, table.slice(installed, size, 0, 0), table.slice(0, size, 0, 0), size);
                    installed = size;
                    ipv4Results.add(measure(lab, reference, rate, table.ipv4().subList(0, size), "IPv4", size));
                }
                if (options.routes6() > 0) {
                    install(daemons, table.slice(installed, installed, 0, options.routes6()),
                            table.slice(0, installed, 0, options.routes6()), options.routes6());
                    result.set("ipv6", measure(lab, reference, rate, table.ipv6(), "IPv6", options.routes6()));
                }
            } finally {
                cleanUp(daemons);
                Runtime.getRuntime().removeShutdownHook(cleanup);
            }
        }
        summarize();
        result.put("elapsed_s", round((System.nanoTime() - started) / 1e9, 1));
        progress("done in %.0f s", (System.nanoTime() - started) / 1e9);
    }

    private static synchronized void cleanUp(Daemons daemons) {
        daemons.close();
        progress("cleaning up: deleting the namespaces with their routes");
        ForwardLab.destroy(PIN_ROOT);
        Lab.removePins(PIN_ROOT);
    }

    private static void startDaemons(Daemons daemons, ForwardLab lab) throws Exception {
        daemons.startFastPathManager(ForwardLab.fastPathPorts(), "--metrics", "off");
        daemons.startCacheManagerFor(ForwardLab.ROUTER, ForwardLab.VRF, "--metrics", "off");
        Path links = PIN_ROOT.resolve("links");
        List<Path> wanted = List.of(
                links.resolve("vrf" + ForwardLab.VRF + "-if" + lab.ifindex(ForwardLab.ROUTER, ForwardLab.R_FAST)),
                links.resolve("vrf" + ForwardLab.VRF + "-if" + lab.ifindex(ForwardLab.ROUTER, ForwardLab.R_SINK)));
        InetAddress connected = Daemons.ipv4("10.251.2.0");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            daemons.checkAlive();
            if (wanted.stream().allMatch(Files::exists) && Files.exists(PIN_ROOT.resolve("xg_fib4"))) {
                try (FastPathMaps maps = FastPathMaps.open(PIN_ROOT)) {
                    if (maps.lookupRoute4(ForwardLab.VRF, (java.net.Inet4Address) connected, 24) != null) return;
                } catch (Exception e) {
                    // maps being created: try again
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the fast path did not attach and synchronize in 60 s; logs in " + daemons.logDir());
            }
            Thread.sleep(20);
        }
    }

    /** The fast path's routes before the first table route: the router's own. */
    private int base4 = -1;
    private int base6 = -1;

    /**
     * Installs the routes of part into the router's kernel with one ip -batch and waits until the fast
     * path holds them: all that it shows of {@code installed}, every route installed so far (a route
     * installed now can leave an earlier one no entry of a DIR-24 table, see TableWatch).
     */
    private void install(Daemons daemons, InternetTable part, InternetTable installed, int total) throws Exception {
        Path batch = Files.createTempFile("xgb-bench-forward", ".batch");
        try {
            part.writeBatch(batch, "add", ForwardLab.GATEWAY4, ForwardLab.GATEWAY6);
            try (FastPathMaps maps = FastPathMaps.open(PIN_ROOT)) {
                if (base4 < 0) {
                    base4 = maps.route4Count();
                    base6 = maps.route6Count();
                }
                TableWatch watch = new TableWatch(installed, ForwardLab.VRF, base4, base6);
                int want4 = base4 + installed.ipv4().size() - watch.hiddenIpv4();
                int want6 = base6 + installed.ipv6().size();
                progress("installing %,d routes (%,d in all) into %s with ip -batch", part.size(), total, ForwardLab.ROUTER);
                // The cache manager is stopped while the kernel's table grows and then dumps it whole: measured
                // here, a reconnection (FPC keepalive timeout on a busy machine) during a burst of route adds
                // ended in a resynchronization that left some of the burst's routes out of the fast path.
                daemons.stopCacheManager();
                long start = System.nanoTime();
                Sh.Result r = Sh.exec(SYNC_TIMEOUT.toSeconds(), "ip", "-n", ForwardLab.ROUTER, "-batch", batch.toString());
                if (!r.ok()) throw new IllegalStateException("ip -batch failed: " + r.stderr().strip());
                long kernel = System.nanoTime() - start;
                daemons.startCacheManagerFor(ForwardLab.ROUTER, ForwardLab.VRF, "--metrics", "off");
                long deadline = System.nanoTime() + CONVERGENCE_AFTER_KERNEL.toNanos();
                while (!(watch.sampleComplete(maps) && watch.countsComplete(maps))) {
                    daemons.checkAlive();
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the fast path holds " + watch.percent() + "% of a sample of the"
                                + " routes, " + maps.route4Count() + " of " + want4 + " IPv4 and " + maps.route6Count() + " of "
                                + want6 + " IPv6 routes, " + CONVERGENCE_AFTER_KERNEL.toSeconds() + " s after the kernel held them all:"
                                + " the daemons lost routes (their logs are in " + daemons.logDir() + "; ./xdpgate ctl verify"
                                + " --pin-root " + PIN_ROOT + " lists the differences while the lab exists)");
                    }
                    Thread.sleep(20);
                }
                progress("the kernel held them after %.1f s, the fast path (a cache manager started then) after %.1f s",
                        kernel / 1e9, (System.nanoTime() - start) / 1e9);
            }
        } finally {
            Files.deleteIfExists(batch);
        }
    }

    private ObjectNode measure(ForwardLab lab, FibReferenceProgram reference, ForwardRate rate,
                               List<InternetTable.Prefix> routes, String family, int size) throws Exception {
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("routes", size);
        List<InetAddress> destinations = BenchFrames.destinations(routes, options.frames(), options.seed() + size);
        byte[] portMac = BenchFrames.mac(lab.mac(ForwardLab.ROUTER, ForwardLab.R_FAST));
        byte[] senderMac = BenchFrames.mac(lab.mac(ForwardLab.FAST_SENDER, ForwardLab.senderIf(ForwardLab.FAST_SENDER)));
        InetAddress source = family.equals("IPv4") ? SENDER4 : InetAddress.getByName("2001:db8:251:1::2");
        List<byte[]> frames = new ArrayList<>(destinations.size());
        for (int i = 0; i < destinations.size(); i++) {
            frames.add(BenchFrames.udp(portMac, senderMac, source, destinations.get(i), 1024 + (i & 0x7fff), 9));
        }
        progress("%s, %,d routes: cost per packet over %,d random destinations, %d rounds", family, size, frames.size(),
                options.rounds());
        ForwardCost.Figures cost = ForwardCost.measure(PIN_ROOT, ForwardLab.VRF, reference, frames,
                lab.ifindex(ForwardLab.ROUTER, ForwardLab.R_FAST), options.rounds(),
                BenchFrames.mac(lab.mac(ForwardLab.SINK, ForwardLab.SINK_IF)),
                BenchFrames.mac(lab.mac(ForwardLab.ROUTER, ForwardLab.R_SINK)));
        out.put("fast_path_ns", round(cost.fastNs(), 1));
        out.put("reference_ns", round(cost.referenceNs(), 1));
        out.put("test_run_floor_ns", round(cost.floorNs(), 1));
        out.put("fast_path_pps", Math.round(1e9 / cost.fastNs()));
        out.put("reference_pps", Math.round(1e9 / cost.referenceNs()));
        out.put("ratio", round(cost.ratio(), 3));
        out.put("ratio_net_of_floor", round(cost.netRatio(), 3));
        ArrayNode fr = out.putArray("fast_path_rounds_ns");
        for (double v : cost.fastRounds()) fr.add(round(v, 1));
        ArrayNode rr = out.putArray("reference_rounds_ns");
        for (double v : cost.referenceRounds()) rr.add(round(v, 1));
        progress("%s, %,d routes: fast path %.0f ns, reference %.0f ns (test run floor %.0f ns), ratio %.3f", family,
                size, cost.fastNs(), cost.referenceNs(), cost.floorNs(), cost.ratio());
        if (rate != null) {
            boolean captured = family.equals("IPv4") && options.capturesAt(size);
            progress("%s, %,d routes: forwarding rate, kernel, fast path%s and sender ceiling, %d runs of %.1f s each",
                    family, size, captured ? ", fast path with tcpdump on " + ForwardLab.R_FAST : "",
                    options.rateRounds(), options.rateSeconds());
            ForwardRate.Figures f = rate.measure(lab, destinations, options.rateSeconds(), options.rateRounds(), captured);
            out.put("kernel_rate_pps", Math.round(f.kernelPps()));
            out.put("fast_path_rate_pps", Math.round(f.fastPps()));
            out.put("sender_ceiling_pps", Math.round(f.directPps()));
            out.put("wall_rate_vs_kernel", round(f.wallRatio(), 3));
            out.put("router_cpu_ns_kernel", round(f.routerNsKernel(), 1));
            out.put("router_cpu_ns_fast_path", round(f.routerNsFast(), 1));
            out.put("kernel_rate_per_core_pps", Math.round(1e9 / f.routerNsKernel()));
            out.put("fast_path_rate_per_core_pps", Math.round(1e9 / f.routerNsFast()));
            out.put("rate_vs_kernel", round(f.capacityRatio(), 3));
            out.set("rate_runs", runs(f.runs()));
            progress("%s, %,d routes: router's own CPU per packet %.0f ns (kernel), %.0f ns (fast path): ratio %.2f;"
                    + " wall clock %,.0f and %,.0f packets/s (sender ceiling %,.0f)", family, size, f.routerNsKernel(),
                    f.routerNsFast(), f.capacityRatio(), f.kernelPps(), f.fastPps(), f.directPps());
            if (f.capture() != null) {
                out.set("capture", capture(f.capture()));
                progress("%s, %,d routes: tcpdump on %s: router's own CPU per packet %.0f ns (captured, TC), %.0f ns"
                        + " (uncaptured, XDP): ratio %.2f; wall clock %,.0f and %,.0f packets/s", family, size,
                        ForwardLab.R_FAST, f.capture().capturedNs(), f.capture().uncapturedNs(), f.capture().ratio(),
                        f.capture().wallCapturedPps(), f.capture().wallUncapturedPps());
            }
        }
        Map<String, Long> maps = MapMemory.pinnedMaps(PIN_ROOT);
        ObjectNode mapBytes = out.putObject("map_bytes");
        maps.forEach(mapBytes::put);
        out.put("maps_total_bytes", maps.values().stream().mapToLong(Long::longValue).sum());
        out.put("kernel_fib4_bytes", MapMemory.kernelFib4(ForwardLab.ROUTER));
        return out;
    }

    /** The captured port beside the uncaptured one, with what shows the captured runs went through TC. */
    private static ObjectNode capture(CaptureFigures c) {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("port", ForwardLab.R_FAST);
        n.put("tcpdump", "tcpdump -i " + ForwardLab.R_FAST + " -n -w /dev/null (in " + ForwardLab.ROUTER + ", CPU 0)");
        n.put("router_cpu_ns_uncaptured", round(c.uncapturedNs(), 1));
        n.put("router_cpu_ns_captured", round(c.capturedNs(), 1));
        n.put("rate_uncaptured_pps", Math.round(1e9 / c.uncapturedNs()));
        n.put("rate_captured_pps", Math.round(1e9 / c.capturedNs()));
        n.put("captured_over_uncaptured", round(c.ratio(), 3));
        n.put("wall_rate_uncaptured_pps", Math.round(c.wallUncapturedPps()));
        n.put("wall_rate_captured_pps", Math.round(c.wallCapturedPps()));
        n.put("wall_captured_over_uncaptured", round(c.wallRatio(), 3));
        n.put("tcpdump_cpu_ns_per_packet", round(c.tcpdumpNsPerPacket(), 1));
        CaptureFigures.Totals t = c.totals();
        ObjectNode check = n.putObject("captured_runs");
        check.put("sink_received", t.received());
        check.put("tc_capture_forwarded", t.tcForwarded());
        check.put("kernel_forwarded", t.kernelForwarded());
        check.put("tcpdump_received_by_filter", t.tcpdumpReceivedByFilter());
        check.put("tcpdump_captured", t.tcpdumpCaptured());
        check.put("tcpdump_dropped_by_kernel", t.tcpdumpDropped());
        n.put("uncaptured_runs_tc_forwarded", t.tcForwardedUncaptured());
        return n;
    }

    private static ArrayNode runs(List<ForwardRate.Run> runs) {
        ArrayNode a = new ObjectMapper().createArrayNode();
        for (ForwardRate.Run r : runs) {
            ObjectNode n = a.addObject();
            n.put("kind", r.kind().name().toLowerCase(Locale.ROOT));
            n.put("round", r.round());
            n.put("sent", r.sent());
            n.put("send_failures", r.failed());
            n.put("received", r.received());
            n.put("seconds", round(r.seconds(), 3));
            n.put("cpu_ns", r.cpuNs());
            n.put("received_pps", Math.round(r.receivedPerSecond()));
            n.put("kernel_forwarded", r.kernelForwarded());
            n.put("tc_forwarded", r.tcForwarded());
            if (r.tcpdump() != null) {
                n.put("tcpdump_received_by_filter", r.tcpdump().receivedByFilter());
                n.put("tcpdump_captured", r.tcpdump().captured());
                n.put("tcpdump_dropped_by_kernel", r.tcpdump().droppedByKernel());
                n.put("tcpdump_cpu_ns", r.tcpdump().cpuNs());
            }
        }
        return a;
    }

    /** The headline figures: at 1M IPv4 routes, at 280k IPv6 routes, and the rate at the largest IPv4 size. */
    private void summarize() {
        result.putNull("ratio_ipv4_1m");
        result.putNull("ratio_ipv6_280k");
        result.putNull("rate_vs_kernel");
        for (var n : ipv4Results) {
            if (n.get("routes").asInt() == 1_000_000) result.put("ratio_ipv4_1m", n.get("ratio").asDouble());
        }
        if (result.has("ipv6") && result.get("ipv6").get("routes").asInt() == 280_000) {
            result.put("ratio_ipv6_280k", result.get("ipv6").get("ratio").asDouble());
        }
        if (!ipv4Results.isEmpty()) {
            var largest = ipv4Results.get(ipv4Results.size() - 1);
            result.put("ratio_ipv4_largest", largest.get("ratio").asDouble());
            if (largest.has("rate_vs_kernel")) {
                result.put("rate_vs_kernel", largest.get("rate_vs_kernel").asDouble());
                result.put("rate_vs_kernel_routes", largest.get("routes").asInt());
                result.put("wall_rate_vs_kernel", largest.get("wall_rate_vs_kernel").asDouble());
            }
        }
        if (result.has("ipv6")) result.put("ratio_ipv6", result.get("ipv6").get("ratio").asDouble());
        for (var n : ipv4Results) {
            if (!n.has("capture")) continue;
            var c = n.get("capture");
            result.put("capture_routes", n.get("routes").asInt());
            for (String k : new String[] {"rate_captured_pps", "rate_uncaptured_pps", "captured_over_uncaptured",
                    "router_cpu_ns_captured", "router_cpu_ns_uncaptured", "wall_captured_over_uncaptured"}) {
                result.set(k, c.get(k));
            }
        }
    }

    private void printTable() {
        List<com.fasterxml.jackson.databind.JsonNode> rows = new ArrayList<>();
        ipv4Results.forEach(rows::add);
        if (result.has("ipv6")) rows.add(result.get("ipv6"));
        System.out.println();
        System.out.println("xdpgate bench forward");
        System.out.printf(Locale.ROOT, "cost per packet (BPF_PROG_TEST_RUN, one run per frame, %,d random destinations,"
                + " median of %d rounds)%n", options.frames(), options.rounds());
        System.out.printf(Locale.ROOT, "  %-4s %9s | %10s %12s | %10s %12s | %6s | %8s %8s %9s%n", "", "routes",
                "fast ns", "fast pkt/s", "ref ns", "ref pkt/s", "ratio", "maps MiB", "FIB MiB", "kFIB MiB");
        for (int i = 0; i < rows.size(); i++) {
            var n = rows.get(i);
            boolean v6 = i >= ipv4Results.size();
            long kfib = v6 ? -1 : n.get("kernel_fib4_bytes").asLong();
            System.out.printf(Locale.ROOT, "  %-4s %,9d | %10.1f %,12d | %10.1f %,12d | %6.3f | %8.1f %8.1f %9s%n",
                    v6 ? "IPv6" : "IPv4", n.get("routes").asInt(), n.get("fast_path_ns").asDouble(),
                    n.get("fast_path_pps").asLong(), n.get("reference_ns").asDouble(), n.get("reference_pps").asLong(),
                    n.get("ratio").asDouble(), n.get("maps_total_bytes").asLong() / 1048576.0,
                    n.get("map_bytes").path(v6 ? "xg_fib6" : "xg_fib4").asLong() / 1048576.0,
                    kfib < 0 ? "-" : String.format(Locale.ROOT, "%.1f", kfib / 1048576.0));
        }
        if (!rows.isEmpty()) {
            System.out.printf(Locale.ROOT, "  (a program that only returns XDP_PASS, timed the same way: %.1f ns)%n",
                    rows.get(0).get("test_run_floor_ns").asDouble());
        }
        if (rows.stream().anyMatch(n -> n.has("rate_vs_kernel"))) {
            System.out.printf(Locale.ROOT, "forwarding rate (frame_sender through the router to an XDP_DROP sink, %d rounds"
                    + " of %.1f s runs, medians)%n", options.rateRounds(), options.rateSeconds());
            System.out.printf(Locale.ROOT, "  %-4s %9s | %10s %10s %12s %12s %6s | %12s %12s %12s%n", "", "routes",
                    "kernel ns", "fast ns", "kernel pkt/s", "fast pkt/s", "ratio", "wall kernel", "wall fast", "wall ceiling");
            for (int i = 0; i < rows.size(); i++) {
                var n = rows.get(i);
                if (!n.has("rate_vs_kernel")) continue;
                System.out.printf(Locale.ROOT, "  %-4s %,9d | %10.0f %10.0f %,12d %,12d %6.2f | %,12d %,12d %,12d%n",
                        i >= ipv4Results.size() ? "IPv6" : "IPv4", n.get("routes").asInt(),
                        n.get("router_cpu_ns_kernel").asDouble(), n.get("router_cpu_ns_fast_path").asDouble(),
                        n.get("kernel_rate_per_core_pps").asLong(), n.get("fast_path_rate_per_core_pps").asLong(),
                        n.get("rate_vs_kernel").asDouble(), n.get("kernel_rate_pps").asLong(),
                        n.get("fast_path_rate_pps").asLong(), n.get("sender_ceiling_pps").asLong());
            }
            System.out.println("  (ns and pkt/s: the router's own CPU time per packet and the rate of one core at that cost;"
                    + " wall: packets per second as sent, including the sender's and the sink's cost; ceiling: without router)");
        }
        for (var n : ipv4Results) {
            if (!n.has("capture")) continue;
            var c = n.get("capture");
            var t = c.get("captured_runs");
            System.out.printf(Locale.ROOT, "forwarding rate with tcpdump on the ingress port (%s, IPv4 %,d routes, the same"
                    + " rounds: each has a run with tcpdump -i %s -w /dev/null running in %s)%n", ForwardLab.R_FAST,
                    n.get("routes").asInt(), ForwardLab.R_FAST, ForwardLab.ROUTER);
            System.out.printf(Locale.ROOT, "  %-22s | %10s %12s | %12s%n", "", "ns", "pkt/s", "wall pkt/s");
            System.out.printf(Locale.ROOT, "  %-22s | %10.0f %,12d | %,12d%n", "uncaptured (XDP)",
                    c.get("router_cpu_ns_uncaptured").asDouble(), c.get("rate_uncaptured_pps").asLong(),
                    c.get("wall_rate_uncaptured_pps").asLong());
            System.out.printf(Locale.ROOT, "  %-22s | %10.0f %,12d | %,12d%n", "captured (TC)",
                    c.get("router_cpu_ns_captured").asDouble(), c.get("rate_captured_pps").asLong(),
                    c.get("wall_rate_captured_pps").asLong());
            System.out.printf(Locale.ROOT, "  captured / uncaptured: %.2f per core, %.2f wall clock; tcpdump's own CPU"
                    + " %.0f ns per packet (on another CPU, not counted above)%n", c.get("captured_over_uncaptured").asDouble(),
                    c.get("wall_captured_over_uncaptured").asDouble(), c.get("tcpdump_cpu_ns_per_packet").asDouble());
            System.out.printf(Locale.ROOT, "  captured runs: sink received %,d, TC forwarded %,d, kernel forwarded %,d;"
                    + " tcpdump: filter saw %,d, captured %,d, dropped by kernel %,d; TC forwarded in uncaptured runs %,d%n",
                    t.get("sink_received").asLong(), t.get("tc_capture_forwarded").asLong(),
                    t.get("kernel_forwarded").asLong(), t.get("tcpdump_received_by_filter").asLong(),
                    t.get("tcpdump_captured").asLong(), t.get("tcpdump_dropped_by_kernel").asLong(),
                    c.get("uncaptured_runs_tc_forwarded").asLong());
        }
        System.out.printf(Locale.ROOT, "ratio_ipv4_1m %s (goal <= 0.5), ratio_ipv6_280k %s (goal <= 0.5), rate_vs_kernel %s"
                + " (goal >= 3)%n", result.get("ratio_ipv4_1m"), result.get("ratio_ipv6_280k"), result.get("rate_vs_kernel"));
    }

    private static final long STARTED = System.nanoTime();

    static void progress(String format, Object... args) {
        System.err.printf(Locale.ROOT, "bench forward [%5.1f s]: %s%n", (System.nanoTime() - STARTED) / 1e9,
                String.format(Locale.ROOT, format, args));
    }

    private static double round(double v, int decimals) {
        double f = Math.pow(10, decimals);
        return Math.round(v * f) / f;
    }
}
