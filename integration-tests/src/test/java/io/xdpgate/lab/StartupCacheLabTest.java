package io.xdpgate.lab;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemons' start-up cache (an ahead-of-time cache from release 25 on, a class data sharing archive
 * before), on the JVM the daemons run on: a daemon started without one writes it at its clean stop,
 * quietly, and the next start of that daemon maps it. Guards what would otherwise fail silently: a
 * directory on the daemons' classpath, or a JVM option the cache does not accept, makes the JVM start
 * without the cache and only costs start-up time.
 */
class StartupCacheLabTest {

    private static final String MAIN = "io.xdpgate.fastpath.FastPathManagerMain";
    private static final Path PIN_ROOT = Path.of("/sys/fs/bpf/xgcds");
    private static final Path SOCKET = Path.of("/run/xdpgate/xgcds.sock");
    private static final Path LOGS = Path.of("target/lab-logs-cds");

    @BeforeAll
    static void clean() throws Exception {
        Privileged.require();
        Lab.removePins(PIN_ROOT);
        Files.createDirectories(SOCKET.getParent());
        Daemons.clearLogs(LOGS);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        Lab.removePins(PIN_ROOT);
        Files.deleteIfExists(SOCKET);
    }

    @Test
    void aDaemonWritesItsCacheAtItsCleanStopAndTheNextStartMapsIt() throws Exception {
        check(DaemonJvm.choose());
    }

    /** The same on each JDK of release 25 or later the machine has (these machines have Temurin 25): XDPGATE_JAVA's choice. */
    @Test
    void onANewerJdkTheAheadOfTimeCacheToo() throws Exception {
        List<DaemonJvm> newer;
        try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
            newer = jdks.filter(h -> !Files.isSymbolicLink(h) && DaemonJvm.feature(h) >= DaemonJvm.AOT_FEATURE)
                    .map(h -> new DaemonJvm(h, DaemonJvm.feature(h))).toList();
        }
        for (DaemonJvm jvm : newer) check(jvm);
    }

    private static void check(DaemonJvm jvm) throws Exception {
        Path cache = StartupCache.path(Daemons.root(), MAIN, jvm);
        Files.deleteIfExists(cache);
        try (Daemons daemons = new Daemons(PIN_ROOT, SOCKET, LOGS).onJvm(jvm)) {
            int starts = daemons.logCount("fastpath-manager", "listening for FPC") + 1; // the log is shared by both tests
            // A port name no namespace has: the manager starts, creates its maps and listens, nothing more.
            daemons.startFastPathManager("xgcds-none");
            daemons.awaitLog("fastpath-manager", "listening for FPC", starts, Duration.ofSeconds(30));
            assertEquals(jvm.java().toRealPath(), Path.of("/proc/" + daemons.fastPathPid() + "/exe").toRealPath(), "the daemon's JVM");
            assertFalse(mapped(daemons.fastPathPid(), cache), "no cache yet, none mapped");
            daemons.stopFastPathManager();

            assertTrue(Files.isRegularFile(cache) && Files.size(cache) > 0, "cache written at the stop: " + cache);
            try (Stream<Path> left = Files.list(cache.getParent())) {
                assertEquals(List.of(), left.filter(f -> f.toString().contains(".tmp")).toList(), "nothing of the write left");
            }
            assertEquals(0, daemons.logCount("fastpath-manager", "[cds]") + daemons.logCount("fastpath-manager", "[aot]"),
                    "the JVM's notes on what it could not keep stay out of the log");

            daemons.startFastPathManager("xgcds-none");
            daemons.awaitLog("fastpath-manager", "listening for FPC", starts + 1, Duration.ofSeconds(30));
            assertTrue(mapped(daemons.fastPathPid(), cache), "the second start maps " + cache);
            long written = Files.getLastModifiedTime(cache).toMillis();
            daemons.stopFastPathManager();
            assertEquals(written, Files.getLastModifiedTime(cache).toMillis(), "a current cache is used, not rewritten");
        }
    }

    private static boolean mapped(long pid, Path cache) throws IOException {
        if (!Files.exists(cache)) return false;
        String real = cache.toRealPath().toString();
        return Files.readAllLines(Path.of("/proc/" + pid + "/maps")).stream().anyMatch(l -> l.endsWith(real));
    }
}
