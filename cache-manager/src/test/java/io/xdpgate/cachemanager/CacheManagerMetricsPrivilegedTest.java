package io.xdpgate.cachemanager;

import io.xdpgate.daemon.MetricsServer;
import io.xdpgate.fpc.FpcMessage;
import io.xdpgate.fpc.FpcSyncBegin;
import io.xdpgate.fpc.FpcSyncEnd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The daemon as run (`cache-manager --netns X --rcvbuf 4096 --metrics 127.0.0.1:0`) in front of a
 * recording FPC server: a burst of route changes overruns its netlink buffer, a link goes down, and
 * /metrics tells it all (needs root).
 */
class CacheManagerMetricsPrivilegedTest {

    private XgNamespace ns;
    private CacheManager manager;
    @TempDir
    Path tmp;

    @BeforeEach
    void setUp() throws Exception {
        Privileged.requireRoot();
        ns = new XgNamespace();
        ns.ip("link", "set", "lo", "up");
        ns.ip("link", "add", "xga", "type", "veth", "peer", "name", "xgb");
        ns.ip("link", "set", "xga", "up");
        ns.ip("link", "set", "xgb", "up");
        ns.ip("addr", "add", "10.8.0.1/24", "dev", "xga");
        // A quiet pair (no IPv6 autoconfiguration): going down, it says little enough for a 4 KiB buffer.
        ns.ip("link", "add", "xgc", "type", "veth", "peer", "name", "xgd");
        ns.ip("link", "set", "xgc", "addrgenmode", "none");
        ns.ip("link", "set", "xgd", "addrgenmode", "none");
        ns.ip("link", "set", "xgc", "up");
        ns.ip("link", "set", "xgd", "up");
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (manager != null) manager.close();
        } finally {
            if (ns != null) ns.close();
        }
    }

    private Scrape awaitScrape(Predicate<Scrape> ok, String what) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            Scrape s = Scrape.of(manager.metricsAddress());
            if (ok.test(s)) return s;
            if (System.currentTimeMillis() > deadline) fail(what + "; last scrape:\n" + s.text);
            Thread.sleep(100);
        }
    }

    @Test
    void overrunsResyncsMessagesAndSentMessagesAreServed() throws Exception {
        try (FpcLoopback fpc = new FpcLoopback(tmp.resolve("fpc.sock"))) {
            manager = CacheManager.start(CacheManagerOptions.parse(new String[] {"--netns", ns.name, "--vrf", "5",
                    "--socket", tmp.resolve("fpc.sock").toString(), "--rcvbuf", "4096", "--metrics", "127.0.0.1:0"}));
            InetSocketAddress metrics = manager.metricsAddress();
            assertTrue(metrics.getPort() > 0);
            awaitScrape(s -> s.value("xdpgate_cm_dump_duration_seconds_count", "netns", ns.name) >= 1, "no first dump");

            ns.ip("link", "set", "xgd", "down");
            awaitScrape(x -> x.value("xdpgate_cm_resyncs_total", "netns", ns.name, "reason", "link_down") == 1,
                    "no resync for the link going down");

            // A burst far beyond a 4 KiB buffer: the kernel drops changes and says so (ENOBUFS).
            int bursts = 0;
            while (Scrape.of(metrics).value("xdpgate_cm_netlink_overruns_total", "netns", ns.name) < 1) {
                assertTrue(bursts < 5, "no overrun after " + bursts + " bursts");
                List<String> lines = new ArrayList<>();
                for (int i = 0; i < 5_000; i++) lines.add("route add blackhole 172." + (16 + bursts) + "." + (i >> 8) + "." + (i & 0xff) + "/32");
                ns.batch(lines);
                bursts++;
                Thread.sleep(200);
            }
            // A resync is counted when it starts, its dump's duration when the dump ends: wait for both.
            Scrape s = awaitScrape(x -> x.value("xdpgate_cm_resyncs_total", "netns", ns.name, "reason", "overrun") >= 1
                    && x.value("xdpgate_cm_netlink_messages_total", "netns", ns.name, "type", "newroute") >= 5_000
                    && x.value("xdpgate_cm_dump_duration_seconds_count", "netns", ns.name) >= 3,
                    "no complete resync after the overrun (dumps: start, link down, overrun)");
            assertTrue(s.value("xdpgate_cm_netlink_messages_total", "netns", ns.name, "type", "newlink") >= 5, s.text);

            // Everything sent was applied by the server, and counted once.
            Scrape done = awaitScrape(x -> x.value("xdpgate_cm_fpc_queue_depth") == 0
                    && x.value("xdpgate_cm_fpc_messages_sent_total") == fpc.appliedWhenDoneQuietly().size(),
                    "sent messages differ from what the server applied (" + fpc.appliedWhenDoneQuietly().size() + ")");
            List<FpcMessage> applied = fpc.appliedWhenDoneQuietly();
            assertTrue(applied.stream().filter(m -> m instanceof FpcSyncBegin).count() >= 3, "generations: start, link down, overrun");
            // The last generation is complete. Live changes may follow it: the link-local addresses of the
            // veth pair, for one, are announced again when duplicate address detection ends, which may be
            // after the last resync.
            int lastBegin = -1;
            int lastEnd = -1;
            for (int i = 0; i < applied.size(); i++) {
                if (applied.get(i) instanceof FpcSyncBegin) lastBegin = i;
                if (applied.get(i) instanceof FpcSyncEnd) lastEnd = i;
            }
            assertTrue(lastEnd > lastBegin, "the last generation ends: " + applied.subList(lastBegin, applied.size()));
            assertTrue(done.value("xdpgate_cm_fpc_messages_queued_total", "type", "route_add") >= 5_000, done.text);

            manager.close();
            manager = null;
            assertThrows(ConnectException.class, () -> Scrape.get("http://127.0.0.1:" + metrics.getPort() + "/metrics", "GET"));
        }
    }

    @Test
    void metricsOffServesNothingAndATakenPortDoesNotStopTheDaemon() throws Exception {
        try (MetricsServer taken = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), "cm-metrics-http", () -> "")) {
            String port = "127.0.0.1:" + taken.address().getPort();
            manager = CacheManager.start(CacheManagerOptions.parse(new String[] {"--netns", ns.name,
                    "--socket", tmp.resolve("none.sock").toString(), "--metrics", port}));
            assertEquals(null, manager.metricsAddress(), "runs without metrics");
            manager.close();
            manager = CacheManager.start(CacheManagerOptions.parse(new String[] {"--netns", ns.name,
                    "--socket", tmp.resolve("none.sock").toString(), "--metrics", "off"}));
            assertEquals(null, manager.metricsAddress());
        }
    }
}
