package io.xdpgate.netlink;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The observer sees what the monitor counts, in the current namespace (no privileges needed). */
class RtnlMonitorObserverTest {

    /** Records every call. */
    static class Calls implements RtnlMonitorObserver {
        final Map<Integer, AtomicLong> messages = new ConcurrentHashMap<>();
        final List<String> resyncs = new ArrayList<>();
        final List<Long> dumps = new ArrayList<>();

        @Override
        public void messageReceived(int type) {
            messages.computeIfAbsent(type, t -> new AtomicLong()).incrementAndGet();
        }

        @Override
        public synchronized void resyncStarted(String reason) {
            resyncs.add(reason);
        }

        @Override
        public synchronized void dumpCompleted(long nanos) {
            dumps.add(nanos);
        }

        synchronized int dumps() {
            return dumps.size();
        }
    }

    private static void awaitDumps(Calls calls, int n) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (calls.dumps() < n) {
            assertTrue(System.currentTimeMillis() < deadline, "no dump #" + n);
            Thread.sleep(10);
        }
    }

    /** Waits until the observer has been told of a resync for {@code reason}; returns its index. */
    private static int awaitResync(Calls calls, String reason) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            synchronized (calls) {
                int i = calls.resyncs.lastIndexOf(reason);
                if (i >= 0) {
                    return i;
                }
            }
            assertTrue(System.currentTimeMillis() < deadline, "no resync for " + reason);
            Thread.sleep(10);
        }
    }

    @Test
    void messagesResyncsAndDumpsAreObservedAsTheMonitorCountsThem() throws Exception {
        Calls calls = new Calls();
        Recorder r = new Recorder(false);
        try (RtnlMonitor monitor = RtnlMonitor.start(RtnlMonitor.Options.defaults(null).withObserver(calls), r)) {
            r.awaitSyncEnds(1, 10_000);
            awaitDumps(calls, 1);
            assertTrue(calls.messages.get(Rtnl.RTM_NEWLINK).get() > 0, "the dump's links");
            assertEquals(monitor.messagesByType().get("NLMSG_DONE"), calls.messages.get(Rtnl.NLMSG_DONE).get());
            synchronized (calls) {
                assertEquals(List.of(), calls.resyncs, "the first dump is no resync");
                assertTrue(calls.dumps.get(0) > 0);
            }

            monitor.requestResync("link_down");
            monitor.requestResync("nexthop_change"); // coalesces: the first cause is the one reported
            r.awaitSyncEnds(2, 10_000);
            awaitDumps(calls, 2);
            Thread.sleep(300);
            synchronized (calls) {
                assertEquals("link_down", calls.resyncs.get(0));
                assertEquals(monitor.resyncs(), calls.resyncs.size());
            }
            monitor.requestResync();
            // The resync may be over before this thread reads any count again: find it by its reason,
            // then wait for its own dump (resync i is epoch i + 2, the first epoch being no resync).
            int requested = awaitResync(calls, "requested");
            awaitDumps(calls, requested + 2);
        }
    }

    @Test
    void aThrowingObserverNeverDisturbsTheMonitor() throws Exception {
        RtnlMonitorObserver broken = new RtnlMonitorObserver() {
            @Override
            public void messageReceived(int type) {
                throw new IllegalStateException("metrics bug");
            }

            @Override
            public void dumpCompleted(long nanos) {
                throw new IllegalStateException("metrics bug");
            }
        };
        Recorder r = new Recorder(false);
        try (RtnlMonitor monitor = RtnlMonitor.start(RtnlMonitor.Options.defaults(null).withObserver(broken), r)) {
            r.awaitSyncEnds(1, 10_000);
            assertTrue(r.count("link") > 0);
            assertEquals(0, monitor.errors());
            assertTrue(monitor.messages() > 0);
        }
    }
}
