package io.xdpgate.lab.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xdpgate.fastpath.VrfTable;
import io.xdpgate.lab.Daemons;
import io.xdpgate.lab.Lab;
import io.xdpgate.lab.Sh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./xdpgate bench namespaces}: N namespaces created with one {@code ip -batch} while both
 * daemons run, until each is a VRF of the fast path, then deleted until none is; with the cache
 * manager's threads, file descriptors and resident memory at N namespaces.
 */
public final class NamespaceBench {

    private static final Path PIN_ROOT = Path.of("/sys/fs/bpf/xg-bench-ns");
    private static final Path SOCKET = Path.of("/run/xdpgate/xg-bench-ns.sock");
    private static final String PREFIX = "xgq";
    private static final String USAGE = """
            Usage: ./xdpgate bench namespaces [--json] [--count N]

            Creates N namespaces (xgq0 ... default 4096) with one ip -batch while the cache manager
            follows every namespace, measures the time until the fast path manager has each as a
            VRF, the cache manager's threads, file descriptors and resident memory, then deletes
            them and measures the time until no VRF is left. Needs root.""";

    private NamespaceBench() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("xdpgate.process", "bench-namespaces");
        int count = 4096;
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--json" -> json = true;
                case "--count" -> count = Integer.parseInt(args[++i]);
                case "--help", "-h" -> {
                    System.out.println(USAGE);
                    return;
                }
                default -> {
                    System.err.println("xdpgate bench namespaces: unknown option '" + args[i] + "'\n" + USAGE);
                    System.exit(2);
                }
            }
        }
        ObjectNode result = run(count);
        if (json) {
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(result));
        } else {
            System.out.printf(Locale.ROOT, "xdpgate bench namespaces%n  %,d namespaces: all VRFs after %.2f s (batch %.2f s),"
                            + " all removed after %.2f s%n  cache manager: %d threads, %d descriptors, %,d KiB resident%n",
                    count, result.get("all_vrfs_s").asDouble(), result.get("create_batch_s").asDouble(),
                    result.get("all_removed_s").asDouble(), result.get("cm_threads").asLong(), result.get("cm_fds").asLong(),
                    result.get("cm_rss_bytes").asLong() / 1024);
        }
    }

    private static ObjectNode run(int count) throws Exception {
        ObjectNode result = new ObjectMapper().createObjectNode();
        Path logs = Path.of(System.getProperty("java.io.tmpdir"), "xdpgate-bench-namespaces-logs");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) names.add(PREFIX + i);
        Daemons.clearLogs(logs); // the daemons append: a new run starts with empty logs
        Lab.removePins(PIN_ROOT);
        try (Daemons daemons = new Daemons(PIN_ROOT, SOCKET, logs)) {
            daemons.startFastPathManager("none"); // no port: this measures following namespaces, not forwarding
            daemons.startCacheManagerForAllNamespaces("--metrics", "off");
            awaitVrfs(daemons, 0, Duration.ofSeconds(60));
            progress("creating %,d namespaces with one ip -batch", count);
            long start = System.nanoTime();
            batch(names, "add");
            long created = System.nanoTime() - start;
            awaitVrfs(daemons, count, Duration.ofMinutes(10));
            long followed = System.nanoTime() - start;
            long pid = daemons.cacheManagerPid();
            result.put("namespaces", count);
            result.put("create_batch_s", seconds(created));
            result.put("all_vrfs_s", seconds(followed));
            result.put("cm_threads", Files.list(Path.of("/proc", Long.toString(pid), "task")).count());
            result.put("cm_fds", Files.list(Path.of("/proc", Long.toString(pid), "fd")).count());
            result.put("cm_rss_bytes", rss(pid));
            result.put("cm_reconnects", daemons.logCount("cache-manager", "FPC connection lost"));
            progress("all %,d namespaces are VRFs %.2f s after the batch started (the batch took %.2f s)",
                    count, followed / 1e9, created / 1e9);
            start = System.nanoTime();
            batch(names, "del");
            awaitVrfs(daemons, 0, Duration.ofMinutes(10));
            result.put("all_removed_s", seconds(System.nanoTime() - start));
            progress("all removed %.2f s after the deletion batch started", (System.nanoTime() - start) / 1e9);
        } finally {
            for (String ns : names) {
                if (Files.exists(Path.of("/run/netns", ns))) Sh.exec(30, "ip", "netns", "del", ns);
            }
            Lab.removePins(PIN_ROOT);
        }
        return result;
    }

    private static void progress(String format, Object... args) {
        System.err.println("bench namespaces: " + String.format(Locale.ROOT, format, args));
    }

    private static void batch(List<String> names, String verb) throws IOException {
        Path file = Files.createTempFile("xg-bench-ns", ".batch");
        try {
            List<String> lines = new ArrayList<>();
            for (String ns : names) lines.add("netns " + verb + " " + ns);
            Files.write(file, lines);
            Sh.run("ip", "-batch", file.toString());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Waits until exactly {@code expected} of the benchmark's namespaces are VRFs. */
    private static void awaitVrfs(Daemons daemons, int expected, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            daemons.checkAlive();
            if (Files.exists(VrfTable.pathFor(PIN_ROOT))) {
                long n = VrfTable.read(PIN_ROOT).values().stream().filter(v -> v.startsWith(PREFIX)).count();
                if (n == expected) return;
            }
            if (System.nanoTime() > deadline) throw new IllegalStateException("not " + expected + " VRFs within " + timeout);
            Thread.sleep(50);
        }
    }

    private static long rss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) return 1024 * Long.parseLong(line.substring(6).replace("kB", "").strip());
        }
        return -1;
    }

    private static double seconds(long nanos) {
        return Math.round(nanos / 1e6) / 1000.0;
    }
}
