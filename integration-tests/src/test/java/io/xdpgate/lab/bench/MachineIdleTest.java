package io.xdpgate.lab.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cold start's wait for a quiet machine: it waits while the CPUs are busy, and not for ever. */
class MachineIdleTest {

    @Test
    void cpuTimesGrowAndIdleIsPartOfTheTotal() throws Exception {
        long[] a = MachineIdle.cpuTimes();
        Thread.sleep(50);
        long[] b = MachineIdle.cpuTimes();
        assertTrue(a[1] <= a[0] && b[1] <= b[0], "idle within the total");
        assertTrue(b[0] >= a[0] && b[1] >= a[1], "counters only grow");
    }

    @Test
    void waitsWhileEveryCpuIsBusyThenReturnsOnceTheyAreIdle() throws Exception {
        long busyUntil = System.nanoTime() + 700_000_000L;
        List<Thread> spinners = new ArrayList<>();
        for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
            Thread t = new Thread(() -> {
                long x = 0;
                while (System.nanoTime() < busyUntil) x += System.identityHashCode(this);
                if (x == 42) System.out.print("");
            });
            t.start();
            spinners.add(t);
        }
        double waited = MachineIdle.await(Duration.ofSeconds(15));
        for (Thread t : spinners) t.join();
        assertTrue(waited >= 0.6, "busy CPUs are not idle: waited " + waited + " s");
        assertTrue(waited < 15, "idle once the spinners stopped: waited " + waited + " s");
    }
}
