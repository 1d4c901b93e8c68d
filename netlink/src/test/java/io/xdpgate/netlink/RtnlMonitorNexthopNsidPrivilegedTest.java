package io.xdpgate.netlink;

import static io.xdpgate.netlink.Rtnl.*;
import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nexthop objects, namespace ids, requested resyncs and recordings against a real kernel (needs root). */
class RtnlMonitorNexthopNsidPrivilegedTest {
    private TestNamespace ns;
    private TestNamespace peer;
    private RtnlMonitor monitor;
    @TempDir
    Path dir;

    @BeforeEach
    void createNamespace() throws Exception {
        Privileged.requireRoot();
        ns = new TestNamespace();
        ns.ip("link", "set", "lo", "up");
        ns.ip("link", "add", "xgva", "type", "veth", "peer", "name", "xgvb");
        ns.ip("link", "set", "xgva", "up");
        ns.ip("link", "set", "xgvb", "up");
        ns.ip("addr", "add", "10.8.0.1/24", "dev", "xgva");
        ns.ip("nexthop", "add", "id", "1", "via", "10.8.0.2", "dev", "xgva");
    }

    @AfterEach
    void cleanUp() throws Exception {
        try {
            if (monitor != null) {
                monitor.close();
            }
        } finally {
            try {
                if (peer != null) {
                    peer.close();
                }
            } finally {
                if (ns != null) {
                    ns.close();
                }
            }
        }
    }

    private Recorder start(RtnlMonitor.Options options) throws Exception {
        Recorder r = new Recorder(true);
        monitor = RtnlMonitor.start(options, r);
        r.awaitSyncEnds(1, 10_000);
        return r;
    }

    private static NexthopObject nexthop(Recorder r, int id) {
        return r.objects(NexthopObject.class).stream().map(NexthopObject.class::cast).filter(n -> n.id() == id)
                .findFirst().orElse(null);
    }

    @Test
    void nexthopObjectsAreDumpedThenFollowedLive() throws Exception {
        Recorder r = start(RtnlMonitor.Options.defaults(ns.name));
        int xgva = r.objects(Link.class).stream().map(Link.class::cast).filter(l -> "xgva".equals(l.name()))
                .findFirst().orElseThrow().ifindex();
        assertEquals(new NexthopObject(1, AF_INET, xgva, InetAddress.getByName("10.8.0.2"), false, List.of(),
                RTPROT_UNSPEC, 0), nexthop(r, 1));

        long before = System.nanoTime();
        ns.ip("nexthop", "add", "id", "2", "via", "10.8.0.3", "dev", "xgva");
        ns.ip("nexthop", "add", "id", "10", "group", "1,3/2,5");
        ns.ip("route", "add", "10.20.0.0/16", "nhid", "10");
        Recorder.Timed group = r.await(e -> !e.deleted() && e.object() instanceof NexthopObject n && n.id() == 10,
                before, 2_000);
        assertEquals(List.of(new NexthopGroupMember(1, 3), new NexthopGroupMember(2, 5)),
                ((NexthopObject) group.event().object()).group());
        Recorder.Timed route = r.await(e -> e.object() instanceof Route rt && rt.nhId() == 10, before, 2_000);
        assertEquals(2, ((Route) route.event().object()).multipath().size(), "the kernel expands the group too");

        ns.ip("route", "del", "10.20.0.0/16");
        ns.ip("nexthop", "del", "id", "10");
        r.await(e -> e.deleted() && e.object() instanceof NexthopObject n && n.id() == 10, before, 2_000);
        assertEquals(0, monitor.messagesByType().getOrDefault("type 104", 0L), "RTM_NEWNEXTHOP is known");
    }

