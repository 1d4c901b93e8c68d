package io.xdpgate.fpc;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Throughput of FPC for route messages, in one run:
 * <ul>
 * <li><b>encode</b>: {@link FpcMessageEncoder#encode} into one reused buffer;</li>
 * <li><b>decode</b>: encoded routes through {@link FpcFrameDecoder};</li>
 * <li><b>end to end</b>: SYNC_BEGIN, {@code --routes} routes built on the fly, SYNC_END sent by
 * {@link FpcClient#send} over a real UNIX socket to an {@link FpcServer} whose applier does nothing, timed
 * from the first send to the acknowledgement of SYNC_END;</li>
 * <li><b>end to end in route lists</b>: the same to a server that announces ROUTE_ADD_LISTS, the routes
 * handed to {@link FpcClient#sendAll} {@value FpcSendQueue#BATCH} at a time as the send queue does, so that
 * they travel in {@link FpcRouteList}s ({@code route_list_routes_per_s}, {@code route_list_routes_per_cpu_s}).</li>
 * </ul>
 * Each of the three is first run untimed, in rounds of at most {@value #WARMUP_ROUND} messages (end to end: one
 * generation per round, on the same connection), for at least {@code --warmup} messages and then on until the JIT
 * compiler is quiet: {@value #QUIET_ROUNDS} rounds in a row during which the compiler threads used less than
 * {@value #JIT_QUIET_PERCENT}% of the round's time (or {@value #WARMUP_MAX_SECONDS} s per phase at most). On one core
 * the compiler shares the core with the code it compiles, and a fixed short warm-up would time the JIT rather than
 * FPC. {@code warmup_routes} is the end-to-end warm-up actually run, {@code jit_cpu_ms_during_e2e} the CPU time the
 * compiler threads used during the timed run (about 0 when the warm-up did its job; -1 when unknown).
 * {@code route_msgs_per_cpu_s} divides the end-to-end messages by the CPU time the whole process used meanwhile
 * (client, server, GC and every other thread): what one core sustains, whatever the number of cores.
 * The heap is sampled throughout; {@code heap_bytes} is the peak of the heap in use right after each
 * collection during the timed end-to-end run (what the run keeps live), {@code heap_peak_sampled_bytes} the
 * peak of the plain samples (garbage included). The socket lives in a temporary directory that is
 * removed at the end.
 *
 * <pre>java -cp ... io.xdpgate.fpc.FpcBench [--routes N] [--warmup N] [--json]</pre>
 */
public final class FpcBench {
    private static final int RING = 4096;
    static final int DEFAULT_ROUTES = 5_000_000;
    static final int DEFAULT_WARMUP = 2_000_000;
    static final int WARMUP_ROUND = 500_000;
    static final int JIT_QUIET_PERCENT = 2;
    static final int QUIET_ROUNDS = 2;
    static final int WARMUP_MAX_SECONDS = 30;

    private FpcBench() {
    }

    public static void main(String[] args) throws Exception {
        long routes = DEFAULT_ROUTES;
        long warmup = DEFAULT_WARMUP;
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--routes" -> routes = Long.parseLong(value(args, ++i, "--routes"));
                case "--warmup" -> warmup = Long.parseLong(value(args, ++i, "--warmup"));
                case "--json" -> json = true;
                case "-h", "--help" -> {
                    System.out.println("usage: FpcBench [--routes N (timed, default " + DEFAULT_ROUTES + ")] [--warmup N"
                            + " (untimed first, at least; default " + DEFAULT_WARMUP + ", then on until the JIT is quiet)]"
                            + " [--json]");
                    return;
                }
                default -> {
                    System.err.println("FpcBench: unknown option " + args[i] + " (try --help)");
                    System.exit(2);
                }
            }
        }
        if (routes < 1 || routes > Integer.MAX_VALUE - 2) {
            System.err.println("FpcBench: --routes must be 1.." + (Integer.MAX_VALUE - 2));
            System.exit(2);
        }
        if (warmup < 0 || warmup > Integer.MAX_VALUE - 2) {
            System.err.println("FpcBench: --warmup must be 0.." + (Integer.MAX_VALUE - 2));
            System.exit(2);
        }
        Map<String, Object> result = run((int) routes, (int) warmup, true);
        PrintStream out = System.out;
        if (json) {
            out.println(toJson(result));
        } else {
            out.printf("FPC bench, %,d route messages timed after %,d untimed (end to end), %d CPUs%n", routes,
                    (long) result.get("warmup_routes"), Runtime.getRuntime().availableProcessors());
            out.printf("  %-34s %,15.0f msg/s%n", "end to end (UNIX socket, acked)", (double) result.get("route_msgs_per_s"));
            out.printf("  %-34s %,15.0f msg/s%n", "end to end per CPU second", (double) result.get("route_msgs_per_cpu_s"));
            out.printf("  %-34s %,15.0f routes/s%n", "end to end in route lists", (double) result.get("route_list_routes_per_s"));
            out.printf("  %-34s %,15.0f routes/s%n", "  per CPU second", (double) result.get("route_list_routes_per_cpu_s"));
            out.printf("  %-34s %,15.0f msg/s%n", "encode only", (double) result.get("encode_msgs_per_s"));
            out.printf("  %-34s %,15.0f msg/s%n", "decode only (frame + message)", (double) result.get("decode_msgs_per_s"));
            out.printf("  %-34s %,15.3f s%n", "end to end time", (double) result.get("e2e_seconds"));
            out.printf("  %-34s %,15.3f s%n", "end to end CPU time, all threads", (double) result.get("e2e_cpu_seconds"));
            out.printf("  %-34s %,15d bytes%n", "heap used after GC, peak", (long) result.get("heap_bytes"));
            out.printf("  %-34s %,15d bytes%n", "heap used sampled, peak", (long) result.get("heap_peak_sampled_bytes"));
            out.printf("  %-34s %,15d%n", "collections during the run", (long) result.get("gc_count"));
            out.printf("  %-34s %,15d ms%n", "JIT compiler CPU during the run", (long) result.get("jit_cpu_ms_during_e2e"));
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            System.err.println("FpcBench: " + option + " needs a value");
            System.exit(2);
        }
        return args[i];
    }

    /** {@code routes} timed after as many untimed, without waiting for the JIT to go quiet (for tests). */
    static Map<String, Object> run(int routes) throws Exception {
        return run(routes, routes, false);
    }

    static Map<String, Object> run(int routes, int warmup, boolean untilJitQuiet) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("routes", routes);
        r.put("warmup_routes", 0L);
        r.put("cpus", Runtime.getRuntime().availableProcessors());
        List<FpcEnvelope> ring = new ArrayList<>(RING);
        for (int i = 0; i < RING; i++) {
            ring.add(new FpcEnvelope(0, i + 1, 0, route(i)));
        }
        warmUp(warmup, untilJitQuiet, n -> encodeRate(ring, n));
        r.put("encode_msgs_per_s", encodeRate(ring, routes));
        warmUp(warmup, untilJitQuiet, n -> decodeRate(ring, n));
        r.put("decode_msgs_per_s", decodeRate(ring, routes));

        HeapWatch heap = new HeapWatch();
        Path dir = Files.createTempDirectory("fpc-bench");
        Path socket = dir.resolve("fpc.sock");
        Timing timed;
        Timing listed;
        try {
            timed = endToEnd(socket, routes, warmup, untilJitQuiet, heap, false);
            Files.deleteIfExists(socket);
            listed = endToEnd(socket, routes, warmup, untilJitQuiet, new HeapWatch(), true);
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
        r.put("route_list_routes_per_s", routes / listed.seconds);
        r.put("route_list_routes_per_cpu_s", listed.cpuSeconds > 0 ? routes / listed.cpuSeconds : 0.0);
        r.put("route_msgs_per_s", routes / timed.seconds);
        r.put("route_msgs_per_cpu_s", timed.cpuSeconds > 0 ? routes / timed.cpuSeconds : 0.0);
        r.put("e2e_seconds", timed.seconds);
        r.put("e2e_cpu_seconds", timed.cpuSeconds);
        r.put("warmup_routes", timed.warmupRoutes);
        r.put("heap_bytes", heap.peakAfterGc > 0 ? heap.peakAfterGc : heap.peakSampled);
        r.put("heap_bytes_source", heap.peakAfterGc > 0 ? "after_gc" : "sampled_no_gc_during_run");
        r.put("heap_peak_sampled_bytes", heap.peakSampled);
        r.put("heap_max_bytes", Runtime.getRuntime().maxMemory());
        r.put("gc_count", heap.collections.get());
        r.put("jit_cpu_ms_during_e2e", timed.jitMillis);
        return r;
    }

    private static double encodeRate(List<FpcEnvelope> ring, int count) {
        ByteBuf buf = Unpooled.directBuffer(1 << 20);
        try {
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                if (buf.writableBytes() < FpcConstants.MAX_MESSAGE_LENGTH) {
                    buf.clear();
                }
                FpcMessageEncoder.encode(ring.get(i & (RING - 1)), buf);
            }
            return count / seconds(start);
        } finally {
            buf.release();
        }
    }

    private static double decodeRate(List<FpcEnvelope> ring, int count) {
        ByteBuf encoded = Unpooled.directBuffer(RING * 64);
        for (FpcEnvelope e : ring) {
            FpcMessageEncoder.encode(e, encoded);
        }
        long[] decoded = new long[1];
        EmbeddedChannel ch = new EmbeddedChannel(new FpcFrameDecoder(),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        decoded[0]++;
                    }
                });
        try {
            long start = System.nanoTime();
            int chunk = 64 * 1024; // what one socket read delivers at most
            while (decoded[0] < count) {
                for (int off = 0; off < encoded.readableBytes(); off += chunk) {
                    ch.writeInbound(encoded.retainedSlice(off, Math.min(chunk, encoded.readableBytes() - off)));
                }
            }
            return decoded[0] / seconds(start);
        } finally {
            ch.finishAndReleaseAll();
            encoded.release();
        }
    }

    /** One untimed round of a phase: {@code messages} messages. */
    private interface Round {
        void run(int messages) throws Exception;
    }

    /**
     * Runs rounds of at most {@link #WARMUP_ROUND} messages: at least {@code messages} in all, then (when
     * {@code untilJitQuiet}) on until {@link #QUIET_ROUNDS} rounds in a row during which the JIT compiler threads
     * were on a CPU for less than {@link #JIT_QUIET_PERCENT}% of the round's time, for {@link #WARMUP_MAX_SECONDS} s
     * at most. Returns the messages run.
     */
    private static long warmUp(int messages, boolean untilJitQuiet, Round round) throws Exception {
        boolean watchJit = untilJitQuiet && compilerCpuNanos() >= 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WARMUP_MAX_SECONDS);
        long done = 0;
        int quiet = 0;
        while (true) {
            int n = (int) Math.min(WARMUP_ROUND, Math.max(messages - done, watchJit ? WARMUP_ROUND : 0));
            if (n <= 0) {
                return done;
            }
            long jitBefore = watchJit ? compilerCpuNanos() : 0;
            long start = System.nanoTime();
            round.run(n);
            done += n;
            if (watchJit) {
                long jitNanos = compilerCpuNanos() - jitBefore;
                quiet = jitNanos * 100 < JIT_QUIET_PERCENT * (System.nanoTime() - start) ? quiet + 1 : 0;
            }
            if (done >= messages && (!watchJit || quiet >= QUIET_ROUNDS || System.nanoTime() > deadline)) {
                return done;
            }
        }
    }

    /**
     * CPU time used so far by the JIT compiler threads (HotSpot's "C1/C2 CompilerThread", from
     * /proc/self/task), in nanoseconds; -1 where that cannot be read. A compilation still running counts too,
     * which the JVM's own compilation time (counted when a compilation ends) would miss.
     */
    static long compilerCpuNanos() {
        Path tasks = Path.of("/proc/self/task");
        long total = 0;
        try (DirectoryStream<Path> all = Files.newDirectoryStream(tasks)) {
            for (Path task : all) {
                try {
                    if (!Files.readString(task.resolve("comm")).contains("CompilerThre")) {
                        continue;
                    }
                    // schedstat: nanoseconds on a CPU, nanoseconds waiting for one, timeslices.
                    String schedstat = Files.readString(task.resolve("schedstat")).trim();
                    total += Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
                } catch (IOException | RuntimeException gone) {
                    // a compiler thread that just ended, or no schedstat: skip it
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return total;
    }

    /** The timed end-to-end generation: wall-clock and process CPU seconds, JIT time, and the warm-up before it. */
    private record Timing(double seconds, double cpuSeconds, long jitMillis, long warmupRoutes) {
    }

    /**
     * One connection: warm-up generations (see {@link #warmUp}) untimed, then one generation of {@code routes}
     * timed with the heap watched.
     */
    /**
     * One end-to-end run. With {@code lists} the server announces ROUTE_ADD_LISTS and the routes go as the
     * send queue sends them, {@link FpcSendQueue#BATCH} at a time through {@link FpcClient#sendAll}: in lists.
     */
    private static Timing endToEnd(Path socket, int routes, int warmup, boolean untilJitQuiet, HeapWatch heap,
            boolean lists) throws Exception {
        FpcApplier noOp = new FpcApplier() {
            @Override
            public FpcStatus apply(FpcMessage m) {
                return FpcStatus.OK;
            }

            @Override
            public long capabilities() {
                return lists ? FpcHello.ROUTE_ADD_LISTS : 0;
            }
        };
        CountDownLatch connected = new CountDownLatch(1);
        FpcClient.Session session = new FpcClient.Session() {
            @Override
            public void onConnected(FpcClient client) {
                connected.countDown();
            }
        };
        try (FpcServer server = FpcServer.start(new FpcServer.Options(socket, FpcServer.Options.defaults().allowedUids(),
                        FpcServer.Options.DEFAULT_KEEPALIVE_TIMEOUT), () -> noOp);
                FpcClient client = FpcClient.start(new FpcClient.Options(socket, "fpc bench",
                        FpcServer.Options.DEFAULT_KEEPALIVE_TIMEOUT), session)) {
            if (!connected.await(10, TimeUnit.SECONDS)) {
                throw new IOException("the bench client did not connect to " + socket);
            }
            long[] generation = {0};
            long warmedUp = warmUp(warmup, untilJitQuiet, n -> generation(client, ++generation[0], n, lists));
            heap.start();
            long jitStart = compilerCpuNanos();
            long cpuStart = processCpuNanos();
            long start = System.nanoTime();
            generation(client, ++generation[0], routes, lists);
            double seconds = seconds(start);
            long cpuEnd = processCpuNanos();
            long jitEnd = compilerCpuNanos();
            long jitMillis = jitStart < 0 || jitEnd < 0 ? -1 : Math.max(0, jitEnd - jitStart) / 1_000_000;
            heap.stop();
            return new Timing(seconds, cpuStart < 0 || cpuEnd < 0 ? 0 : (cpuEnd - cpuStart) / 1e9, jitMillis, warmedUp);
        }
    }

    /** SYNC_BEGIN, {@code routes} routes, SYNC_END, and the wait for its acknowledgement. */
    private static void generation(FpcClient client, long generation, int routes, boolean lists) throws Exception {
        client.send(new FpcSyncBegin(generation));
        if (lists) {
            List<FpcMessage> batch = new ArrayList<>(FpcSendQueue.BATCH);
            long[] sequences = new long[FpcSendQueue.BATCH];
            for (int i = 0; i < routes; i++) {
                batch.add(route(i));
                if (batch.size() == FpcSendQueue.BATCH || i == routes - 1) {
                    client.sendAll(batch, sequences, false);
                    batch.clear();
                }
            }
        } else {
            for (int i = 0; i < routes; i++) {
                client.send(route(i));
            }
        }
        long last = client.send(new FpcSyncEnd(generation));
        client.flush();
        if (last == 0 || !client.awaitAcknowledged(last, Duration.ofMinutes(5))) {
            throw new IOException("SYNC_END of generation " + generation + " was not acknowledged (connection lost?)");
        }
    }

    /** CPU time of the whole process (every thread, GC included), or -1 when the JVM does not tell. */
    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    private static final List<FpcNexthop> NEXTHOPS = List.of(new FpcNexthop(2, address(192, 0, 2, 1), 1));

    /** Route i: a /24 (distinct for the first 14M) via one gateway, as most of a full table looks. */
    static FpcRoute route(int i) {
        InetAddress prefix = address(1 + (i >>> 16 & 0xdf), i >>> 8 & 0xff, i & 0xff, 0);
        return new FpcRoute(true, 0, 254, prefix, 24, FpcRouteType.UNICAST, NEXTHOPS);
    }

    private static Inet4Address address(int a, int b, int c, int d) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static double seconds(long startNanos) {
        return Math.max(1, System.nanoTime() - startNanos) / 1e9;
    }

    /** Peak heap in use: sampled every 5 ms, and right after every collection. */
    private static final class HeapWatch {
        final AtomicLong collections = new AtomicLong();
        volatile long peakAfterGc;
        volatile long peakSampled;
        private volatile boolean running;
        private Thread sampler;
        private final List<NotificationEmitter> emitters = new ArrayList<>();
        private final NotificationListener listener = (notification, handback) -> {
            if (!running || !GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                return;
            }
            GarbageCollectionNotificationInfo info =
                    GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
            long used = 0;
            for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                if (heapPools().contains(pool.getKey())) {
                    used += pool.getValue().getUsed();
                }
            }
            collections.incrementAndGet();
            synchronized (this) {
                peakAfterGc = Math.max(peakAfterGc, used);
            }
        };

        private static Set<String> heapPools() {
            Set<String> names = new java.util.HashSet<>();
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                if (p.getType() == MemoryType.HEAP) {
                    names.add(p.getName());
                }
            }
            return names;
        }

        void start() {
            System.gc(); // start from what the earlier phases left live, not their garbage
            running = true;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (gc instanceof NotificationEmitter e) {
                    e.addNotificationListener(listener, null, null);
                    emitters.add(e);
                }
            }
            sampler = new Thread(() -> {
                while (running) {
                    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                    if (used > peakSampled) {
                        peakSampled = used;
                    }
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "fpc-bench-heap");
            sampler.setDaemon(true);
            sampler.start();
        }

        void stop() throws InterruptedException {
            running = false;
            sampler.join();
            for (NotificationEmitter e : emitters) {
                try {
                    e.removeNotificationListener(listener);
                } catch (javax.management.ListenerNotFoundException ignored) {
                    // already gone
                }
            }
        }
    }

    /** One flat JSON object of numbers and strings. */
    static String toJson(Map<String, Object> values) {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append('"').append(e.getKey()).append("\":");
            Object v = e.getValue();
            if (v instanceof Double d) {
                sb.append(String.format(java.util.Locale.ROOT, Math.abs(d) < 1000 ? "%.3f" : "%.1f", d));
            } else if (v instanceof Number) {
                sb.append(v);
            } else {
                sb.append('"').append(String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        return sb.append('}').toString();
    }
}
