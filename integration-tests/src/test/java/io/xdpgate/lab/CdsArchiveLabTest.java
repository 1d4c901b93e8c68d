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
 * The daemons' class data sharing archive: a daemon started without one writes it at its clean stop,
 * quietly, and the next start of that daemon maps it. Guards what would otherwise fail silently: a
 * directory on the daemons' classpath, or a JVM option the archive does not accept, makes the JVM
 * start without the archive and only costs start-up time.
 */
class CdsArchiveLabTest {

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
    void aDaemonWritesItsArchiveAtItsCleanStopAndTheNextStartMapsIt() throws Exception {
        Path archive = CdsArchive.path(Daemons.root(), MAIN);
        Files.deleteIfExists(archive);
        try (Daemons daemons = new Daemons(PIN_ROOT, SOCKET, LOGS)) {
            // A port name no namespace has: the manager starts, creates its maps and listens, nothing more.
            daemons.startFastPathManager("xgcds-none");
            daemons.awaitLog("fastpath-manager", "listening for FPC", 1, Duration.ofSeconds(30));
            assertFalse(mapped(daemons.fastPathPid(), archive), "no archive yet, none mapped");
            daemons.stopFastPathManager();

            assertTrue(Files.isRegularFile(archive) && Files.size(archive) > 0, "archive written at the stop: " + archive);
            try (Stream<Path> left = Files.list(archive.getParent())) {
                assertEquals(List.of(), left.filter(f -> f.toString().endsWith(".tmp")).toList(), "no training file left");
            }
            assertEquals(0, daemons.logCount("fastpath-manager", "[cds]"), "the dump's notes stay out of the log");

            daemons.startFastPathManager("xgcds-none");
            daemons.awaitLog("fastpath-manager", "listening for FPC", 2, Duration.ofSeconds(30));
            assertTrue(mapped(daemons.fastPathPid(), archive), "the second start maps " + archive);
            long written = Files.getLastModifiedTime(archive).toMillis();
            daemons.stopFastPathManager();
            assertEquals(written, Files.getLastModifiedTime(archive).toMillis(), "a current archive is used, not rewritten");
        }
    }

    private static boolean mapped(long pid, Path archive) throws IOException {
        if (!Files.exists(archive)) return false;
        String real = archive.toRealPath().toString();
        return Files.readAllLines(Path.of("/proc/" + pid + "/maps")).stream().anyMatch(l -> l.endsWith(real));
    }
}
