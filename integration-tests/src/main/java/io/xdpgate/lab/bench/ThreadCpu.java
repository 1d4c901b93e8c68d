package io.xdpgate.lab.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of a process and of each of its threads, from /proc (utime + stime of
 * /proc/PID/task/TID/stat, in clock ticks of 1/100 s): where a daemon spent its time.
 */
final class ThreadCpu {

    private static final double TICK_SECONDS = 0.01;

    private record Thread(String name, double seconds) {}

    private ThreadCpu() {}

    /** CPU seconds the process has used so far, all threads included. */
    static double total(long pid) throws IOException {
        return threads(pid).stream().mapToDouble(Thread::seconds).sum();
    }

    /** Prints the process's busiest threads to standard error. */
    static void print(String name, long pid) throws IOException {
        List<Thread> threads = threads(pid);
        threads.sort((a, b) -> Double.compare(b.seconds(), a.seconds()));
        System.err.printf("cpu %s (pid %d): %.2f s%n", name, pid, threads.stream().mapToDouble(Thread::seconds).sum());
        for (Thread t : threads.subList(0, Math.min(8, threads.size()))) {
            System.err.printf("cpu   %-24s %.2f s%n", t.name(), t.seconds());
        }
    }

    /** CPU seconds of each thread name (threads of one name summed), in the order /proc lists them. */
    static Map<String, Double> byName(long pid) throws IOException {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Thread t : threads(pid)) out.merge(t.name(), t.seconds(), Double::sum);
        return out;
    }

    private static List<Thread> threads(long pid) throws IOException {
        List<Thread> out = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended meanwhile
                }
                // pid (comm) state ... : comm may hold spaces and parentheses, so split after the last ')'.
                int close = stat.lastIndexOf(')');
                String comm = stat.substring(stat.indexOf('(') + 1, close);
                String[] f = stat.substring(close + 2).split(" ");
                // After "(comm) ": state is field 0, utime field 11, stime field 12.
                out.add(new Thread(comm, (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_SECONDS));
            }
        }
        return out;
    }
}
