package io.xdpgate.netlink;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Monitors of 512 namespaces on a few shared threads (needs root): each delivers its initial dump and a
 * later change, while the JVM gains only a handful of threads, not one per namespace. Another count can be
 * measured with -Dxdpgate.test.namespaces=N.
 */
class RtnlMonitorManyNamespacesPrivilegedTest {
    private static final int COUNT = Integer.getInteger("xdpgate.test.namespaces", 512);
    private static final String PREFIX = "xgmux";
    /** The shared threads (a poller, the workers, the JDK's timer for backoffs) with room to spare. */
    private static final int MAX_THREAD_GROWTH = 16;

    /** Keeps the links a monitor saw named "xgmva..." (the change), counts completed dumps. */
    static final class Seen implements RtnlMonitor.Listener {
        private long syncEnds;
        private boolean changeSeen;
        private final String change;

        Seen(String change) {
            this.change = change;
        }

        @Override
        public synchronized void onSyncBegin(long epoch) {}

        @Override
        public synchronized void onEvent(RtnlEvent event) {
            if (!event.deleted() && event.object() instanceof Link l && change.equals(l.name())) {
                changeSeen = true;
            }
        }

        @Override
        public synchronized void onSyncEnd(long epoch) {
            syncEnds++;
        }

        synchronized boolean dumped() {
            return syncEnds > 0;
        }

        synchronized boolean changed() {
            return changeSeen;
        }
    }

    @Test
    void fiveHundredTwelveNamespacesOnAFewSharedThreads() throws Exception {
        Privileged.requireRoot();
        removeNamespaces(); // leftovers of an interrupted run
        List<RtnlMonitor> monitors = new ArrayList<>();
        try {
            long t0 = System.nanoTime();
            batch(range(i -> "netns add " + PREFIX + i));
            long created = System.nanoTime();

            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            int threadsBefore = threads.getThreadCount();
            threads.resetPeakThreadCount();
            long fdsBefore = openDescriptors();
            long rssBefore = residentKib();

            List<Seen> seen = new ArrayList<>();
            for (int i = 0; i < COUNT; i++) {
                Seen s = new Seen("xgmva" + i);
                seen.add(s);
                monitors.add(RtnlMonitor.start(RtnlMonitor.Options.defaults(PREFIX + i), s));
            }
            long started = System.nanoTime();
            awaitAll(seen, Seen::dumped, "initial dump");
            long dumped = System.nanoTime();

            // One veth pair in each namespace, created there by one ip process.
            batch(range(i -> "link add xgmva" + i + " netns " + PREFIX + i
                    + " type veth peer name xgmvb" + i + " netns " + PREFIX + i));
            long changed = System.nanoTime();
            awaitAll(seen, Seen::changed, "the new veth");
            long delivered = System.nanoTime();

            int threadsAfter = threads.getThreadCount();
            int peak = threads.getPeakThreadCount();
            long fdsAfter = openDescriptors();
            long rssAfter = residentKib();
            System.out.printf("%d monitors: JVM threads %d before, %d after (+%d), peak %d; descriptors +%d; "
                            + "resident memory +%d MiB (heap included, no GC forced); "
                            + "namespaces created in %d ms, monitors started in %d ms, all initial dumps %d ms "
                            + "later, veth batch %d ms, all changes delivered %d ms after it%n",
                    COUNT, threadsBefore, threadsAfter, threadsAfter - threadsBefore, peak, fdsAfter - fdsBefore,
                    (rssAfter - rssBefore) / 1024,
                    millis(t0, created), millis(created, started), millis(started, dumped),
                    millis(dumped, changed), millis(changed, delivered));
            System.out.println("rtnl threads: " + Thread.getAllStackTraces().keySet().stream()
                    .map(Thread::getName).filter(n -> n.startsWith("rtnl-")).sorted().toList());

            assertTrue(threadsAfter - threadsBefore < MAX_THREAD_GROWTH,
                    "threads grew by " + (threadsAfter - threadsBefore));
            assertTrue(peak - threadsBefore < MAX_THREAD_GROWTH, "thread peak grew by " + (peak - threadsBefore));
            for (RtnlMonitor m : monitors) {
                assertEquals(0, m.errors());
                assertEquals(0, m.listenerErrors());
            }
        } finally {
            long closing = System.nanoTime();
            monitors.forEach(RtnlMonitor::close);
            System.out.printf("%d monitors closed in %d ms%n", monitors.size(), millis(closing, System.nanoTime()));
            removeNamespaces();
        }
    }

    private interface Check {
        boolean test(Seen s);
    }

    private static void awaitAll(List<Seen> seen, Check check, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        for (int i = 0; i < seen.size(); i++) {
            while (!check.test(seen.get(i))) {
                if (System.currentTimeMillis() > deadline) {
                    fail(PREFIX + i + ": no " + what + " within 60 s");
                }
                Thread.sleep(5);
            }
        }
    }

    private interface Line {
        String of(int i);
    }

    private static List<String> range(Line line) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < COUNT; i++) {
            lines.add(line.of(i));
        }
        return lines;
    }

    private static long millis(long from, long to) {
        return (to - from) / 1_000_000;
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static long residentKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    /** Deletes every namespace of ours still there; one ip process. */
    private static void removeNamespaces() throws IOException, InterruptedException {
        Path dir = Path.of("/run/netns");
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<String> lines;
        try (Stream<Path> entries = Files.list(dir)) {
            lines = entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(PREFIX))
                    .map(n -> "netns del " + n).toList();
        }
        if (!lines.isEmpty()) {
            batch(lines);
        }
    }

    private static void batch(List<String> lines) throws IOException, InterruptedException {
        Path file = Files.createTempFile("xgmux-batch", ".txt");
        try {
            Files.write(file, lines, StandardCharsets.UTF_8);
            Process p = new ProcessBuilder("ip", "-batch", file.toString()).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("ip -batch timed out");
            }
            if (p.exitValue() != 0) {
                throw new IOException("ip -batch exited " + p.exitValue() + ": " + new String(out, StandardCharsets.UTF_8));
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
