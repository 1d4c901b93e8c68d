package io.xdpgate.lab;

import io.xdpgate.ebpf.FastPathMaps;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real daemons as child processes on the lab: the Fast Path Manager in the host
 * namespace (it enters xgr per thread, keeping the host's bpffs) and a Cache Manager that
 * follows xgr. Only the processes started here are ever stopped, by their own handle.
 */
public final class Daemons implements AutoCloseable {

    private final Path pinRoot;
    private final Path socket;
    private final Path logDir;
    private Process fastpath;
    private Process cacheManager;
    private Process hitflags;
    private final java.util.Map<Process, StartupCache> caches = new java.util.concurrent.ConcurrentHashMap<>();
    private DaemonJvm jvm = DaemonJvm.choose();
    private boolean rewriteCaches;

    public Daemons(Path pinRoot, Path socket, Path logDir) {
        this.pinRoot = pinRoot;
        this.socket = socket;
        this.logDir = logDir;
    }

    /**
     * Daemons started from now on write their start-up cache at their clean stop even if a current one
     * exists (the training's daemons: see {@link StartupCacheTraining}).
     */
    public Daemons rewritingStartupCaches() {
        rewriteCaches = true;
        return this;
    }

    /** Daemons started from now on run on {@code jvm} instead of the one {@link DaemonJvm#choose()} chooses. */
    public Daemons onJvm(DaemonJvm jvm) {
        this.jvm = jvm;
        return this;
    }

    /** The JVM the daemons run on. */
    public DaemonJvm jvm() {
        return jvm;
    }

    public Path pinRoot() {
        return pinRoot;
    }

    public Path logDir() {
        return logDir;
    }

    public void startFastPathManager() {
        fastpath = spawn("fastpath-manager", "io.xdpgate.fastpath.FastPathManagerMain",
                "--pin-root", pinRoot.toString(), "--socket", socket.toString(),
                "--ports", Lab.ROUTER + "/" + Lab.R_H1 + "," + Lab.ROUTER + "/" + Lab.R_H2);
    }

    public void startCacheManager(String... extraOptions) {
        startCacheManagerFor(Lab.ROUTER, Lab.ROUTER_VRF, extraOptions);
    }

    /** A Cache Manager following only namespace {@code netns}, as VRF {@code vrf}. */
    public void startCacheManagerFor(String netns, int vrf, String... extraOptions) {
        List<String> args = new ArrayList<>(List.of("--netns", netns, "--vrf", String.valueOf(vrf),
                "--socket", socket.toString()));
        args.addAll(List.of(extraOptions));
        cacheManager = spawn("cache-manager", "io.xdpgate.cachemanager.CacheManagerMain", args.toArray(new String[0]));
    }

    /** The process id of the running Fast Path Manager, or -1. */
    public long fastPathPid() {
        return fastpath == null ? -1 : fastpath.pid();
    }

    /** The process id of the running Cache Manager, or -1. */
    public long cacheManagerPid() {
        return cacheManager == null ? -1 : cacheManager.pid();
    }

    /** A Fast Path Manager whose ports are the interfaces with these names, in any VRF. */
    public void startFastPathManager(String ports, String... extraOptions) {
        List<String> args = new ArrayList<>(List.of("--pin-root", pinRoot.toString(), "--socket", socket.toString(),
                "--ports", ports));
        args.addAll(List.of(extraOptions));
        fastpath = spawn("fastpath-manager", "io.xdpgate.fastpath.FastPathManagerMain", args.toArray(new String[0]));
    }

    /** A Cache Manager following the default namespace and every namespace in /run/netns. */
    public void startCacheManagerForAllNamespaces(String... extraOptions) {
        List<String> args = new ArrayList<>(List.of("--socket", socket.toString()));
        args.addAll(List.of(extraOptions));
        cacheManager = spawn("cache-manager", "io.xdpgate.cachemanager.CacheManagerMain", args.toArray(new String[0]));
    }

    /** hitflags on this pin root (its VRF table tells it the namespaces). */
    public void startHitflags(String... extraOptions) {
        List<String> args = new ArrayList<>(List.of("--pin-root", pinRoot.toString()));
        args.addAll(List.of(extraOptions));
        hitflags = spawn("hitflags", "io.xdpgate.hitflags.HitflagsMain", args.toArray(new String[0]));
    }

    /** SIGTERM to hitflags, as systemctl stop does. */
    public void stopHitflags() {
        stop(hitflags);
        hitflags = null;
    }

    public void stopCacheManager() {
        stop(cacheManager);
        cacheManager = null;
    }

    public void stopFastPathManager() {
        stop(fastpath);
        fastpath = null;
    }

    /** SIGKILL, as a crash would: no shutdown hook runs. */
    public void killFastPathManager() throws InterruptedException {
        kill(fastpath);
        fastpath = null;
    }

    /** SIGKILL, as a crash would: no shutdown hook runs. */
    public void killCacheManager() throws InterruptedException {
        kill(cacheManager);
        cacheManager = null;
    }

    private static void kill(Process p) throws InterruptedException {
        if (p == null) return;
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
    }

    /** Removes the daemons' logs in {@code logDir} (they are appended to across restarts). */
    public static void clearLogs(Path logDir) throws IOException {
        for (String daemon : new String[] {"fastpath-manager", "cache-manager", "hitflags"}) Files.deleteIfExists(logDir.resolve(daemon + ".log"));
    }

    /** How many lines of a daemon's log contain {@code text}. */
    public int logCount(String daemon, String text) {
        try {
            Path log = logDir.resolve(daemon + ".log");
            if (!Files.exists(log)) return 0;
            return (int) Files.readAllLines(log).stream().filter(l -> l.contains(text)).count();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the log of " + daemon + ": " + e.getMessage(), e);
        }
    }

    /**
     * Waits until {@code ctl verify} on this pin root finds no difference (those it finds are printed,
     * at most 10 per VRF), checking meanwhile that the daemons are alive.
     */
    public void awaitVerifyClean(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (io.xdpgate.ctl.CtlMain.verify(pinRoot, 10) != 0) {
            checkAlive();
            if (System.nanoTime() > deadline) throw new AssertionError("ctl verify still finds differences (printed above)");
            Thread.sleep(250);
        }
    }

    /** Waits until a daemon's log has at least {@code count} lines containing {@code text}. */
    public void awaitLog(String daemon, String text, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (logCount(daemon, text) < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(daemon + " never logged '" + text + "' " + count + " times; logs in " + logDir);
            }
            Thread.sleep(2);
        }
    }

    /**
     * Waits until the fast path serves the lab: both router ports carry the program and
     * the route towards xgh2 is in the FIB.
     */
    public Duration awaitSynchronized(Lab lab, Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        Inet4Address prefix = ipv4("10.201.2.0");
        await("the fast path's synchronization", timeout, 20, () -> {
            try (FastPathMaps maps = FastPathMaps.open(pinRoot)) {
                return maps.lookupRoute4(Lab.ROUTER_VRF, prefix, 24) != null
                        && Files.exists(linkPin(lab, Lab.R_H1)) && Files.exists(linkPin(lab, Lab.R_H2));
            }
        });
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private Path linkPin(Lab lab, String ifname) {
        return pinRoot.resolve("links").resolve("vrf" + Lab.ROUTER_VRF + "-if" + lab.ifindex(Lab.ROUTER, ifname));
    }

    /**
     * In the fast path manager's log line that ends a generation over all of a sender's VRFs: "generation G
     * of S complete: N vrfs and M stale objects removed" (a VRF's own generation ends with another line).
     */
    public static final String GENERATION_COMPLETE = " vrfs and ";

    /** What {@link #await} waits for; an exception means "not yet" (the maps being created, say). */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /**
     * Waits until {@code condition} holds, looking every 50 ms and checking meanwhile that the daemons
     * are alive; fails saying that {@code what} did not happen, with where the logs are.
     */
    public void await(String what, Duration timeout, Condition condition) throws InterruptedException {
        await(what, timeout, 50, condition);
    }

    private void await(String what, Duration timeout, long pollMillis, Condition condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            checkAlive();
            try {
                if (condition.holds()) return;
            } catch (Exception e) {
                // not yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + ": not within " + timeout + "; logs in " + logDir);
            }
            Thread.sleep(pollMillis);
        }
    }

    /** Fails with the daemon's log when one of them died. */
    public void checkAlive() {
        for (Process p : new Process[] {fastpath, cacheManager, hitflags}) {
            if (p != null && !p.isAlive()) {
                throw new IllegalStateException("a daemon exited with status " + p.exitValue() + "; logs in " + logDir);
            }
        }
    }

    @Override
    public void close() {
        stopHitflags();
        stopCacheManager();
        stopFastPathManager();
    }

    private Process spawn(String name, String mainClass, String... args) {
        try {
            Files.createDirectories(logDir);
            List<String> cmd = new ArrayList<>(List.of(jvm.java().toString()));
            cmd.addAll(jvm.options(root()));
            List<Path> jars = classpath();
            StartupCache cache = StartupCache.of(root(), mainClass, jars, jvm, rewriteCaches);
            cmd.addAll(cache.jvmOptions());
            cmd.addAll(List.of("-cp", String.join(":", jars.stream().map(Path::toString).toList()), mainClass));
            cmd.addAll(List.of(args));
            Path log = logDir.resolve(name + ".log");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.PIPE).start();
            caches.put(p, cache);
            return p;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    private void stop(Process p) {
        if (p == null) return;
        if (p.isAlive()) {
            p.destroy(); // SIGTERM: the daemon shuts down cleanly
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        StartupCache cache = caches.remove(p);
        if (cache == null || !cache.writing()) return; // nothing to put in place
        try {
            cache.processEnded(p, jvm.options(root()));
        } catch (IOException e) {
            // No options file: no cache this time, only a slower start next time.
        }
    }

    /**
     * The daemons' classpath, as the build wrote it for the launcher: jars only (the daemons need
     * nothing of this module), which a start-up cache requires.
     */
    static List<Path> classpath() {
        Path file = root().resolve("integration-tests/target/classpath.txt");
        try {
            return java.util.Arrays.stream(Files.readString(file).strip().split(":")).map(Path::of).toList();
        } catch (IOException e) {
            throw new IllegalStateException("no " + file + ": build first (./xdpgate setup)", e);
        }
    }

    /** The project root (XDPGATE_ROOT, else the working directory). */
    static Path root() {
        return Path.of(System.getenv().getOrDefault("XDPGATE_ROOT", "."));
    }

    public static Inet4Address ipv4(String dotted) {
        try {
            return (Inet4Address) InetAddress.getByName(dotted);
        } catch (IOException e) {
            throw new IllegalArgumentException(dotted, e);
        }
    }
}
