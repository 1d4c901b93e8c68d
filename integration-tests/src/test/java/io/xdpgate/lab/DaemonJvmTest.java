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
    void theNewestJdkOfRelease25OrLaterIsChosenElseTheRunningOne() throws Exception {
        Path running = jdk("java-17", "17.0.15");
        assertEquals(new DaemonJvm(running, 17), DaemonJvm.choose(Map.of(), dir.resolve("jvm"), running), "no newer JDK");
        jdk("jdk-21", "21.0.2");
        assertEquals(new DaemonJvm(running, 17), DaemonJvm.choose(Map.of(), dir.resolve("jvm"), running), "21 has no AOT cache");
        Path b25 = jdk("b-jdk-25", "25.0.3");
        jdk("c-jdk-25", "25.0.1");
        assertEquals(new DaemonJvm(b25, 25), DaemonJvm.choose(Map.of(), dir.resolve("jvm"), running), "first by name among equals");
        Path jdk26 = jdk("a-jdk-26", "26");
        assertEquals(new DaemonJvm(jdk26, 26), DaemonJvm.choose(Map.of(), dir.resolve("jvm"), running));
        Files.createSymbolicLink(dir.resolve("jvm/0-link"), dir.resolve("jvm/a-jdk-26"));
        assertEquals(new DaemonJvm(jdk26, 26), DaemonJvm.choose(Map.of(), dir.resolve("jvm"), running), "links are not JDKs of their own");
        assertEquals(new DaemonJvm(running, 17), DaemonJvm.choose(Map.of(), dir.resolve("none"), running), "no JDK directory");
    }

    @Test
    void xdpgateJavaWinsAsAHomeOrAsItsJava() throws Exception {
        Path running = jdk("java-17", "17.0.15");
        Path jdk26 = jdk("jdk-26", "26");
        assertEquals(new DaemonJvm(running, 17), DaemonJvm.choose(Map.of("XDPGATE_JAVA", running.toString()), dir.resolve("jvm"), jdk26));
        assertEquals(new DaemonJvm(running, 17),
                DaemonJvm.choose(Map.of("XDPGATE_JAVA", running.resolve("bin/java").toString()), dir.resolve("jvm"), jdk26));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DaemonJvm.choose(Map.of("XDPGATE_JAVA", "/no/such/jdk"), dir.resolve("jvm"), running));
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
