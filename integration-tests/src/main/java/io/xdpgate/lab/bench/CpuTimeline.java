package io.xdpgate.lab.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CPU time of the daemons' threads, interval by interval (about 100 ms): which thread the pipeline
 * waited for at each moment of a cold start, and when the CPUs were idle. Printed with
 * {@code -Dxdpgate.bench.trace=true}; each row gives every thread's share of a CPU in that interval, in
 * percent (ticks of 10 ms: coarse), and the idle share of all CPUs.
 */
final class CpuTimeline {
    static final long INTERVAL_NANOS = 100_000_000L;

    private final Map<String, Long> pids = new LinkedHashMap<>();
    private final long start;
    private long last;
    private Map<String, Double> first; // each thread's CPU seconds at the first sample
    private Map<String, Double> previous;
    private long[] previousMachine;
    private final List<String> columns = new ArrayList<>();
    private final List<double[]> rows = new ArrayList<>();

    /** @param daemons a short name per daemon ("cm", "fpm") and its process id */
    CpuTimeline(Map<String, Long> daemons, long startNanos) {
        pids.putAll(daemons);
        start = startNanos;
    }

    /** Takes a sample if an interval passed since the last one. */
    void sample(long nowNanos) throws IOException {
        if (previous != null && nowNanos - last < INTERVAL_NANOS) return;
        Map<String, Double> now = new LinkedHashMap<>();
        for (Map.Entry<String, Long> d : pids.entrySet()) {
            ThreadCpu.byName(d.getValue()).forEach((thread, s) -> now.put(d.getKey() + ":" + thread, s));
        }
        long[] machine = MachineIdle.cpuTimes();
        if (previous != null) {
            double seconds = (nowNanos - last) / 1e9;
            for (String k : now.keySet()) if (!columns.contains(k)) columns.add(k);
            double[] row = new double[columns.size() + 2];
            row[0] = (nowNanos - start) / 1e9;
            for (int i = 0; i < columns.size(); i++) {
                String k = columns.get(i);
                row[i + 2] = 100 * (now.getOrDefault(k, 0.0) - previous.getOrDefault(k, 0.0)) / seconds;
            }
            long total = machine[0] - previousMachine[0];
            row[1] = total > 0 ? 100.0 * (machine[1] - previousMachine[1]) / total : 0;
            rows.add(row);
        }
        if (first == null) first = now;
        previous = now;
        previousMachine = machine;
        last = nowNanos;
    }

    /** The threads that used at least {@code minSeconds} in all, one column each, then a row per interval. */
    void print(PrintStream out, double minSeconds) {
        if (first == null) return; // never sampled
        List<Integer> shown = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            String k = columns.get(i);
            if (previous.getOrDefault(k, 0.0) - first.getOrDefault(k, 0.0) >= minSeconds) shown.add(i);
        }
        StringBuilder head = new StringBuilder("timeline     s  idle%");
        for (int i : shown) head.append(String.format(" %16.16s", columns.get(i)));
        out.println(head);
        for (double[] r : rows) {
            StringBuilder b = new StringBuilder(String.format("timeline %5.2f %6.0f", r[0], r[1]));
            for (int i : shown) b.append(String.format(" %16.0f", i + 2 < r.length ? r[i + 2] : 0));
            out.println(b);
        }
    }
}
