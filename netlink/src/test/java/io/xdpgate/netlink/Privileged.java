package io.xdpgate.netlink;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Gate for tests that need root (namespaces, veth). Outside CI they are skipped for a non-root user; in
 * CI (CI=true) they must run, so a missing privilege fails them loudly instead of hiding them.
 */
final class Privileged {
    private Privileged() {}

    static void requireRoot() {
        if (isRoot()) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("this privileged test needs root (network namespaces, veth), and CI=true forbids skipping it: "
                    + "run the build as root");
        }
        Assumptions.assumeTrue(false, "needs root: skipped (set CI=true to make this a failure)");
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0"); // effective uid
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
