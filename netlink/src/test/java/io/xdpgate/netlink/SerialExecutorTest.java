package io.xdpgate.netlink;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One task at a time, in order, on a shared pool; shutdown waits for the running task only. */
class SerialExecutorTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    @Test
    void tasksRunOneAtATimeInOrderAndSeeEachOthersWrites() throws Exception {
        SerialExecutor serial = new SerialExecutor(pool, "test");
        List<Integer> seen = new ArrayList<>(); // plain list: the executor's ordering must make this safe
        AtomicInteger running = new AtomicInteger();
        AtomicBoolean overlapped = new AtomicBoolean();
        int n = 10_000;
        CountDownLatch done = new CountDownLatch(1);
        for (int i = 0; i < n; i++) {
            int value = i;
            serial.execute(() -> {
                if (running.incrementAndGet() != 1) {
                    overlapped.set(true);
                }
                seen.add(value);
                running.decrementAndGet();
                if (value == n - 1) {
                    done.countDown();
                }
            });
        }
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertFalse(overlapped.get());
        assertEquals(n, seen.size());
        for (int i = 0; i < n; i++) {
            assertEquals(i, seen.get(i));
        }
    }

    @Test
    void twoExecutorsOnOnePoolRunInParallel() throws Exception {
        SerialExecutor a = new SerialExecutor(pool, "a");
        SerialExecutor b = new SerialExecutor(pool, "b");
        CountDownLatch both = new CountDownLatch(2);
        Runnable meet = () -> {
            both.countDown();
            try {
                both.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        a.execute(meet);
        b.execute(meet);
        assertTrue(both.await(5, TimeUnit.SECONDS), "a busy executor must not hold up another one");
    }

    @Test
    void shutdownWaitsForTheRunningTaskAndDropsTheQueuedOnes() throws Exception {
        SerialExecutor serial = new SerialExecutor(pool, "test");
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        AtomicBoolean laterRan = new AtomicBoolean();
        serial.execute(() -> {
            started.countDown();
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            finished.set(true);
        });
        serial.execute(() -> laterRan.set(true));
        assertTrue(started.await(5, TimeUnit.SECONDS));
        serial.shutdownAndAwait();
        assertTrue(finished.get(), "returned while a task was running");
        serial.execute(() -> laterRan.set(true));
        Thread.sleep(100);
        assertFalse(laterRan.get());
    }

    @Test
    void aTaskMayShutItsOwnExecutorDown() throws Exception {
        SerialExecutor serial = new SerialExecutor(pool, "test");
        CountDownLatch done = new CountDownLatch(1);
        serial.execute(() -> {
            assertTrue(serial.inTask());
            serial.shutdownAndAwait(); // must not wait for itself
            done.countDown();
        });
        assertTrue(done.await(5, TimeUnit.SECONDS));
        assertFalse(serial.inTask());
    }

    @Test
    void aThrowingTaskDoesNotStopTheNextOnes() throws Exception {
        SerialExecutor serial = new SerialExecutor(pool, "test");
        CountDownLatch next = new CountDownLatch(1);
        serial.execute(() -> {
            throw new IllegalStateException("task bug (expected by the test)");
        });
        serial.execute(next::countDown);
        assertTrue(next.await(5, TimeUnit.SECONDS));
    }
}
