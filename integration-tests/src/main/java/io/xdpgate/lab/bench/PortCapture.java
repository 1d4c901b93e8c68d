package io.xdpgate.lab.bench;

import io.xdpgate.ebpf.SpecialMaps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real tcpdump on one port of the router, as an operator runs it ({@code tcpdump -i PORT -n -w
 * /dev/null}), for the captured runs of {@code bench forward}. {@link #start} returns once tcpdump
 * listens and the fast path manager has noticed it (the port is in xg_captured), so that every
 * packet sent afterwards meets a captured port; {@link #stop} ends it by its pid (SIGTERM, after
 * which tcpdump prints its statistics) and returns once the port is no longer captured.
 */
final class PortCapture {
    private static final Duration LISTENING_TIMEOUT = Duration.ofSeconds(10);
    /** The fast path manager polls the packet sockets every 200 ms. */
    private static final Duration NOTICED_TIMEOUT = Duration.ofSeconds(5);
    /**
     * libpcap hands tcpdump a block of its ring when the block is full or when its retire timeout,
     * tcpdump's 1000 ms, has passed: measured, stopped at once tcpdump had written ~0.5% fewer packets
     * than its filter saw (none dropped). Waited for before stopping, so that it writes them all.
     */
    private static final Duration DRAIN = Duration.ofMillis(1200);
    private static final Pattern CAPTURED = Pattern.compile("(\\d+) packets? captured");
    private static final Pattern RECEIVED = Pattern.compile("(\\d+) packets? received by filter");
    private static final Pattern DROPPED = Pattern.compile("(\\d+) packets? dropped by kernel");

    /**
     * What tcpdump reported when it exited, and the CPU time its process used.
     *
     * @param captured         packets it wrote (to /dev/null)
     * @param receivedByFilter packets its socket's filter accepted, written or dropped (libpcap on Linux:
     *                         the kernel's tp_packets), so every packet the port's tap saw
     * @param droppedByKernel  of those, packets its ring buffer had no room for
     */
    record Stats(long captured, long receivedByFilter, long droppedByKernel, long cpuNs) {
    }

    private final Process process;
    private final Path log;
    private final Path pinRoot;
    private final SpecialMaps.PortKey port;

    private PortCapture(Process process, Path log, Path pinRoot, SpecialMaps.PortKey port) {
        this.process = process;
        this.log = log;
        this.pinRoot = pinRoot;
        this.port = port;
    }

    /**
     * Starts tcpdump on ifname in ns, pinned to cpu (so that its own work never lands on the CPU
     * whose time the run measures), and waits until the fast path of pinRoot shows port captured.
     */
    static PortCapture start(String ns, String ifname, int cpu, Path pinRoot, SpecialMaps.PortKey port)
            throws IOException, InterruptedException {
        if (captured(pinRoot, port)) {
            throw new IllegalStateException(ifname + " in " + ns + " is captured before tcpdump starts: another capture runs");
        }
        Path log = Files.createTempFile("xgb-tcpdump", ".log");
        // ip netns exec and taskset both exec: the process's pid is tcpdump's.
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, "taskset", "-c", Integer.toString(cpu),
                "tcpdump", "-i", ifname, "-n", "-w", "/dev/null"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PortCapture c = new PortCapture(p, log, pinRoot, port);
        try {
            long deadline = System.nanoTime() + LISTENING_TIMEOUT.toNanos();
            while (!c.output().contains("listening on")) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("tcpdump did not start: " + String.join(" ", cmd) + ": " + c.output());
                }
                Thread.sleep(10);
            }
            deadline = System.nanoTime() + NOTICED_TIMEOUT.toNanos();
            while (!captured(pinRoot, port)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the fast path did not show " + ifname + " captured within "
                            + NOTICED_TIMEOUT.toSeconds() + " s of tcpdump listening");
                }
                Thread.sleep(10);
            }
            return c;
        } catch (InterruptedException | RuntimeException e) {
            c.kill();
            throw e;
        }
    }

    /**
     * Lets tcpdump write what its ring holds, stops it by its pid, reads its statistics, and waits
     * until the port is no longer captured.
     */
    Stats stop() throws IOException, InterruptedException {
        Thread.sleep(DRAIN.toMillis());
        long cpuNs = cpuNs();
        process.destroy(); // SIGTERM to the pid: tcpdump closes its capture and prints its statistics
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            kill();
            throw new IllegalStateException("tcpdump (pid " + process.pid() + ") did not exit within 10 s of SIGTERM");
        }
        String out = output();
        Files.deleteIfExists(log);
        Stats stats = new Stats(count(CAPTURED, out), count(RECEIVED, out), count(DROPPED, out), cpuNs);
        long deadline = System.nanoTime() + NOTICED_TIMEOUT.toNanos();
        while (captured(pinRoot, port)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the fast path still shows " + port + " captured "
                        + NOTICED_TIMEOUT.toSeconds() + " s after tcpdump exited");
            }
            Thread.sleep(10);
        }
        return stats;
    }

    /** Ends tcpdump at once (an error path), by its pid. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
            Files.deleteIfExists(log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // a temporary file left behind
        }
    }

    /** CPU time of the tcpdump process so far (/proc/PID/schedstat: nanoseconds on a CPU). */
    private long cpuNs() throws IOException {
        Path proc = Path.of("/proc", Long.toString(process.pid()));
        String comm = Files.readString(proc.resolve("comm")).strip();
        if (!comm.equals("tcpdump")) throw new IllegalStateException("pid " + process.pid() + " is " + comm + ", not tcpdump");
        return Long.parseLong(Files.readString(proc.resolve("schedstat")).strip().split("\\s+")[0]);
    }

    private static boolean captured(Path pinRoot, SpecialMaps.PortKey port) {
        try (SpecialMaps m = SpecialMaps.open(pinRoot)) {
            return m.captured().contains(port);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the captured ports under " + pinRoot + ": " + e.getMessage(), e);
        }
    }

    private static long count(Pattern p, String out) {
        Matcher m = p.matcher(out);
        if (!m.find()) throw new IllegalStateException("tcpdump printed no '" + p.pattern() + "': " + out);
        return Long.parseLong(m.group(1));
    }

    private String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
