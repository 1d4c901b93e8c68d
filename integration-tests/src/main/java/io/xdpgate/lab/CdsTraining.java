package io.xdpgate.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Writes the daemons' class data sharing archives (see {@link CdsArchive}) for the current build, for
 * {@code ./xdpgate setup}: the fast path manager, the cache manager and hitflags run once, briefly, on a
 * namespace of their own ({@code xgcds}: a veth port with IPv4 and IPv6 addresses, a neighbour and a
 * route of each family), which takes them through their start, a connection and a generation, and stop
 * cleanly, each writing the archive of the classes it loaded. Everything it made is removed. Archives
 * already current are left as they are.
 */
public final class CdsTraining {
    private static final String NS = "xgcds";
    private static final Path PIN_ROOT = Path.of("/sys/fs/bpf/xgcds");
    private static final Path SOCKET = Path.of("/run/xdpgate/xgcds.sock");

    private CdsTraining() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("xdpgate.process", "setup");
        Path logs = Daemons.root().resolve("target/cds-training-logs");
        Daemons.clearLogs(logs);
        Files.createDirectories(SOCKET.getParent());
        removeLeftovers();
        try (Daemons daemons = new Daemons(PIN_ROOT, SOCKET, logs)) {
            makeNamespace();
            // Metrics served, as in production, on ports of the system's choosing: the machine's own
            // daemons may hold the default ones.
            daemons.startFastPathManager(NS + "/" + NS + "-a", "--metrics", "127.0.0.1:0");
            daemons.startCacheManagerFor(NS, 1, "--metrics", "127.0.0.1:0");
            daemons.awaitLog("fastpath-manager", Daemons.GENERATION_COMPLETE, 1, Duration.ofSeconds(60));
            daemons.startHitflags("--metrics", "127.0.0.1:0");
            daemons.awaitLog("hitflags", "reading", 1, Duration.ofSeconds(30));
        } finally {
            removeLeftovers();
        }
        System.out.println("class data sharing archives in " + Daemons.root().resolve("target/cds").toAbsolutePath().normalize());
    }

    private static void makeNamespace() {
        Sh.run("ip", "netns", "add", NS);
        Sh.run("ip", "-n", NS, "link", "set", "lo", "up");
        Sh.run("ip", "-n", NS, "link", "add", NS + "-a", "type", "veth", "peer", "name", NS + "-b");
        Sh.run("ip", "-n", NS, "link", "set", NS + "-a", "up");
        Sh.run("ip", "-n", NS, "link", "set", NS + "-b", "up");
        Sh.run("ip", "-n", NS, "addr", "add", "10.215.0.1/24", "dev", NS + "-a");
        Sh.run("ip", "-n", NS, "addr", "add", "2001:db8:215::1/64", "dev", NS + "-a", "nodad");
        Sh.run("ip", "-n", NS, "neigh", "replace", "10.215.0.2", "lladdr", "02:00:00:00:d7:02", "dev", NS + "-a", "nud", "permanent");
        Sh.run("ip", "-n", NS, "neigh", "replace", "2001:db8:215::2", "lladdr", "02:00:00:00:d7:02", "dev", NS + "-a", "nud", "permanent");
        Sh.run("ip", "-n", NS, "route", "add", "10.216.0.0/16", "via", "10.215.0.2");
        Sh.run("ip", "-n", NS, "route", "add", "2001:db8:216::/48", "via", "2001:db8:215::2");
    }

    private static void removeLeftovers() throws java.io.IOException {
        if (Files.exists(Path.of("/run/netns", NS))) Sh.run("ip", "netns", "del", NS);
        Lab.removePins(PIN_ROOT);
        Files.deleteIfExists(SOCKET);
    }
}