    @Test
    void namespaceIdsAreDumpedThenFollowedAndLinksNameTheirPeersNamespace() throws Exception {
        peer = new TestNamespace();
        ns.ip("link", "add", "xgve", "type", "veth", "peer", "name", "xgvf", "netns", peer.name);
        Recorder r = start(RtnlMonitor.Options.defaults(ns.name));

        List<RtnlObject> ids = r.objects(NetnsId.class);
        assertEquals(1, ids.size(), "the peer's id is dumped: " + ids);
        int nsid = ((NetnsId) ids.get(0)).nsid();
        Link xgve = r.objects(Link.class).stream().map(Link.class::cast).filter(l -> "xgve".equals(l.name()))
                .findFirst().orElseThrow();
        assertEquals(nsid, xgve.linkNetnsid());
        assertTrue(xgve.link() > 0);

        long before = System.nanoTime();
        peer.close();
        peer = null;
        r.await(e -> e.deleted() && e.object() instanceof NetnsId id && id.nsid() == nsid, before, 10_000);
        r.await(e -> e.deleted() && e.object() instanceof Link l && "xgve".equals(l.name()), before, 10_000);
    }

    @Test
    void requestedResyncsCoalesceIntoANewEpochAndAreMeasured() throws Exception {
        // Epoch 2 is held at its start (the listener runs on the monitor's turn) while four more requests
        // are made: they must make one epoch more, not four. Without the hold the requests raced the
        // epochs, and a busy machine let some epochs end between two requests.
        CountDownLatch secondBegun = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Recorder r = new Recorder(true) {
            @Override
            public void onSyncBegin(long epoch) {
                if (secondBegun.getCount() > 0 && syncEnds() == 1) {
                    secondBegun.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                super.onSyncBegin(epoch);
            }
        };
        monitor = RtnlMonitor.start(RtnlMonitor.Options.defaults(ns.name), r);
        r.awaitSyncEnds(1, 10_000);
        assertEquals(1, monitor.dumps());
        long first = monitor.totalDumpMillis();

        monitor.requestResync();
        assertTrue(secondBegun.await(5, TimeUnit.SECONDS), "the requested epoch began");
        for (int i = 0; i < 4; i++) {
            monitor.requestResync();
        }
        release.countDown();
        r.awaitSyncEnds(3, 5_000);
        Thread.sleep(600); // no epoch may follow
        long ends = r.syncEnds();
        assertEquals(3, ends, ends + " epochs: the first, the requested one, and one for the four made during it");
        assertEquals(ends, monitor.dumps());
        assertEquals(ends - 1, monitor.resyncs());
        assertTrue(monitor.totalDumpMillis() >= first + monitor.lastDumpMillis() - 1);
        assertNotNull(nexthop(r, 1), "the sweep kept what the new epoch re-announced");
        assertEquals(0, monitor.overruns());
    }

    /** Listener calls as values: "begin N", RtnlEvent, "end N". */
    static class Calls implements RtnlMonitor.Listener {
        final List<Object> calls = new ArrayList<>();

        @Override
        public synchronized void onSyncBegin(long epoch) {
            calls.add("begin " + epoch);
        }

        @Override
        public synchronized void onEvent(RtnlEvent event) {
            calls.add(event);
        }

        @Override
        public synchronized void onSyncEnd(long epoch) {
            calls.add("end " + epoch);
        }

        synchronized List<Object> snapshot() {
            return List.copyOf(calls);
        }

        synchronized long count(String prefix) {
            return calls.stream().filter(c -> c instanceof String s && s.startsWith(prefix)).count();
        }
    }

    @Test
    void recordedSessionReplaysToTheSameListenerCalls() throws Exception {
        Path file = dir.resolve("session.xgnl");
        AtomicReference<RtnlMonitor> self = new AtomicReference<>();
        Calls live = new Calls() {
            @Override
            public void onEvent(RtnlEvent event) {
                RtnlMonitor m = self.get();
                // Slow while the route burst runs, until the 4 KiB multicast buffer has overrun once.
                if (m != null && m.overruns() == 0 && event.object() instanceof Route rt && rt.dstLength() == 32) {
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                super.onEvent(event);
            }
        };
        monitor = RtnlMonitor.start(new RtnlMonitor.Options(ns.name, 4096, true).withRecording(file), live);
        self.set(monitor);
        awaitEnds(live, 1);

        ns.ip("link", "add", "xgvx", "type", "vxlan", "id", "42", "local", "10.8.0.1", "dstport", "4789", "dev", "xgva");
        ns.ip("addr", "add", "10.8.1.1/24", "dev", "xgva");
        ns.ip("-6", "addr", "add", "2001:db8:8::1/64", "dev", "xgva", "nodad");
        ns.ip("neigh", "add", "10.8.0.3", "lladdr", "02:00:5e:00:00:03", "dev", "xgva", "nud", "permanent");
        ns.ip("nexthop", "add", "id", "2", "via", "10.8.0.3", "dev", "xgva");
        ns.ip("nexthop", "add", "id", "10", "group", "1/2,4");
        ns.ip("route", "add", "10.20.0.0/16", "nhid", "10");
        ns.ip("route", "add", "10.9.0.0/16", "via", "10.8.0.2", "metric", "20", "table", "1000");
        ns.ip("rule", "add", "from", "10.8.0.0/24", "table", "1000", "pref", "1000");
        monitor.requestResync();
        awaitEnds(live, 2);
        List<String> burst = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            burst.add("route add 172.16." + (i >> 8) + "." + (i & 0xff) + "/32 via 10.8.0.2");
        }
        ns.batch(burst);
        long deadline = System.currentTimeMillis() + 20_000;
        while (!(monitor.overruns() >= 1 && live.count("end") == live.count("begin") && quiet(live, 300))) {
            assertTrue(System.currentTimeMillis() < deadline, "no overrun and quiet end; overruns "
                    + monitor.overruns() + ", epochs " + live.count("begin"));
        }
        // Live deletions after the resync (during the overrun they could have been lost, and only swept).
        ns.ip("nexthop", "del", "id", "10");
        ns.ip("rule", "del", "pref", "1000");
        ns.ip("link", "del", "xgvx");
        while (!(live.snapshot().stream().anyMatch(c -> c instanceof RtnlEvent e && e.deleted()
                && e.object() instanceof Link l && "xgvx".equals(l.name())) && quiet(live, 200))) {
            assertTrue(System.currentTimeMillis() < deadline, "no deletion of xgvx");
        }
        monitor.close();
        List<Object> liveCalls = live.snapshot();

        Calls replayed = new Calls();
        RtnlReplay.replay(file, replayed);

        assertEquals(liveCalls.size(), replayed.calls.size());
        assertEquals(liveCalls, replayed.calls);
        assertTrue(live.count("begin") >= 3, "initial, requested and overrun epochs: " + live.count("begin"));
        assertTrue(liveCalls.stream().anyMatch(c -> c instanceof RtnlEvent e && e.deleted()
                && e.object() instanceof NexthopObject n && n.id() == 10));
        assertTrue(liveCalls.stream().anyMatch(c -> c instanceof RtnlEvent e
                && e.object() instanceof Link l && l.vxlan() != null && l.vxlan().vni() == 42));
        assertTrue(liveCalls.stream().filter(c -> c instanceof RtnlEvent e && !e.deleted()
                && e.object() instanceof Rule r && r.priority() == 1000).count() >= 2, "dumped in the resyncs");
        assertTrue(liveCalls.stream().anyMatch(c -> c instanceof RtnlEvent e && e.deleted()
                && e.object() instanceof Rule r && r.priority() == 1000), "deleted live");
        assertTrue(Files.size(file) > 8);
        assertEquals(0, monitor.recordingErrors());
    }

    private static void awaitEnds(Calls calls, long n) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (calls.count("end") < n) {
            assertTrue(System.currentTimeMillis() < deadline, "no onSyncEnd #" + n);
            Thread.sleep(10);
        }
    }

    /** True once {@code calls} has not grown for {@code millis}. */
    private static boolean quiet(Calls calls, long millis) throws InterruptedException {
        int size = calls.snapshot().size();
        Thread.sleep(millis);
        return calls.snapshot().size() == size;
    }
}
