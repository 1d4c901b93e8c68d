package io.xdpgate.lab;

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
 * tcpdump on one interface of a namespace, as an operator runs it: {@code tcpdump -i IF -Q DIR -c N
 * FILTER}. It is started, waited for until it listens, and then waited for until it has counted its
 * packets or the time is up; what it captured is read from its own summary.
 */
public final class Capture implements AutoCloseable {
    private static final Pattern CAPTURED = Pattern.compile("(\\d+) packets? captured");

    private final Process process;
    private final Path log;

    private Capture(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts tcpdump in ns on ifname for packets in direction ("in", "out" or "inout") matching
     * filter, stopping after count packets, and returns once it listens.
     */
    public static Capture start(String ns, String ifname, String direction, int count, String filter)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile("xg-tcpdump", ".log");
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, "tcpdump", "-i", ifname, "-Q", direction,
                "-n", "-c", String.valueOf(count), "-w", "/dev/null"));
        cmd.addAll(List.of(filter.split(" ")));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Capture c = new Capture(p, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!c.output().contains("listening on")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                c.close();
                throw new IllegalStateException("tcpdump did not start: " + String.join(" ", cmd) + ": " + c.output());
            }
            Thread.sleep(20);
        }
        return c;
    }

    /** Waits until tcpdump has counted its packets and exited, at most timeout; returns how many it captured. */
    public int await(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroy(); // SIGTERM: tcpdump prints its summary with what it has
            process.waitFor(5, TimeUnit.SECONDS);
        }
        Matcher m = CAPTURED.matcher(output());
        if (!m.find()) throw new IllegalStateException("no tcpdump summary: " + output());
        return Integer.parseInt(m.group(1));
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            // a temp file: nothing else to do
        }
    }
}
