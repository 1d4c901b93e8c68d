package io.xdpgate.netlink;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Monitor lifecycle in the current namespace: reading rtnetlink there needs no privileges. */
class RtnlMonitorTest {

    @Test
    void closeIsQuickIdempotentAndNothingIsCalledAfterIt() throws Exception {
        AtomicLong callsAfterClose = new AtomicLong();
        AtomicBoolean closed = new AtomicBoolean();
        Recorder r = new Recorder(false) {
            @Override
            public void onSyncBegin(long epoch) {
                if (closed.get()) {
                    callsAfterClose.incrementAndGet();
                }
                super.onSyncBegin(epoch);
            }
        };
        RtnlMonitor monitor = RtnlMonitor.start(RtnlMonitor.Options.defaults(null), r);
        r.awaitSyncEnds(1, 10_000);
        assertTrue(monitor.messages() > 0);
        assertTrue(monitor.messagesByType().containsKey("NLMSG_DONE"));

        long start = System.nanoTime();
        monitor.close();
        closed.set(true);
        long millis = (System.nanoTime() - start) / 1_000_000;
        monitor.close();
        monitor.requestResync("after close");
        Thread.sleep(300);

        assertTrue(millis < 1_000, "close took " + millis + " ms");
        assertEquals(0, callsAfterClose.get(), "no listener call after close");
        assertEquals(1, r.syncEnds());
    }

    @Test
    void closeWaitsForTheListenerCallInProgress() throws Exception {
        CountDownLatch inCall = new CountDownLatch(1);
        AtomicBoolean callReturned = new AtomicBoolean();
        Recorder r = new Recorder(false) {
            @Override
            public void onSyncBegin(long epoch) {
                if (epoch == 2) {
                    inCall.countDown();
                    sleep(300);
                    callReturned.set(true);
                }
                super.onSyncBegin(epoch);
            }
        };
        RtnlMonitor monitor = RtnlMonitor.start(RtnlMonitor.Options.defaults(null), r);
        r.awaitSyncEnds(1, 10_000);
        monitor.requestResync("test");
        assertTrue(inCall.await(10, TimeUnit.SECONDS));
        monitor.close();
        assertTrue(callReturned.get(), "close returned while the listener was still being called");
        assertEquals(1, r.syncEnds(), "the interrupted epoch is not completed after close");
    }

    @Test
    void aListenerMayCloseItsOwnMonitor() throws Exception {
        CountDownLatch closedByListener = new CountDownLatch(1);
        AtomicLong callsAfterClose = new AtomicLong();
        RtnlMonitor[] self = new RtnlMonitor[1];
        CountDownLatch started = new CountDownLatch(1);
        RtnlMonitor.Listener listener = new RtnlMonitor.Listener() {
            private boolean closed;

            @Override
            public void onSyncBegin(long epoch) {
                if (closed) {
                    callsAfterClose.incrementAndGet();
                }
            }

            @Override
            public void onEvent(RtnlEvent event) {
                if (closed) {
                    callsAfterClose.incrementAndGet();
                    return;
                }
                awaitQuietly(started);
                self[0].close(); // from the monitor's own call: must neither deadlock nor wait for itself
                closed = true;
                closedByListener.countDown();
            }

            @Override
            public void onSyncEnd(long epoch) {
                if (closed) {
                    callsAfterClose.incrementAndGet();
                }
            }
        };
        self[0] = RtnlMonitor.start(RtnlMonitor.Options.defaults(null), listener);
        started.countDown();
        assertTrue(closedByListener.await(10, TimeUnit.SECONDS));
        self[0].requestResync();
        Thread.sleep(300);
        self[0].close();
        assertEquals(0, callsAfterClose.get());
    }

