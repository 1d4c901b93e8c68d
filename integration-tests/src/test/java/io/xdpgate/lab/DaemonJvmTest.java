package io.xdpgate.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which JVM the daemons run on, and with which options (the launcher's choice: DaemonJvmAgreementTest). */
class DaemonJvmTest {
    @TempDir
    Path dir;

    private Path jdk(String name, String version) throws Exception {
        Path home = dir.resolve("jvm").resolve(name);
        Files.createDirectories(home.resolve("bin"));
        Path java = Files.writeString(home.resolve("bin/java"), "#!/bin/sh\n");
        java.toFile().setExecutable(true);
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"" + version + "\"\n");
        return home;
    }

    @Test
    void withoutXdpgateJavaTheNewestInstalledJdkOfRelease25OrLaterIsChosen() throws Exception {
        Path running = jdk("java-17", "17.0.15");
        jdk("jdk-25", "25.0.3");
        Path jdk26 = jdk("b-jdk-26", "26");
        jdk("c-jdk-26", "26.0.1");
        Path broken = jdk("jdk-27", "27");
        Files.delete(broken.resolve("bin/java")); // no java: not a JDK to run
        Path installed = dir.resolve("jvm");
        Files.createSymbolicLink(installed.resolve("a-link-26"), jdk26); // first by name, but another name of b-jdk-26
        assertEquals(new DaemonJvm(jdk26, 26), DaemonJvm.choose(Map.of(), running, installed), "the highest release, then the first name");
        assertEquals(new DaemonJvm(jdk26, 26), DaemonJvm.choose(Map.of("XDPGATE_JAVA", " "), running, installed));
        assertEquals(new DaemonJvm(running, 17), DaemonJvm.choose(Map.of("XDPGATE_JAVA", running.toString()), running, installed),
                "XDPGATE_JAVA chooses an older one");
    }

    @Test
    void withoutXdpgateJavaNorAJdkOfRelease25OrLaterTheRunningJvmIsChosen() throws Exception {
        Path running = jdk("java-17", "17.0.15");
        jdk("jdk-21", "21.0.2");
        assertEquals(new DaemonJvm(running, 17), DaemonJvm.choose(Map.of(), running, dir.resolve("jvm")));
        assertEquals(new DaemonJvm(running, 17), DaemonJvm.choose(Map.of(), running, dir.resolve("no-such-directory")));
    }

    @Test
    void xdpgateJavaWinsAsAHomeOrAsItsJava() throws Exception {
        Path running = jdk("java-17", "17.0.15");
        Path jdk26 = jdk("jdk-26", "26");
        assertEquals(new DaemonJvm(jdk26, 26), DaemonJvm.choose(Map.of("XDPGATE_JAVA", jdk26.toString()), running));
        assertEquals(new DaemonJvm(jdk26, 26), DaemonJvm.choose(Map.of("XDPGATE_JAVA", jdk26.resolve("bin/java").toString()), running));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DaemonJvm.choose(Map.of("XDPGATE_JAVA", "/no/such/jdk"), running));
        assertTrue(e.getMessage().contains("/no/such/jdk"), e.getMessage());
    }

    @Test
    void theFeatureIsReadFromTheReleaseFileOldStyleToo() throws Exception {
        assertEquals(8, DaemonJvm.feature(jdk("jdk8", "1.8.0_402")));
        assertEquals(-1, DaemonJvm.feature(dir.resolve("nothing")));
    }

    @Test
    void release25AndLaterAddTheirOwnOptionsFile() throws Exception {
        Files.writeString(dir.resolve("daemon-jvm.options"), "# all\n-XX:+UseSerialGC\n\n");
        Files.writeString(dir.resolve("daemon-jvm-25.options"), "# 25\n  --enable-native-access=ALL-UNNAMED\n");
        assertEquals(List.of("-XX:+UseSerialGC"), new DaemonJvm(dir, 17).options(dir));
        assertFalse(new DaemonJvm(dir, 17).aot());
        assertEquals(List.of("-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED"), new DaemonJvm(dir, 25).options(dir));
        assertTrue(new DaemonJvm(dir, 25).aot());
    }
}
