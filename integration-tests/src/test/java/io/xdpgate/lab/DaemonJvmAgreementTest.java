package io.xdpgate.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code ./xdpgate} (operators' daemons) and the lab's {@link Daemons} (tests, benchmarks) run the
 * daemons on the same JVM with the same start-up caches: benchmarks measure what operators run.
 */
class DaemonJvmAgreementTest {
    private static final List<String> MAINS = List.of("io.xdpgate.fastpath.FastPathManagerMain",
            "io.xdpgate.cachemanager.CacheManagerMain", "io.xdpgate.hitflags.HitflagsMain");

    @Test
    void theLauncherAndTheLabChooseTheSameJvmAndCaches() throws Exception {
        check(new HashMap<>(System.getenv()));
    }

    @Test
    void theyAgreeOnXdpgateJavaToo() throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("XDPGATE_JAVA", System.getProperty("java.home"));
        check(env);
        // A JDK of release 25 or later where the machine has one (these machines do): its caches are elsewhere.
        try (var jdks = java.nio.file.Files.list(Path.of("/usr/lib/jvm"))) {
            for (Path home : jdks.filter(h -> DaemonJvm.feature(h) >= DaemonJvm.AOT_FEATURE).toList()) {
                env.put("XDPGATE_JAVA", home.toString());
                check(env);
            }
        }
    }

    private static void check(Map<String, String> env) throws Exception {
        Path root = Daemons.root().toAbsolutePath().normalize();
        DaemonJvm jvm = DaemonJvm.choose(env, Path.of(System.getProperty("java.home")));
        List<String> lines = launcher(root, env);
        assertEquals("java: " + jvm.java().toRealPath(), "java: " + Path.of(lines.get(0).substring(6)).toRealPath(), lines.toString());
        assertEquals("release: " + jvm.feature(), lines.get(1));
        for (int i = 0; i < MAINS.size(); i++) {
            String line = lines.get(2 + i);
            assertEquals("cache: " + StartupCache.path(root, MAINS.get(i), jvm), line.substring(0, line.indexOf(" (")));
        }
    }

    private static List<String> launcher(Path root, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(root.resolve("xdpgate").toString(), "daemon-jvm").redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out.lines().toList();
    }
}
