package io.xdpgate.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM the daemons run on, chosen as {@code ./xdpgate} chooses it (its {@code daemon-jvm} command
 * prints the choice; {@code DaemonJvmAgreementTest} holds the two together): {@code XDPGATE_JAVA}, a
 * JDK's home or its {@code bin/java}, when set; else the JVM running this code (for {@code ./xdpgate},
 * the {@code java} of the PATH: OpenJDK 17 on these machines).
 *
 * <p>On release {@value #AOT_FEATURE} and later a daemon starts from an ahead-of-time cache (see
 * {@link StartupCache}) that holds, besides the classes loaded and linked, the method profiles of a run
 * that routed a table, so the JIT compiles the route path right away: a cold start of a 1.25M-route
 * table takes a sixth less time and a fifth less CPU than on release 17 with its class data sharing
 * archive. It is not the default because the live changes' latency tail doubles with it (p99 of single
 * route changes 0.35-1.6 ms, most runs near 1 ms, against 0.33-0.71 ms, side by side; cause not found:
 * BENCHMARKS.md), and
 * that figure is a goal the fast path meets. The code is compiled for release 17 and runs on both.
 *
 * <p>Options: those of {@code daemon-jvm.options} for every JVM, then those of
 * {@code daemon-jvm-25.options} on release 25 and later (options older JVMs refuse to start with).
 */
public record DaemonJvm(Path home, int feature) {
    /** The first feature release whose daemons use an ahead-of-time cache, and read daemon-jvm-25.options. */
    public static final int AOT_FEATURE = 25;
    private static final Pattern VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(?:1\\.)?(\\d+)");

    /** The daemons' JVM on this machine. */
    public static DaemonJvm choose() {
        return choose(System.getenv(), Path.of(System.getProperty("java.home")));
    }

    /** As {@link #choose()}, with the environment and the running JVM's home given. */
    static DaemonJvm choose(Map<String, String> env, Path running) {
        String chosen = env.get("XDPGATE_JAVA");
        if (chosen != null && !chosen.isBlank()) {
            Path home = Path.of(chosen);
            if (home.endsWith(Path.of("bin", "java"))) home = home.getParent().getParent();
            int feature = feature(home);
            if (feature < 0) throw new IllegalStateException("XDPGATE_JAVA=" + chosen + " is no JDK (no release file)");
            return new DaemonJvm(home, feature);
        }
        int feature = feature(running);
        return new DaemonJvm(running, feature >= 0 ? feature : Runtime.version().feature());
    }

    /** The feature release a JDK's {@code release} file names, or -1 without one. */
    static int feature(Path home) {
        try {
            Matcher m = VERSION.matcher(Files.readString(home.resolve("release")));
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Its {@code java}. */
    public Path java() {
        return home.resolve("bin/java");
    }

    /** Whether its daemons start from an ahead-of-time cache (release 25 and later) or a class data sharing archive. */
    public boolean aot() {
        return feature >= AOT_FEATURE;
    }

    /** The daemons' options on this JVM, from the project's options files as {@code ./xdpgate} reads them. */
    public List<String> options(Path root) throws IOException {
        List<String> options = new ArrayList<>(readOptions(root.resolve("daemon-jvm.options")));
        if (aot()) options.addAll(readOptions(root.resolve("daemon-jvm-25.options")));
        return options;
    }

    private static List<String> readOptions(Path file) throws IOException {
        return Files.readAllLines(file).stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }
}
