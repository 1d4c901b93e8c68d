package io.xdpgate.cachemanager;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/** Gate for tests that need root (namespaces, veth): skipped for a non-root user, a failure in CI (CI=true). */
final class Privileged {
    private Privileged() {}

    static void requireRoot() {
        if (isRoot()) return;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("this privileged test needs root (network namespaces, veth), and CI=true forbids skipping it");
        }
        Assumptions.assumeTrue(false, "needs root: skipped (set CI=true to make this a failure)");
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0"); // effective uid
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
