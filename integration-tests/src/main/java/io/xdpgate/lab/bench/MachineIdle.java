package io.xdpgate.lab.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Waits until the machine is idle, read from /proc/stat: for a benchmark that must not measure what the
 * previous step left running. Stopping the daemons and removing their pins hands the kernel the freeing
 * of a full table's maps (a worker thread's few tenths of a second), which a cold start begun at once
 * would share the CPUs with.
 */
final class MachineIdle {
    /** A window counts as idle when at least this share of all CPUs' time was idle. */
    static final double IDLE_SHARE = 0.9;
    private static final long WINDOW_MILLIS = 100;
    /** Idle windows in a row that make the machine idle. */
    private static final int WINDOWS = 3;
    private static final Path STAT = Path.of("/proc/stat");

    private MachineIdle() {}

    /** Waits until the machine is idle or {@code limit} passed; returns how long it waited, in seconds. */
    static double await(Duration limit) throws IOException, InterruptedException {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        long[] before = cpuTimes();
        int idleWindows = 0;
        while (idleWindows < WINDOWS && System.nanoTime() < deadline) {
            Thread.sleep(WINDOW_MILLIS);
            long[] now = cpuTimes();
            long total = now[0] - before[0];
            long idle = now[1] - before[1];
            idleWindows = total > 0 && idle >= IDLE_SHARE * total ? idleWindows + 1 : 0;
            before = now;
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** {total, idle} jiffies of all CPUs: the first line of /proc/stat, idle being idle plus iowait. */
    static long[] cpuTimes() throws IOException {
        String first = Files.readAllLines(STAT).get(0);
        String[] f = first.trim().split("\\s+");
        if (!f[0].equals("cpu") || f.length < 6) throw new IOException("unexpected first line of /proc/stat: " + first);
        long total = 0;
        for (int i = 1; i < Math.min(f.length, 9); i++) total += Long.parseLong(f[i]); // user .. steal
        return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
    }
}
