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

/** When a daemon's class data sharing archive is used: newer than the jars, and than the JVM as installed. */
class CdsArchiveTest {
    private static final String MAIN = "io.xdpgate.fastpath.FastPathManagerMain";

    @TempDir
    Path root;

    private Path archive;
    private Path jar;
    private Path modules;

    private void files(long archiveAgeSeconds, long jarAgeSeconds) throws Exception {
        jar = Files.writeString(root.resolve("a.jar"), "jar");
        modules = Files.writeString(root.resolve("modules"), "the JVM's class image");
        archive = CdsArchive.path(root, MAIN);
        Files.createDirectories(archive.getParent());
        Files.writeString(archive, "archive");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(jarAgeSeconds)));
        Files.setLastModifiedTime(archive, FileTime.from(Instant.now().minusSeconds(archiveAgeSeconds)));
    }

    @Test
    void anArchiveNewerThanTheJarsAndTheJvmIsUsed() throws Exception {
        files(-60, 600); // written after both (a minute ahead: the JVM's file was installed just now)
        assertTrue(CdsArchive.isCurrent(archive, List.of(jar), List.of(modules)));
        assertEquals(List.of("-XX:SharedArchiveFile=" + archive),
                CdsArchive.of(root, MAIN, List.of(jar), List.of(modules)).jvmOptions());
    }

    @Test
    void aJarBuiltAfterTheArchiveMakesItStale() throws Exception {
        files(600, -60);
        assertFalse(CdsArchive.isCurrent(archive, List.of(jar), List.of(modules)));
    }

    @Test
    void aJvmInstalledAfterTheArchiveMakesItStaleWhateverTheTimesItsPackageGaveItsFiles() throws Exception {
        files(60, 600);
        // A package installs its files with the modification times they had when it was built.
        Files.setLastModifiedTime(modules, FileTime.from(Instant.now().minusSeconds(365L * 24 * 3600)));
        assertFalse(CdsArchive.isCurrent(archive, List.of(jar), List.of(modules)));
        List<String> options = CdsArchive.of(root, MAIN, List.of(jar), List.of(modules)).jvmOptions();
        assertTrue(options.get(0).startsWith("-XX:ArchiveClassesAtExit="), "a new archive is written: " + options);
    }

    @Test
    void aJvmLaidOutOtherwiseIsJudgedByTheJarsAlone() throws Exception {
        files(60, 600);
        assertTrue(CdsArchive.isCurrent(archive, List.of(jar), List.of(root.resolve("no/such/libjvm.so"))));
    }

    @Test
    void theRuntimeFilesAreTheClassImageAndTheVm() {
        assertEquals(List.of(Path.of("/jdk/lib/modules"), Path.of("/jdk/lib/server/libjvm.so")),
                CdsArchive.runtimeFiles(Path.of("/jdk")));
        for (Path f : CdsArchive.runtimeFiles(Path.of(System.getProperty("java.home")))) {
            assertTrue(Files.isRegularFile(f), f + " (this JVM's)");
        }
    }
}
