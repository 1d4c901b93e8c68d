package io.xdpgate.lab;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cache manager never stays out of sync: netlink overruns resynchronize, restarts lose nothing. */
class CacheManagerLabTest {

    private static final Path PIN_ROOT = Path.of("/sys/fs/bpf/xg-test-cm");
    private static final Path SOCKET = Path.of("/run/xdpgate/xg-test-cm.sock");
    private static final String CM = "cache-manager";
    private Lab lab;
    private Daemons daemons;

    @BeforeEach
    void start() throws Exception {
        Privileged.require();
        Lab.removePins(PIN_ROOT);
        lab = Lab.create();
        daemons = new Daemons(PIN_ROOT, SOCKET, Path.of("target", "lab-logs", "cache-manager"));
        daemons.startFastPathManager();
    }

    @AfterEach
    void stop() {
        if (daemons != null) daemons.close();
        if (lab != null) lab.close();
        Lab.removePins(PIN_ROOT);
    }

    @Test
    void aBurstOfHalfAMillionRouteChangesOverrunsNetlinkAndIsResynchronized() throws Exception {
        int overrunsBefore = daemons.logCount(CM, "netlink overrun");
        int metricsPort = Metrics.freePort();
        // deliberately small: the burst must overrun it
        daemons.startCacheManager("--rcvbuf", "65536", "--metrics", "127.0.0.1:" + metricsPort);
        daemons.awaitSynchronized(lab, Duration.ofSeconds(30));
        List<String> burst = new ArrayList<>();
        for (int i = 0; i < 250_000; i++) burst.add("route add " + prefix(i) + " via " + Lab.H2_ADDR);
        for (int i = 0; i < 250_000; i += 2) burst.add("route del " + prefix(i)); // 375,000 changes so far
        for (int i = 0; i < 125_000; i++) burst.add("route replace " + prefix(2 * i + 1) + " via 10.201.2.3");
        lab.ipBatch(Lab.ROUTER, burst); // 500,000 changes
        daemons.awaitVerifyClean(Duration.ofSeconds(120));
        assertTrue(daemons.logCount(CM, "netlink overrun") > overrunsBefore, "the burst overran the receive buffer");
        System.out.printf("overruns resynchronized: %d%n", daemons.logCount(CM, "netlink overrun") - overrunsBefore);

        // The cache manager counts them in its metrics, overruns and the resyncs they caused alike.
        String metrics = Metrics.scrape(metricsPort);
        double overruns = Metrics.sample(metrics, "xdpgate_cm_netlink_overruns_total{netns=\"" + Lab.ROUTER + "\"}");
        double resyncs = Metrics.sample(metrics, "xdpgate_cm_resyncs_total{netns=\"" + Lab.ROUTER + "\",reason=\"overrun\"}");
        assertTrue(overruns >= 1, "overruns counted:\n" + metrics);
        assertTrue(resyncs >= 1, "resyncs after overruns counted:\n" + metrics);
        System.out.printf("metrics: %.0f overruns, %.0f resyncs after an overrun%n", overruns, resyncs);
    }

    /** 10.a.b.c/32 with distinct values for i below 16M, clear of the lab's own 10.201-202. */
    private static String prefix(int i) {
        return "10." + (i >> 16) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff) + "/32";
    }

    @Test
    void restartingTheCacheManagerLosesNoPacketOfAPingFlood() throws Exception {
        Path record = Path.of("target", "lab-logs", "cache-manager", "stream.rtnl").toAbsolutePath();
        daemons.startCacheManager("--record", record.toString());
        daemons.awaitSynchronized(lab, Duration.ofSeconds(30));
        Traffic.ping(Lab.H1, Lab.H2_ADDR, 3, 0.2);
        Process flood = new ProcessBuilder(Sh.in(Lab.H1, "ping", "-n", "-q", "-f", "-w", "8", Lab.H2_ADDR))
                .redirectErrorStream(true).start();
        Thread.sleep(1000);
        daemons.stopCacheManager();
        Thread.sleep(1000);
        daemons.startCacheManager("--record", record.toString());
        String out = new String(flood.getInputStream().readAllBytes());
        flood.waitFor();
        Matcher m = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(out);
        assertTrue(m.find(), out);
        int sent = Integer.parseInt(m.group(1));
        assertTrue(sent > 1000, "a flood: " + out);
        assertEquals(sent, Integer.parseInt(m.group(2)), "no ping lost across the restart: " + out);
        daemons.awaitVerifyClean(Duration.ofSeconds(30));

        // The restarted daemon recorded its netlink stream: replayed, it holds the router's routes.
        List<String> replayed = new ArrayList<>();
        io.xdpgate.netlink.RtnlReplay.replay(record.resolveSibling("stream.rtnl." + Lab.ROUTER), new io.xdpgate.netlink.RtnlMonitor.Listener() {
            @Override
            public void onSyncBegin(long epoch) {
                replayed.add("begin");
            }

            @Override
            public void onEvent(io.xdpgate.netlink.RtnlEvent e) {
                if (e.object() instanceof io.xdpgate.netlink.Route r) replayed.add(r.dst().getHostAddress() + "/" + r.dstLength());
            }

            @Override
            public void onSyncEnd(long epoch) {
                replayed.add("end");
            }
        });
        assertEquals("begin", replayed.get(0), "a recording starts with a dump: " + replayed);
        assertTrue(replayed.contains("10.201.2.0/24") && replayed.contains("end"), "the dump's routes: " + replayed);
    }
}
