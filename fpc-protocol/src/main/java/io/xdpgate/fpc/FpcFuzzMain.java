package io.xdpgate.fpc;

import io.netty.buffer.ByteBufUtil;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The FPC decoder fuzz as a command: random and mutated streams through {@link FpcFrameDecoder} and
 * {@link FpcMessageDecoder} (see {@link FpcFuzz}). An input fails when decoding it throws anything but
 * {@link FpcProtocolException}, when what decoded does not re-encode to the same bytes, when it takes
 * longer than the per-input time bound, or when the decoders allocate a buffer larger than
 * {@link FpcFuzz#allocationBound} of the bytes received (so never more than 256 KiB, and never an
 * allocation sized from a length field).
 *
 * <p>Input {@code i} depends only on the seed and {@code i}, so the run is split across threads and a
 * failing input can be replayed alone ({@code --seed S --first i --inputs 1}). Progress goes to stderr
 * about every 10 %, the summary line to stdout; the exit code is 0 only when no input failed.
 *
 * <pre>java -cp ... io.xdpgate.fpc.FpcFuzzMain [--inputs N] [--seed S] [--first I] [--threads T] [--input-timeout-ms MS]</pre>
 */
public final class FpcFuzzMain {
    private static final int KEPT_FAILURES = 10;

    private FpcFuzzMain() {
    }

    public static void main(String[] args) throws Exception {
        long inputs = 10_000_000;
        long seed = ThreadLocalRandom.current().nextLong();
        long first = 0;
        int threads = Runtime.getRuntime().availableProcessors();
        long timeoutMillis = 2000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--inputs" -> inputs = Long.parseLong(value(args, ++i));
                case "--seed" -> seed = Long.parseLong(value(args, ++i));
                case "--first" -> first = Long.parseLong(value(args, ++i));
                case "--threads" -> threads = Integer.parseInt(value(args, ++i));
                case "--input-timeout-ms" -> timeoutMillis = Long.parseLong(value(args, ++i));
                case "-h", "--help" -> {
                    System.out.println("usage: FpcFuzzMain [--inputs N (10000000)] [--seed S (random)] [--first I (0)]"
                            + " [--threads T (CPUs)] [--input-timeout-ms MS (2000)]");
                    return;
                }
                default -> usage("unknown option " + args[i]);
            }
        }
        if (inputs < 0 || first < 0 || threads < 1 || timeoutMillis < 1) {
            usage("--inputs, --first must be >= 0, --threads and --input-timeout-ms >= 1");
        }
        // EmbeddedChannel logs every exception after the first of a write; the fuzz counts them itself.
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
        java.util.logging.Logger.getLogger("io.netty").setLevel(java.util.logging.Level.OFF);
        System.exit(run(inputs, seed, first, threads, timeoutMillis, System.out, System.err) ? 0 : 1);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            usage(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static void usage(String why) {
        System.err.println("FpcFuzzMain: " + why + " (try --help)");
        System.exit(2);
    }

    /** One worker's share: inputs first + k, first + k + threads, ... */
    private static final class Worker extends Thread {
        final long seed;
        final long from;
        final long to;
        final int step;
        final AtomicLong done;
        long decoded;
        long rejected;
        long unexpected;
        int largestAllocation;
        long slowestNanos;
        final List<String> failures = new ArrayList<>();
        // Read by the watchdog.
        volatile long current = -1;
        volatile long startedNanos;

        Worker(int k, long seed, long first, long inputs, int step, AtomicLong done) {
            super("fpc-fuzz-" + k);
            setDaemon(true);
            this.seed = seed;
            this.from = first + k;
            this.to = first + inputs;
            this.step = step;
            this.done = done;
        }

        @Override
        public void run() {
            FpcAllocationWatch watch = new FpcAllocationWatch();
            for (long i = from; i < to; i += step) {
                startedNanos = System.nanoTime();
                current = i;
                FpcFuzz.Outcome o = FpcFuzz.runOne(seed, i, watch);
                long took = System.nanoTime() - startedNanos;
                current = -1;
                slowestNanos = Math.max(slowestNanos, took);
                decoded += o.decoded();
                rejected += o.rejected() ? 1 : 0;
                largestAllocation = Math.max(largestAllocation, o.largestAllocation());
                if (o.failure() != null) {
                    fail("input " + i + ": " + o.failure() + ": " + ByteBufUtil.hexDump(o.input()));
                }
                done.incrementAndGet();
            }
        }

        void fail(String text) {
            synchronized (failures) {
                unexpected++;
                if (failures.size() < KEPT_FAILURES) {
                    failures.add(text);
                }
            }
        }
    }

    static boolean run(long inputs, long seed, long first, int threads, long timeoutMillis, PrintStream out,
            PrintStream progress) throws InterruptedException {
        progress.printf("FPC fuzz: %,d inputs from #%d, seed %d, %d threads, %d ms per input at most%n", inputs, first,
                seed, threads, timeoutMillis);
        AtomicLong done = new AtomicLong();
        List<Worker> workers = new ArrayList<>();
        for (int k = 0; k < threads; k++) {
            Worker w = new Worker(k, seed, first, inputs, threads, done);
            workers.add(w);
            w.start();
        }
        long start = System.nanoTime();
        long timeoutNanos = timeoutMillis * 1_000_000;
        int reported = 0;
        List<String> hung = new ArrayList<>();
        while (true) {
            boolean alive = false;
            for (Worker w : workers) {
                w.join(50);
                alive |= w.isAlive();
                long i = w.current;
                if (i >= 0 && System.nanoTime() - w.startedNanos > timeoutNanos && w.current == i) {
                    hung.add("input " + i + " is still being decoded after " + timeoutMillis + " ms (replay: --seed " + seed
                            + " --first " + i + " --inputs 1)");
                }
            }
            long n = done.get();
            int decile = inputs == 0 ? 10 : (int) (n * 10 / inputs);
            while (reported < Math.min(decile, 9)) {
                reported++;
                progress.printf("FPC fuzz: %3d %%  %,d inputs  %.1f s%n", reported * 10, n, (System.nanoTime() - start) / 1e9);
            }
            if (!hung.isEmpty() || !alive) {
                break;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long decoded = 0;
        long rejected = 0;
        long unexpected = hung.size();
        int largest = 0;
        long slowest = 0;
        List<String> failures = new ArrayList<>(hung);
        for (Worker w : workers) {
            synchronized (w.failures) {
                decoded += w.decoded;
                rejected += w.rejected;
                unexpected += w.unexpected;
                largest = Math.max(largest, w.largestAllocation);
                slowest = Math.max(slowest, w.slowestNanos);
                failures.addAll(w.failures);
            }
        }
        long slowestMillis = slowest / 1_000_000;
        if (hung.isEmpty() && slowestMillis > timeoutMillis) {
            unexpected++; // finished, but later than allowed
            failures.add("an input took " + slowestMillis + " ms, more than the bound of " + timeoutMillis + " ms");
        }
        for (String f : failures.subList(0, Math.min(failures.size(), KEPT_FAILURES))) {
            progress.println("FAILED " + f);
        }
        out.printf("FPC fuzz seed %d: %d inputs in %.1f s, %d messages decoded, %d inputs rejected, %d unexpected,"
                + " largest allocation %d bytes (bound %d), slowest input %.3f ms: %s%n",
                seed, done.get(), seconds, decoded, rejected, unexpected, largest,
                FpcFuzz.allocationBound(Integer.MAX_VALUE), slowest / 1e6,
                unexpected == 0 && hung.isEmpty() ? "OK" : "FAILED");
        return unexpected == 0 && hung.isEmpty();
    }
}
