package io.xdpgate.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A daemon's class data sharing archive (JDK dynamic AppCDS): the classes the daemon loaded in an
 * earlier run, already parsed and verified, mapped at start instead of being read from the jars again.
 * It takes about a third of a daemon's start-up CPU away (the fast path manager: 3.5 s of CPU to its
 * first FPC listen without, 2.3 s with, both daemons starting at once on two vCPUs), which a cold start
 * of both daemons pays before the first route moves.
 *
 * <p>The archive of a daemon is {@code target/cds/<main class>.jsa} under the project root, the name
 * {@code ./xdpgate} looks for too. It is used while it is newer than every jar of the classpath and than
 * the JVM that runs the daemons (the JVM would refuse an archive of other jars or of another JVM build,
 * with a warning, and start without: after an upgrade of the JDK package, for good). The JVM's files are
 * judged by their status change time, not their modification time: a package manager installs files
 * with the times they had when the package was built, but renames them into place when it installs them.
 * When there is none, or it is older, the daemon writes one when it exits cleanly ({@code -XX:ArchiveClassesAtExit}), into a
 * file of its own that {@link #processEnded} renames into place once the process has ended: a daemon
 * killed before its end leaves nothing behind, and two daemons writing at once do not mix their files.
 */
final class CdsArchive {
    private static final AtomicLong TRAINING = new AtomicLong();

    private final Path archive;
    private final Path training; // null: the archive is used, not written

    private CdsArchive(Path archive, Path training) {
        this.archive = archive;
        this.training = training;
    }

    /** The archive of mainClass's daemon, used if it is newer than every jar and than this JVM, written otherwise. */
    static CdsArchive of(Path root, String mainClass, List<Path> jars) throws IOException {
        return of(root, mainClass, jars, runtimeFiles(Path.of(System.getProperty("java.home"))));
    }

    /** As {@link #of(Path, String, List)}, the JVM being the one whose files are {@code runtime}. */
    static CdsArchive of(Path root, String mainClass, List<Path> jars, List<Path> runtime) throws IOException {
        Path archive = path(root, mainClass);
        if (isCurrent(archive, jars, runtime)) return new CdsArchive(archive, null);
        Files.createDirectories(archive.getParent());
        Path training = archive.resolveSibling(archive.getFileName() + "." + ProcessHandle.current().pid() + "-"
                + TRAINING.incrementAndGet() + ".tmp");
        return new CdsArchive(archive, training);
    }

    /** Where the archive of mainClass's daemon is, as {@code ./xdpgate} looks for it. */
    static Path path(Path root, String mainClass) {
        return root.resolve("target/cds").resolve(mainClass.substring(mainClass.lastIndexOf('.') + 1) + ".jsa");
    }

    /** The JVM options that use or write the archive. */
    List<String> jvmOptions() {
        if (training == null) return List.of("-XX:SharedArchiveFile=" + archive);
        // The dump lists, as warnings, the classes it cannot archive (generated accessors, JFR events):
        // nothing a reader of the daemon's log needs.
        return List.of("-XX:ArchiveClassesAtExit=" + training, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    }

    /** After the daemon's process has ended: an archive it wrote at a clean exit takes its place. */
    void processEnded(Process p) {
        if (training == null) return;
        try {
            boolean clean = !p.isAlive() && p.exitValue() != 137; // 128 + SIGKILL: killed mid-write, perhaps
            if (clean && Files.isRegularFile(training) && Files.size(training) > 0) {
                Files.move(training, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.deleteIfExists(training);
        } catch (IOException e) {
            // Only a start-up cost: the next daemon writes an archive again.
        }
    }

    /** The files of the JVM at {@code javaHome} that an archive depends on: its class image and the VM itself. */
    static List<Path> runtimeFiles(Path javaHome) {
        return List.of(javaHome.resolve("lib/modules"), javaHome.resolve("lib/server/libjvm.so"));
    }

    /** Whether the archive is newer than every jar (modified) and every runtime file there is (installed). */
    static boolean isCurrent(Path archive, List<Path> jars, List<Path> runtime) throws IOException {
        if (!Files.isRegularFile(archive)) return false;
        FileTime written = Files.getLastModifiedTime(archive);
        for (Path jar : jars) {
            if (!Files.exists(jar) || Files.getLastModifiedTime(jar).compareTo(written) >= 0) return false;
        }
        for (Path file : runtime) { // a JVM laid out otherwise is not judged by its files (nor by ./xdpgate)
            if (Files.exists(file) && ((FileTime) Files.getAttribute(file, "unix:ctime")).compareTo(written) >= 0) return false;
        }
        return true;
    }
}
