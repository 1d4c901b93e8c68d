package io.xdpgate.lab;

import io.xdpgate.ctl.CtlMain;
import io.xdpgate.lab.bench.InternetTable;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Writes the daemons' start-up caches (see {@link StartupCache}) for the current build and JVM, for
 * {@code ./xdpgate setup} and before {@code ./xdpgate bench sync}'s cold starts: the fast path manager,
 * the cache manager and hitflags run once on a namespace of their own ({@code xgcds}: a veth port with
 * IPv4 and IPv6 addresses and a neighbour of each family, and a synthetic Internet table of
 * {@value #ROUTES4} IPv4 and {@value #ROUTES6} IPv6 routes), which takes them through their start, a
 * connection, a generation that routes a table and live changes ({@value #CHURN4} IPv4 and
 * {@value #CHURN6} IPv6 routes deleted and added again), and stop cleanly, each writing its cache, which
 * then holds every class those paths load.
 * Caches are written again even if current. Everything it made is removed.
 */
public final class StartupCacheTraining {
    public static final int ROUTES4 = 64_000;
    public static final int ROUTES6 = 16_000;
    private static final int CHURN4 = 4_000;
    private static final int CHURN6 = 1_000;
    private static final String NS = "xgcds";
    private static final String GATEWAY4 = "10.215.0.2";
    private static final String GATEWAY6 = "2001:db8:215::2";
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
        InternetTable table = InternetTable.generate(ROUTES4, ROUTES6, 215);
        try (Daemons daemons = new Daemons(PIN_ROOT, SOCKET, logs).rewritingStartupCaches()) {
            makeNamespace();
            table.writeBatch(batch, "add", GATEWAY4, GATEWAY6);
            Sh.run("ip", "-n", NS, "-batch", batch.toString());
            // Metrics served, as in production, on ports of the system's choosing: the machine's own
            // daemons may hold the default ones.
            daemons.startFastPathManager(NS + "/" + NS + "-a", "--metrics", "127.0.0.1:0");
            daemons.startCacheManagerFor(NS, 1, "--metrics", "127.0.0.1:0");
            daemons.awaitLog("fastpath-manager", Daemons.GENERATION_COMPLETE, 1, Duration.ofSeconds(120));
            // Then live changes, as a router sees all the time (their path is not the dump's): some routes
            // deleted and added again, until the fast path holds what the kernel holds.
            InternetTable churn = table.slice(0, CHURN4, 0, CHURN6);
            churn.writeBatch(batch, "del", GATEWAY4, GATEWAY6);
            Sh.run("ip", "-n", NS, "-batch", batch.toString());
            churn.writeBatch(batch, "add", GATEWAY4, GATEWAY6);
            Sh.run("ip", "-n", NS, "-batch", batch.toString());
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (CtlMain.verify(PIN_ROOT, 0, new PrintStream(OutputStream.nullOutputStream())) != 0 && System.nanoTime() < deadline) {
                daemons.checkAlive();
                Thread.sleep(250);
            }
            daemons.startHitflags("--metrics", "127.0.0.1:0");
            daemons.awaitLog("hitflags", "reading", 1, Duration.ofSeconds(30));
            return StartupCache.directory(Daemons.root(), daemons.jvm());
        } finally {
            removeLeftovers();
            Files.deleteIfExists(batch);
        }
    }

    private static void makeNamespace() {
        Sh.run("ip", "netns", "add", NS);
        Sh.run("ip", "-n", NS, "link", "set", "lo", "up");
        Sh.run("ip", "-n", NS, "link", "add", NS + "-a", "type", "veth", "peer", "name", NS + "-b");
        Sh.run("ip", "-n", NS, "link", "set", NS + "-a", "up");
        Sh.run("ip", "-n", NS, "link", "set", NS + "-b", "up");
        Sh.run("ip", "-n", NS, "addr", "add", "10.215.0.1/24", "dev", NS + "-a");
        Sh.run("ip", "-n", NS, "addr", "add", "2001:db8:215::1/64", "dev", NS + "-a", "nodad");
        Sh.run("ip", "-n", NS, "neigh", "replace", GATEWAY4, "lladdr", "02:00:00:00:d7:02", "dev", NS + "-a", "nud", "permanent");
        Sh.run("ip", "-n", NS, "neigh", "replace", GATEWAY6, "lladdr", "02:00:00:00:d7:02", "dev", NS + "-a", "nud", "permanent");
    }

    private static void removeLeftovers() throws IOException {
        if (Files.exists(Path.of("/run/netns", NS))) Sh.run("ip", "netns", "del", NS);
        Lab.removePins(PIN_ROOT);
        Files.deleteIfExists(SOCKET);
    }
}
