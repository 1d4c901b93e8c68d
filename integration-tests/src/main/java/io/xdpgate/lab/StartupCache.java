package io.xdpgate.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a daemon's JVM starts from instead of starting from nothing, written by an earlier run of that
 * daemon:
 * <ul>
 * <li>on release 25 and later, an ahead-of-time cache ({@code -XX:AOTCache}): the classes the daemon
 * loaded, parsed, verified and linked. A 1.25M-route cold start takes an eighth less time than on
 * release 17 with its archive (BENCHMARKS.md). The method profiles such a cache could keep too are
 * neither recorded nor replayed ({@code daemon-jvm-25.options}): they left live changes slower.
 * {@link StartupCacheTraining} writes it from a run that routed a table, so that it holds every class
 * of that path.
 * <li>before, a class data sharing archive ({@code -XX:SharedArchiveFile}, dynamic AppCDS): the classes
 * alone, a third of a daemon's start-up CPU.
 * </ul>
 *
 * <p>The cache of a daemon is {@code target/aot/<JDK directory>/<main class>.aot} or
 * {@code target/cds/<main class>.jsa} under the project root, where {@code ./xdpgate} looks too. It is
 * used while it is newer than every jar of the classpath and than the JVM that runs the daemons (the JVM
 * refuses a cache of other jars or of another JVM build, with a warning, and starts without: after an
 * upgrade of the JDK package, for good). The JVM's files are judged by their status change time, not their
 * modification time: a package manager installs files with the times they had when the package was built,
 * but renames them into place when it installs them. When there is none, or it is older (or the training
 * asks), the daemon writes one when it exits cleanly, into a file of its own that {@link #processEnded}
 * renames into place once the process has ended (and, for an AOT run, once its configuration is assembled): a daemon killed before its end leaves nothing behind,
 * and two daemons writing at once do not mix their files.
 */
final class StartupCache {
    private static final AtomicLong WRITES = new AtomicLong();

    private final DaemonJvm jvm;
    private final List<Path> jars;
    private final Path cache;
    private final Path written; // null: the cache is used, not written

    private StartupCache(DaemonJvm jvm, List<Path> jars, Path cache, Path written) {
        this.jvm = jvm;
        this.jars = jars;
        this.cache = cache;
        this.written = written;
    }

    /** The cache of mainClass's daemon on {@code jvm}: used if current, written otherwise or when {@code rewrite}. */
    static StartupCache of(Path root, String mainClass, List<Path> jars, DaemonJvm jvm, boolean rewrite) throws IOException {
        return of(root, mainClass, jars, jvm, runtimeFiles(jvm.home()), rewrite);
    }

    /** As {@link #of(Path, String, List, DaemonJvm, boolean)}, the JVM being judged by the files {@code runtime}. */
    static StartupCache of(Path root, String mainClass, List<Path> jars, DaemonJvm jvm, List<Path> runtime, boolean rewrite)
            throws IOException {
        Path cache = path(root, mainClass, jvm);
        if (!rewrite && isCurrent(cache, jars, runtime)) return new StartupCache(jvm, jars, cache, null);
        Files.createDirectories(cache.getParent());
        Path written = cache.resolveSibling(cache.getFileName() + "." + ProcessHandle.current().pid() + "-"
                + WRITES.incrementAndGet() + ".tmp");
        return new StartupCache(jvm, jars, cache, written);
    }

    /** Where the cache of mainClass's daemon on {@code jvm} is, as {@code ./xdpgate} looks for it. */
    static Path path(Path root, String mainClass, DaemonJvm jvm) {
        String daemon = mainClass.substring(mainClass.lastIndexOf('.') + 1);
        return directory(root, jvm).resolve(daemon + (jvm.aot() ? ".aot" : ".jsa"));
    }

    /** The directory of the daemons' caches on {@code jvm}: one per JDK for ahead-of-time caches. */
    static Path directory(Path root, DaemonJvm jvm) {
        return jvm.aot() ? root.resolve("target/aot").resolve(jvm.home().getFileName().toString()) : root.resolve("target/cds");
    }

    /** Whether the daemon writes the cache (at its clean exit) rather than start from it. */
    boolean writing() {
        return written != null;
    }

    /** The JVM options that use or write the cache. */
    List<String> jvmOptions() {
        if (written == null) return List.of((jvm.aot() ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=") + cache);
        // Writing lists, as warnings, the classes it cannot keep (generated proxies, JFR events): nothing a
        // reader of the daemon's log needs. An AOT run records what it loaded and ran into a configuration
        // at its exit (one line in the log says so); the cache is assembled from it after (processEnded).
        if (jvm.aot()) return List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + configuration(), "-Xlog:aot=off", "-Xlog:cds=off");
        return List.of("-XX:ArchiveClassesAtExit=" + written, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    }

    private Path configuration() {
        return written.resolveSibling(written.getFileName() + ".config");
    }

    /**
     * After the daemon's process has ended: a cache it wrote at a clean exit takes its place. An AOT run's
     * configuration is assembled into the cache first, by a JVM of the same release run with the daemon's
     * {@code jvmOptions} and jars (a few seconds of CPU, once per build).
     */
    void processEnded(Process p, List<String> jvmOptions) {
        if (written == null) return;
        try {
            boolean clean = !p.isAlive() && p.exitValue() != 137; // 128 + SIGKILL: killed mid-write, perhaps
            if (clean && jvm.aot() && Files.isRegularFile(configuration())) assemble(jvmOptions);
            if (clean && Files.isRegularFile(written) && Files.size(written) > 0) {
                Files.move(written, cache, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            // Only a start-up cost: the next daemon writes a cache again.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                Files.deleteIfExists(written);
                Files.deleteIfExists(configuration());
            } catch (IOException e) {
                // As above.
            }
        }
    }

    private void assemble(List<String> jvmOptions) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(jvm.java().toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-XX:AOTMode=create", "-XX:AOTConfiguration=" + configuration(), "-XX:AOTCache=" + written,
                "-Xlog:aot=off", "-Xlog:cds=off", "-cp", String.join(":", jars.stream().map(Path::toString).toList())));
        Process create = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!create.waitFor(120, TimeUnit.SECONDS) || create.exitValue() != 0) {
            create.destroyForcibly();
            Files.deleteIfExists(written); // nothing half-written takes the cache's place
        }
    }

    /** The files of the JVM at {@code javaHome} that a cache depends on: its class image and the VM itself. */
    static List<Path> runtimeFiles(Path javaHome) {
        return List.of(javaHome.resolve("lib/modules"), javaHome.resolve("lib/server/libjvm.so"));
    }

    /** Whether the cache is newer than every jar (modified) and every runtime file there is (installed). */
    static boolean isCurrent(Path cache, List<Path> jars, List<Path> runtime) throws IOException {
        if (!Files.isRegularFile(cache)) return false;
        FileTime written = Files.getLastModifiedTime(cache);
        for (Path jar : jars) {
            if (!Files.exists(jar) || Files.getLastModifiedTime(jar).compareTo(written) >= 0) return false;
        }
        for (Path file : runtime) { // a JVM laid out otherwise is not judged by its files (nor by ./xdpgate)
            if (Files.exists(file) && ((FileTime) Files.getAttribute(file, "unix:ctime")).compareTo(written) >= 0) return false;
        }
        return true;
    }
}
