package io.xdpgate.fastpath;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/** Root check (fails in CI, skips elsewhere), commands, pin clean-up. */
final class TestSupport {

    private TestSupport() {}

    static void requireRoot() {
        if ("root".equals(System.getProperty("user.name"))) return;
        if ("true".equals(System.getenv("CI"))) fail("this test needs root (bpf, XDP, namespaces) and must run in CI");
        Assumptions.abort("not root: skipped outside CI");
    }

    static String sh(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException(String.join(" ", command) + ": " + out);
        return out;
    }

    static void removePins(Path root) throws IOException {
        if (root == null) return;
        Files.deleteIfExists(VrfTable.pathFor(root));
        if (!Files.exists(root)) return;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
