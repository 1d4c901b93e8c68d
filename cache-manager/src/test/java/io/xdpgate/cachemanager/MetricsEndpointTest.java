package io.xdpgate.cachemanager;

import io.xdpgate.daemon.MetricsServer;
import io.xdpgate.fpc.FpcRoute;
import io.xdpgate.fpc.FpcRouteType;
import io.xdpgate.netlink.RtnlEvent;
import io.xdpgate.netlink.RtnlMonitor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.xdpgate.cachemanager.KernelEvents.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The metrics endpoint on an ephemeral port, fed through the code paths the daemon uses: a monitor of
 * the current namespace (reading it needs no privilege) told to a namespace's metrics, the FPC send
 * queue and client; scraped with java.net.http.
 */
class MetricsEndpointTest {

    private static final String NS = "default";

    @Test
    void netlinkAndFpcFiguresAreServedWithPrometheusNames(@TempDir Path tmp) throws Exception {
        CacheManagerMetrics metrics = new CacheManagerMetrics();
        try (MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), "cm-metrics-http", metrics::scrape);
             FpcLoopback fpc = new FpcLoopback(tmp.resolve("fpc.sock"))) {
            assertTrue(server.address().getPort() > 0);
            metrics.watchQueue(fpc.queue);
            metrics.watchClient(fpc.client());

            // Netlink: the monitor counts through the observer, as each follower's does.
            NamespaceMetrics namespace = metrics.namespace(null);
            AtomicInteger syncEnds = new AtomicInteger();
            CountDownLatch twoDumps = new CountDownLatch(2);
            RtnlMonitor.Listener listener = new RtnlMonitor.Listener() {
                @Override
                public void onSyncBegin(long epoch) {}

                @Override
                public void onEvent(RtnlEvent event) {}

                @Override
                public void onSyncEnd(long epoch) {
                    syncEnds.incrementAndGet();
                    twoDumps.countDown();
                }
            };
            try (RtnlMonitor monitor = RtnlMonitor.start(RtnlMonitor.Options.defaults(null).withObserver(namespace), listener)) {
                while (syncEnds.get() < 1) Thread.sleep(10);
                monitor.requestResync(NamespaceFollower.LINK_DOWN);
                assertTrue(twoDumps.await(10, TimeUnit.SECONDS));
                Thread.sleep(100); // the dump's figures are recorded before onSyncEnd; let the scrape see them
                Scrape s = Scrape.of(server.address());
                long links = monitor.messagesByType().get("RTM_NEWLINK");
                assertEquals(links, s.value("xdpgate_cm_netlink_messages_total", "netns", NS, "type", "newlink"), 0.0, s.text);
                assertEquals(monitor.messagesByType().get("NLMSG_DONE"),
                        s.value("xdpgate_cm_netlink_messages_total", "netns", NS, "type", "done"), 0.0);
                assertEquals(1.0, s.value("xdpgate_cm_resyncs_total", "netns", NS, "reason", "link_down"), 0.0);
                assertEquals(2.0, s.value("xdpgate_cm_dump_duration_seconds_count", "netns", NS), 0.0);
                assertTrue(s.value("xdpgate_cm_dump_duration_seconds_sum", "netns", NS) > 0);
                assertEquals(0.0, s.value("xdpgate_cm_netlink_overruns_total", "netns", NS), 0.0);
            }

            // FPC: three routes wait in the queue, then are sent.
            for (int i = 0; i < 3; i++) {
                FpcRoute r = new FpcRoute(true, 0, 254, ip("10.9." + i + ".0"), 24, FpcRouteType.BLACKHOLE, List.of());
                metrics.queued(r);
                fpc.queue.offer(r);
            }
            Scrape queued = Scrape.of(server.address());
            assertEquals(3.0, queued.value("xdpgate_cm_fpc_queue_depth"), 0.0, queued.text);
            assertEquals(3.0, queued.value("xdpgate_cm_fpc_messages_queued_total", "type", "route_add"), 0.0);
            // Lists are formed from queued route adds when they are sent: no series that would stay 0.
            assertFalse(queued.text.contains("type=\"route_add_list\""), queued.text);
            assertEquals(0.0, queued.value("xdpgate_cm_fpc_messages_sent_total"), 0.0);
            // The latency histogram is served before the first change is synchronized (dashboards need it).
            assertEquals(0.0, queued.value("xdpgate_cm_sync_latency_seconds_count"), 0.0, queued.text);
            assertEquals(0.0, queued.value("xdpgate_cm_sync_latency_seconds_bucket", "le", "+Inf"), 0.0);
            assertEquals(0.0, queued.value("xdpgate_cm_sync_latency_dropped_total"), 0.0);
            fpc.startSending();
            assertEquals(3, fpc.appliedWhenDone().size());
            Scrape sent = Scrape.of(server.address());
            for (long deadline = System.currentTimeMillis() + 5_000; sent.value("xdpgate_cm_sync_latency_seconds_count") < 3
                    && System.currentTimeMillis() < deadline; sent = Scrape.of(server.address())) {
                Thread.sleep(10); // the queue hears of the report right after the client
            }
            assertEquals(0.0, sent.value("xdpgate_cm_fpc_queue_depth"), 0.0);
            assertEquals(3.0, sent.value("xdpgate_cm_fpc_messages_sent_total"), 0.0);
            assertEquals(3.0, sent.value("xdpgate_cm_sync_latency_seconds_count"), 0.0, sent.text);
            assertEquals(3.0, sent.value("xdpgate_cm_sync_latency_seconds_bucket", "le", "+Inf"), 0.0);
            double latencySum = sent.value("xdpgate_cm_sync_latency_seconds_sum");
            assertTrue(latencySum > 0 && latencySum < 30, "3 changes synchronized in " + latencySum + " s");

            // A namespace that is gone leaves no series.
            namespace.close();
            Scrape after = Scrape.of(server.address());
            assertFalse(after.text.contains("netns=\"" + NS + "\""), after.text);
            assertTrue(after.has("xdpgate_cm_fpc_messages_sent_total"));
        }
    }

    @Test
    void onlyGetAndHeadOfMetricsAreServed() throws Exception {
        try (MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), "cm-metrics-http", () -> "x 1.0\n")) {
            String base = "http://127.0.0.1:" + server.address().getPort();
            assertEquals(404, Scrape.get(base + "/", "GET").statusCode());
            assertEquals(404, Scrape.get(base + "/metricsx", "GET").statusCode());
            assertEquals(405, Scrape.get(base + "/metrics", "POST").statusCode());
            assertEquals(200, Scrape.get(base + "/metrics", "HEAD").statusCode());
            assertEquals("x 1.0\n", Scrape.get(base + "/metrics", "GET").body());
        }
    }

    @Test
    void messageTypesAreTaggedByTheirShortName() {
        assertEquals("newroute", NamespaceMetrics.typeTag("RTM_NEWROUTE"));
        assertEquals("delnexthop", NamespaceMetrics.typeTag("RTM_DELNEXTHOP"));
        assertEquals("done", NamespaceMetrics.typeTag("NLMSG_DONE"));
        assertEquals("other", NamespaceMetrics.typeTag("type 104"));
    }
}