    /**
     * Monitors share a few threads, yet each one's listener is called one call at a time, in order: one
     * epoch's begin, events and end never interleave with another call of the same listener.
     */
    @Test
    void eachListenerIsCalledOneAtATimeWhileMonitorsShareThreads() throws Exception {
        int count = 8;
        List<RtnlMonitor> monitors = new ArrayList<>();
        List<SerialChecker> checkers = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                SerialChecker c = new SerialChecker();
                checkers.add(c);
                monitors.add(RtnlMonitor.start(RtnlMonitor.Options.defaults(null), c));
            }
            for (int round = 0; round < 5; round++) {
                monitors.forEach(RtnlMonitor::requestResync);
                Thread.sleep(20);
            }
            long deadline = System.currentTimeMillis() + 10_000;
            for (int i = 0; i < count; i++) {
                while (monitors.get(i).resyncs() < 1 || checkers.get(i).ends.get() < monitors.get(i).dumps()) {
                    assertTrue(System.currentTimeMillis() < deadline, "monitor " + i + " did not resync");
                    Thread.sleep(10);
                }
            }
        } finally {
            monitors.forEach(RtnlMonitor::close);
        }
        Set<String> threads = new HashSet<>();
        for (SerialChecker c : checkers) {
            assertEquals(List.of(), c.violations, "calls overlapped or came out of order");
            threads.addAll(c.threads);
        }
        assertTrue(threads.stream().allMatch(t -> t.startsWith("rtnl-worker-")), threads.toString());
        assertTrue(threads.size() <= MonitorThreads.WORKERS, threads.toString());
    }

    /** Fails (records a violation) when two calls overlap or an epoch's calls come out of order. */
    static final class SerialChecker implements RtnlMonitor.Listener {
        final AtomicInteger inCall = new AtomicInteger();
        final AtomicLong ends = new AtomicLong();
        final List<String> violations = new CopyOnWriteArrayList<>();
        final Set<String> threads = ConcurrentHashMap.newKeySet();
        /** Plain fields: only ever touched by the listener's own calls, which the monitor orders. */
        private long epoch;
        private boolean inDump;

        private void enter() {
            threads.add(Thread.currentThread().getName());
            if (inCall.incrementAndGet() != 1) {
                violations.add("overlapping calls");
            }
        }

        private void exit() {
            Thread.yield(); // widen the window for an overlapping call
            inCall.decrementAndGet();
        }

        @Override
        public void onSyncBegin(long e) {
            enter();
            if (inDump || e != epoch + 1) {
                violations.add("begin " + e + " after " + epoch + (inDump ? " inside a dump" : ""));
            }
            epoch = e;
            inDump = true;
            exit();
        }

        @Override
        public void onEvent(RtnlEvent event) {
            enter();
            exit();
        }

        @Override
        public void onSyncEnd(long e) {
            enter();
            if (!inDump || e != epoch) {
                violations.add("end " + e + " in epoch " + epoch);
            }
            inDump = false;
            ends.incrementAndGet();
            exit();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void throwingListenerDoesNotKillTheMonitor() throws Exception {
        AtomicLong calls = new AtomicLong();
        Recorder r = new Recorder(false) {
            @Override
            public void onEvent(RtnlEvent event) {
                calls.incrementAndGet();
                throw new IllegalStateException("consumer bug");
            }
        };
        try (RtnlMonitor monitor = RtnlMonitor.start(RtnlMonitor.Options.defaults(null), r)) {
            r.awaitSyncEnds(1, 10_000);
            assertTrue(calls.get() > 0);
            assertEquals(calls.get(), monitor.listenerErrors());
            assertEquals(0, monitor.errors());
        }
    }

    @Test
    void startInAMissingNamespaceFailsWithTheReason() {
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> RtnlMonitor.start(RtnlMonitor.Options.defaults("xgnl-missing"), new Recorder(false)));
        assertTrue(e.getMessage().contains("rtnl-xgnl-missing"), e.getMessage());
        assertTrue(e.getMessage().contains("ENOENT"), e.getMessage());
        assertEquals(2, e.errno());
    }
}
