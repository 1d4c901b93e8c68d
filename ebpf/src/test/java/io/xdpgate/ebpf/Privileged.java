package io.xdpgate.ebpf;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Policy for tests that need root (bpf(2), XDP, bpffs): skipped for a developer
 * who is not root, a failure in CI (CI=true), where they must run.
 */
public final class Privileged {
    private static final Path BPFFS = Path.of("/sys/fs/bpf");

    private Privileged() {
    }

    public static void requireRoot() {
        if (isRoot()) {
            return;
        }
        String why = "this test needs root (bpf(2), XDP, bpffs)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(why + ", and CI=true: privileged tests must run in CI; run the build as root");
        }
        Assumptions.abort(why + "; skipped because not root and CI is not set");
    }

    static boolean isRoot() {
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

    /** A new empty pin root /sys/fs/bpf/xg-test-<random>; mounts bpffs first if a fresh machine lacks it. */
    public static Path freshPinRoot() throws IOException, InterruptedException {
        requireRoot();
        if (!bpffsMounted()) {
            run(List.of("mount", "-t", "bpf", "bpf", BPFFS.toString()));
        }
        Path root = BPFFS.resolve("xg-test-" + UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectory(root);
        return root;
    }

    private static boolean bpffsMounted() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] f = line.split(" ");
            if (f.length > 2 && f[1].equals(BPFFS.toString()) && f[2].equals("bpf")) {
                return true;
            }
        }
        return false;
    }

    /** Removes a pin root with everything pinned under it. */
    public static void removePinRoot(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Runs a command, failing with its output if it exits non-zero; returns stdout and stderr. */
    public static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IOException(String.join(" ", command) + " exited " + rc + ": " + out);
        }
        return out;
    }

    /** The path of a tool in the usual system directories (root's PATH has sbin, others may not). */
    public static String tool(String name) {
        for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return fail(name + " is not installed (apt-get install " + name + ")");
    }
}
