package io.xdpgate.netlink;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Monitor lifecycle in the current namespace: reading rtnetlink there needs no privileges. */
class RtnlMonitorTest {

    @Test
    void closeIsQuickIdempotentAndStopsTheThread() throws Exception {
        Recorder r = new Recorder(false);
        RtnlMonitor monitor = RtnlMonitor.start(RtnlMonitor.Options.defaults(null), r);
        r.awaitSyncEnds(1, 10_000);
        assertTrue(monitor.messages() > 0);
        assertTrue(monitor.messagesByType().containsKey("NLMSG_DONE"));

        long start = System.nanoTime();
        monitor.close();
        long millis = (System.nanoTime() - start) / 1_000_000;
        monitor.close();

        assertTrue(millis < 1_000, "close took " + millis + " ms");
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("rtnl-current")
                && t.isAlive()), "monitor thread gone");
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
