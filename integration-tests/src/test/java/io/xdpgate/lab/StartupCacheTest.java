package io.xdpgate.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When a daemon's start-up cache is used: newer than the jars, and than the JVM as installed; where it is, and how. */
class StartupCacheTest {
    private static final String MAIN = "io.xdpgate.fastpath.FastPathManagerMain";
    private static final DaemonJvm JDK17 = new DaemonJvm(Path.of("/usr/lib/jvm/jdk-17"), 17);
    private static final DaemonJvm JDK25 = new DaemonJvm(Path.of("/usr/lib/jvm/jdk-25"), 25);

    @TempDir
    Path root;

    private Path archive;
    private Path jar;
    private Path modules;

    private void files(long archiveAgeSeconds, long jarAgeSeconds) throws Exception {
        jar = Files.writeString(root.resolve("a.jar"), "jar");
        modules = Files.writeString(root.resolve("modules"), "the JVM's class image");
        archive = StartupCache.path(root, MAIN, JDK17);
        Files.createDirectories(archive.getParent());
        Files.writeString(archive, "archive");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(jarAgeSeconds)));
        Files.setLastModifiedTime(archive, FileTime.from(Instant.now().minusSeconds(archiveAgeSeconds)));
    }

    @Test
    void anArchiveNewerThanTheJarsAndTheJvmIsUsed() throws Exception {
        files(-60, 600); // written after both (a minute ahead: the JVM's file was installed just now)
        assertTrue(StartupCache.isCurrent(archive, List.of(jar), List.of(modules)));
        assertEquals(List.of("-XX:SharedArchiveFile=" + archive),
                StartupCache.of(root, MAIN, List.of(jar), JDK17, List.of(modules), false).jvmOptions());
    }

    @Test
    void aJarBuiltAfterTheArchiveMakesItStale() throws Exception {
        files(600, -60);
        assertFalse(StartupCache.isCurrent(archive, List.of(jar), List.of(modules)));
    }

    @Test
    void aJvmInstalledAfterTheArchiveMakesItStaleWhateverTheTimesItsPackageGaveItsFiles() throws Exception {
        files(60, 600);
        // A package installs its files with the modification times they had when it was built.
        Files.setLastModifiedTime(modules, FileTime.from(Instant.now().minusSeconds(365L * 24 * 3600)));
        assertFalse(StartupCache.isCurrent(archive, List.of(jar), List.of(modules)));
        List<String> options = StartupCache.of(root, MAIN, List.of(jar), JDK17, List.of(modules), false).jvmOptions();
        assertTrue(options.get(0).startsWith("-XX:ArchiveClassesAtExit="), "a new archive is written: " + options);
    }

    @Test
    void aJvmLaidOutOtherwiseIsJudgedByTheJarsAlone() throws Exception {
        files(60, 600);
        assertTrue(StartupCache.isCurrent(archive, List.of(jar), List.of(root.resolve("no/such/libjvm.so"))));
    }

    @Test
    void theRuntimeFilesAreTheClassImageAndTheVm() {
        assertEquals(List.of(Path.of("/jdk/lib/modules"), Path.of("/jdk/lib/server/libjvm.so")),
                StartupCache.runtimeFiles(Path.of("/jdk")));
        for (Path f : StartupCache.runtimeFiles(Path.of(System.getProperty("java.home")))) {
            assertTrue(Files.isRegularFile(f), f + " (this JVM's)");
        }
    }

    @Test
    void fromRelease25ItIsAnAheadOfTimeCachePerJdk() throws Exception {
        assertEquals(root.resolve("target/cds/FastPathManagerMain.jsa"), StartupCache.path(root, MAIN, JDK17));
        Path aot = StartupCache.path(root, MAIN, JDK25);
        assertEquals(root.resolve("target/aot/jdk-25/FastPathManagerMain.aot"), aot);
        jar = Files.writeString(root.resolve("a.jar"), "jar");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(600)));
        List<String> writing = StartupCache.of(root, MAIN, List.of(jar), JDK25, List.of(), false).jvmOptions();
        assertEquals("-XX:AOTMode=record", writing.get(0));
        assertTrue(writing.get(1).startsWith("-XX:AOTConfiguration=" + aot + ".") && writing.get(1).endsWith(".tmp.config"), writing.toString());
        assertTrue(writing.contains("-Xlog:aot=off"), "the JVM's notes stay out of the daemon's log: " + writing);
        Files.writeString(aot, "cache");
        assertEquals(List.of("-XX:AOTCache=" + aot), StartupCache.of(root, MAIN, List.of(jar), JDK25, List.of(), false).jvmOptions());
        assertTrue(StartupCache.of(root, MAIN, List.of(jar), JDK25, List.of(), true).writing(), "the training writes a current cache again");
    }

    @Test
    void aCacheIsPutInPlaceOnlyAfterACleanExitAndNothingOfTheWriteIsLeft() throws Exception {
        jar = Files.writeString(root.resolve("a.jar"), "jar");
        StartupCache cache = StartupCache.of(root, MAIN, List.of(jar), JDK17, List.of(), false);
        String option = cache.jvmOptions().get(0);
        Path written = Path.of(option.substring(option.indexOf('=') + 1));
        Files.writeString(written, "cache");
        Files.writeString(written.resolveSibling(written.getFileName() + ".config"), "configuration");
        Process killed = new ProcessBuilder("sh", "-c", "kill -9 $$").start();
        killed.waitFor();
        cache.processEnded(killed, List.of());
        assertFalse(Files.exists(StartupCache.path(root, MAIN, JDK17)), "a killed daemon's cache is not used");
        try (var left = Files.list(written.getParent())) {
            assertEquals(List.of(), left.toList(), "nothing of the write left");
        }

        cache = StartupCache.of(root, MAIN, List.of(jar), JDK17, List.of(), false);
        option = cache.jvmOptions().get(0);
        written = Path.of(option.substring(option.indexOf('=') + 1));
        Files.writeString(written, "cache");
        Process clean = new ProcessBuilder("true").start();
        clean.waitFor();
        cache.processEnded(clean, List.of());
        assertEquals("cache", Files.readString(StartupCache.path(root, MAIN, JDK17)));
        assertFalse(Files.exists(written));
    }
}
