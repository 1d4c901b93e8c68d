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
 * JDK's home or its {@code bin/java}, when set; else the newest JDK of release {@value #AOT_FEATURE} or
 * later installed under {@code /usr/lib/jvm} (these machines have Temurin 25); else the JVM running this
 * code (for {@code ./xdpgate}, the {@code java} of the PATH: OpenJDK 17 on these machines). The code is
 * compiled for release 17 and runs on both.
 *
 * <p>Why release 25 first: its daemons start from an ahead-of-time cache (see {@link StartupCache}) that
 * holds their classes loaded and linked. A cold start of a 1.25M-route table takes an eighth less time
 * and a seventh less CPU than on release 17 with its class data sharing archive (5.93 against 6.71 s,
 * side by side), and live changes are as fast (BENCHMARKS.md). The cache keeps no method profiles: see
 * {@code daemon-jvm-25.options}.
 *
 * <p>Options: those of {@code daemon-jvm.options} for every JVM, then those of
 * {@code daemon-jvm-25.options} on release 25 and later (options older JVMs refuse to start with).
 */
public record DaemonJvm(Path home, int feature) {
    /** The first feature release whose daemons use an ahead-of-time cache, and read daemon-jvm-25.options. */
    public static final int AOT_FEATURE = 25;
    private static final Pattern VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(?:1\\.)?(\\d+)");

    /** Where Debian's and Temurin's packages install JDKs. */
    static final Path INSTALLED = Path.of("/usr/lib/jvm");

    /** The daemons' JVM on this machine. */
    public static DaemonJvm choose() {
        return choose(System.getenv(), Path.of(System.getProperty("java.home")));
    }

    /** As {@link #choose()}, with the environment and the running JVM's home given. */
    static DaemonJvm choose(Map<String, String> env, Path running) {
        return choose(env, running, INSTALLED);
    }

    /** As {@link #choose()}, with the environment, the running JVM's home and the directory of installed JDKs given. */
    static DaemonJvm choose(Map<String, String> env, Path running, Path installed) {
        String chosen = env.get("XDPGATE_JAVA");
        if (chosen != null && !chosen.isBlank()) {
            Path home = Path.of(chosen);
            if (home.endsWith(Path.of("bin", "java"))) home = home.getParent().getParent();
            int feature = feature(home);
            if (feature < 0) throw new IllegalStateException("XDPGATE_JAVA=" + chosen + " is no JDK (no release file)");
            return new DaemonJvm(home, feature);
        }
        DaemonJvm newest = newestAotJdk(installed);
        if (newest != null) return newest;
        int feature = feature(running);
        return new DaemonJvm(running, feature >= 0 ? feature : Runtime.version().feature());
    }

    /**
     * The JDK of the highest release, {@value #AOT_FEATURE} or later, among the homes in {@code installed}
     * (the first by name among those of that release), or null. Symbolic links there (Debian's other names
     * of a JDK) are not JDKs of their own: a JDK has one name, and one directory of caches.
     */
    static DaemonJvm newestAotJdk(Path installed) {
        List<DaemonJvm> found = new ArrayList<>();
        try (java.util.stream.Stream<Path> homes = Files.list(installed)) {
            for (Path home : homes.toList()) {
                int feature = feature(home);
                if (Files.isSymbolicLink(home)) continue;
                if (feature >= AOT_FEATURE && Files.isExecutable(home.resolve("bin/java"))) found.add(new DaemonJvm(home, feature));
            }
        } catch (IOException e) {
            return null; // no such directory: no JDK installed there
        }
        found.sort(java.util.Comparator.comparingInt((DaemonJvm j) -> -j.feature())
                .thenComparing((DaemonJvm j) -> j.home().getFileName().toString()));
        return found.isEmpty() ? null : found.get(0);
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
