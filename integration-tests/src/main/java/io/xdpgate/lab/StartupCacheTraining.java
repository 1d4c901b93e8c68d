package io.xdpgate.lab;

import io.xdpgate.lab.bench.InternetTable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Writes the daemons' start-up caches (see {@link StartupCache}) for the current build and JVM, for
 * {@code ./xdpgate setup} and before {@code ./xdpgate bench sync}'s cold starts: the fast path manager,
 * the cache manager and hitflags run once on a namespace of their own ({@code xgcds}: a veth port with
 * IPv4 and IPv6 addresses and a neighbour of each family, and a synthetic Internet table of
 * {@value #ROUTES4} IPv4 and {@value #ROUTES6} IPv6 routes), which takes them through their start, a
 * connection and a generation that routes a table, and stop cleanly, each writing its cache. On release 25
 * and later the cache keeps the method profiles of that run, and a cache trained on two routes leaves most
 * of the gain on the table (BENCHMARKS.md): tens of thousands of routes give what the whole table gives.
 * Caches are written again even if current. Everything it made is removed.
 */
public final class StartupCacheTraining {
    public static final int ROUTES4 = 64_000;
    public static final int ROUTES6 = 16_000;
    private static final String NS = "xgcds";
    private static final Path PIN_ROOT = Path.of("/sys/fs/bpf/xgcds");
    private static final Path SOCKET = Path.of("/run/xdpgate/xgcds.sock");

    private StartupCacheTraining() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("xdpgate.process", "setup");
        Path where = train();
        System.out.println("start-up caches in " + where.toAbsolutePath().normalize());
    }

    /** Runs the daemons once on the training table; returns the directory of the caches written. */
    public static Path train() throws Exception {
        Path logs = Daemons.root().resolve("target/startup-training-logs");
        Daemons.clearLogs(logs);
        Files.createDirectories(SOCKET.getParent());
        removeLeftovers();
        Path batch = Files.createTempFile("xg-training", ".batch");
        try (Daemons daemons = new Daemons(PIN_ROOT, SOCKET, logs).rewritingStartupCaches()) {
            makeNamespace(batch);
            // Metrics served, as in production, on ports of the system's choosing: the machine's own
            // daemons may hold the default ones.
            daemons.startFastPathManager(NS + "/" + NS + "-a", "--metrics", "127.0.0.1:0");
            daemons.startCacheManagerFor(NS, 1, "--metrics", "127.0.0.1:0");
            daemons.awaitLog("fastpath-manager", Daemons.GENERATION_COMPLETE, 1, Duration.ofSeconds(120));
            daemons.startHitflags("--metrics", "127.0.0.1:0");
            daemons.awaitLog("hitflags", "reading", 1, Duration.ofSeconds(30));
            return StartupCache.directory(Daemons.root(), daemons.jvm());
        } finally {
            removeLeftovers();
            Files.deleteIfExists(batch);
        }
    }

    private static void makeNamespace(Path batch) throws IOException {
        Sh.run("ip", "netns", "add", NS);
        Sh.run("ip", "-n", NS, "link", "set", "lo", "up");
        Sh.run("ip", "-n", NS, "link", "add", NS + "-a", "type", "veth", "peer", "name", NS + "-b");
        Sh.run("ip", "-n", NS, "link", "set", NS + "-a", "up");
        Sh.run("ip", "-n", NS, "link", "set", NS + "-b", "up");
        Sh.run("ip", "-n", NS, "addr", "add", "10.215.0.1/24", "dev", NS + "-a");
        Sh.run("ip", "-n", NS, "addr", "add", "2001:db8:215::1/64", "dev", NS + "-a", "nodad");
        Sh.run("ip", "-n", NS, "neigh", "replace", "10.215.0.2", "lladdr", "02:00:00:00:d7:02", "dev", NS + "-a", "nud", "permanent");
        Sh.run("ip", "-n", NS, "neigh", "replace", "2001:db8:215::2", "lladdr", "02:00:00:00:d7:02", "dev", NS + "-a", "nud", "permanent");
        InternetTable.generate(ROUTES4, ROUTES6, 215).writeBatch(batch, "add", "10.215.0.2", "2001:db8:215::2");
        Sh.run("ip", "-n", NS, "-batch", batch.toString());
    }

    private static void removeLeftovers() throws IOException {
        if (Files.exists(Path.of("/run/netns", NS))) Sh.run("ip", "netns", "del", NS);
        Lab.removePins(PIN_ROOT);
        Files.deleteIfExists(SOCKET);
    }
}
