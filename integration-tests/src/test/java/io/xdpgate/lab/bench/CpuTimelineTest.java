package io.xdpgate.lab.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-interval CPU of a process's threads: a busy thread shows as one, near a CPU's worth. */
class CpuTimelineTest {

    @Test
    void aSpinningThreadShowsInEveryIntervalItSpun() throws Exception {
        long pid = ProcessHandle.current().pid();
        long start = System.nanoTime();
        CpuTimeline timeline = new CpuTimeline(Map.of("me", pid), start);
        long until = start + 650_000_000L;
        Thread spinner = new Thread(() -> {
            long x = 0;
            while (System.nanoTime() < until) x += System.identityHashCode(this);
            if (x == 42) System.out.print("");
        }, "xg-spinner");
        spinner.start();
        while (System.nanoTime() < until) {
            timeline.sample(System.nanoTime());
            Thread.sleep(5);
        }
        spinner.join();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        timeline.print(new PrintStream(out, true, StandardCharsets.UTF_8), 0.1);
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertTrue(lines[0].contains("me:xg-spinner"), lines[0]);
        assertTrue(lines.length >= 5, "an interval of about 100 ms: " + lines.length + " lines");
        String[] head = lines[0].trim().split("\\s+");
        int column = java.util.Arrays.asList(head).indexOf("me:xg-spinner");
        int busy = 0;
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].trim().split("\\s+");
            if (Double.parseDouble(f[column]) >= 50) busy++;
        }
        assertTrue(busy >= lines.length / 2, "the spinner used most of a CPU in most intervals:\n" + out);
    }
}
