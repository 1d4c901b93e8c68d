package io.xdpgate.lab;

import io.xdpgate.ebpf.SpecialMaps;
import io.xdpgate.ebpf.Stat;
import io.xdpgate.ebpf.TcStat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

import static io.xdpgate.lab.Daemons.ipv4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * tcpdump on a router port sees what the fast path forwards through it, in both directions, and
 * the kernel still forwards nothing: the fast path manager notices the capture by itself, the
 * port's packets leave XDP unmodified and the ports' TC program forwards them past the taps. When
 * tcpdump exits the port is back to XDP forwarding, again by itself.
 */
class TcpdumpLabTest {
    private static final String H1 = "xgx-c1";
    private static final String ROUTER = "xgx-cr";
    private static final String H2 = "xgx-c2";
    private static final int VRF = 1;
    private static final Path PIN_ROOT = Path.of("/sys/fs/bpf/xgx-tcpdump-lab");
    private static final Path SOCKET = Path.of("/run/xdpgate/xgx-tcpdump-lab.sock");
    private static final int N = 200;

    private static Lab lab;
    private static Daemons daemons;
    private static int metricsPort;

    @BeforeAll
    static void startLab() throws Exception {
        Privileged.require();
        Lab.removePins(PIN_ROOT);
        lab = Lab.create(H1, ROUTER, H2, false);
        daemons = new Daemons(PIN_ROOT, SOCKET, Path.of("target", "lab-logs", "xgx-tcpdump"));
        Daemons.clearLogs(daemons.logDir());
        metricsPort = Metrics.freePort();
        daemons.startFastPathManager(ROUTER + "/" + lab.rH1 + "," + ROUTER + "/" + lab.rH2, "--metrics",
                "127.0.0.1:" + metricsPort);
        daemons.startCacheManagerFor(ROUTER, VRF);
        awaitSynchronized(Duration.ofSeconds(30));
        Traffic.ping(H1, Lab.H2_ADDR, 3, 0.2); // Linux resolves the neighbours once
    }

    @AfterAll
    static void stopLab() {
        if (daemons != null) daemons.close();
        if (lab != null) lab.close();
        Lab.removePins(PIN_ROOT);
    }

    private static void awaitSynchronized(Duration timeout) throws InterruptedException {
        daemons.await("the fast path's synchronization", timeout, () -> {
            try (var maps = io.xdpgate.ebpf.FastPathMaps.open(PIN_ROOT)) {
                return maps.lookupRoute4(VRF, ipv4("10.201.2.0"), 24) != null
                        && maps.port(VRF, lab.ifindex(ROUTER, lab.rH1)) != null
                        && maps.port(VRF, lab.ifindex(ROUTER, lab.rH2)) != null;
            }
        });
    }

    private static Set<SpecialMaps.PortKey> captured() throws Exception {
        try (SpecialMaps m = SpecialMaps.open(PIN_ROOT)) {
            return m.captured();
        }
    }

    private static void awaitCaptured(Set<SpecialMaps.PortKey> expected, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!captured().equals(expected)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("captured ports " + captured() + ", expected " + expected + " within " + timeout);
            }
            Thread.sleep(20);
        }
    }

    private static Map<TcStat, Long> tc() throws Exception {
        try (SpecialMaps m = SpecialMaps.open(PIN_ROOT)) {
            Map<TcStat, Long> out = new EnumMap<>(TcStat.class);
            m.tcStats().forEach((s, c) -> out.put(s, c.packets()));
            return out;
        }
    }

    /** Frames the port's XDP program redirected (veth's per-queue XDP counter, ethtool -S). */
    private static long xdpRedirected(String ifname) {
        long sum = 0;
        for (String line : Sh.run(Sh.in(ROUTER, "ethtool", "-S", ifname)).split("\n")) {
            String[] f = line.trim().split(":\\s*");
            if (f.length == 2 && f[0].matches("rx_queue_\\d+_xdp_redirect")) sum += Long.parseLong(f[1].trim());
        }
        return sum;
    }

    @Test
    void tcpdumpOnAPortSeesForwardedPacketsBothWaysAndThePortReturnsToXdpAfterwards() throws Exception {
        String port = lab.rH2;
        SpecialMaps.PortKey key = new SpecialMaps.PortKey(VRF, lab.ifindex(ROUTER, port));

        // Uncaptured: XDP forwards everything.
        Counters before = Counters.read(PIN_ROOT, lab);
        Map<TcStat, Long> tcBefore = tc();
        long xdpBefore = xdpRedirected(lab.rH1);
        assertTrue(Traffic.ping(H1, Lab.H2_ADDR, N, 0.005).allAnswered());
        Counters plain = Counters.read(PIN_ROOT, lab).minus(before);
        assertTrue(plain.packets(Stat.FORWARDED) >= 2L * N, "forwarded:\n" + plain.table());
        assertEquals(0, tc().get(TcStat.CAPTURE_FORWARDED) - tcBefore.get(TcStat.CAPTURE_FORWARDED));
        assertTrue(xdpRedirected(lab.rH1) - xdpBefore >= N, "XDP redirected the echo requests");

        double scrapedBefore = Metrics.sample(Metrics.scrape(metricsPort),
                "xdpgate_fp_special_packets_total{reason=\"capture_forwarded\"}");

        // Captured: tcpdump counts every request leaving and every reply arriving on the port.
        Map<TcStat, Long> tcCaptured;
        Counters captured;
        try (Capture out = Capture.start(ROUTER, port, "out", N, "icmp and icmp[0] == 8");
             Capture in = Capture.start(ROUTER, port, "in", N, "icmp and icmp[0] == 0")) {
            awaitCaptured(Set.of(key), Duration.ofSeconds(3));
            Counters c0 = Counters.read(PIN_ROOT, lab);
            Map<TcStat, Long> t0 = tc();
            Traffic.Ping ping = Traffic.ping(H1, Lab.H2_ADDR, N, 0.005);
            assertTrue(ping.allAnswered(), "ping while captured: " + ping);
            assertEquals(N, out.await(Duration.ofSeconds(10)), "tcpdump -Q out on " + port + ": the echo requests");
            assertEquals(N, in.await(Duration.ofSeconds(10)), "tcpdump -Q in on " + port + ": the echo replies");
            captured = Counters.read(PIN_ROOT, lab).minus(c0);
            Map<TcStat, Long> t1 = tc();
            tcCaptured = new EnumMap<>(TcStat.class);
            for (TcStat s : TcStat.values()) tcCaptured.put(s, t1.get(s) - t0.get(s));
        }
        assertTrue(captured.kernelForwarded() <= 2, "the kernel forwarded " + captured.kernelForwarded()
                + " while captured:\n" + captured.table());
        assertTrue(tcCaptured.get(TcStat.CAPTURE_FORWARDED) >= 2L * N,
                "the TC program forwarded both ways while captured: " + tcCaptured);
        assertTrue(captured.packets(Stat.FORWARDED) >= 2L * N, "counted as forwarded:\n" + captured.table());
        assertEquals(0, tcCaptured.get(TcStat.CAPTURE_NO_META), "veth carries the XDP metadata");
        double scraped = Metrics.sample(Metrics.scrape(metricsPort),
                "xdpgate_fp_special_packets_total{reason=\"capture_forwarded\"}");
        assertTrue(scraped - scrapedBefore >= 2.0 * N, "the metric follows: " + scrapedBefore + " -> " + scraped);

        // tcpdump has exited: back to XDP, by itself.
        awaitCaptured(Set.of(), Duration.ofSeconds(3));
        Counters c2 = Counters.read(PIN_ROOT, lab);
        Map<TcStat, Long> t2 = tc();
        long xdp2 = xdpRedirected(lab.rH1);
        assertTrue(Traffic.ping(H1, Lab.H2_ADDR, N, 0.005).allAnswered());
        Counters after = Counters.read(PIN_ROOT, lab).minus(c2);
        assertEquals(0, tc().get(TcStat.CAPTURE_FORWARDED) - t2.get(TcStat.CAPTURE_FORWARDED),
                "nothing goes through TC any more");
        assertTrue(after.packets(Stat.FORWARDED) >= 2L * N, "XDP forwards again:\n" + after.table());
        assertTrue(xdpRedirected(lab.rH1) - xdp2 >= N, "XDP redirects again");
        assertTrue(after.kernelForwarded() <= 2, "kernel forwarding flat:\n" + after.table());
        System.out.printf("tcpdump lab: %d pings; captured: tcpdump out %d, in %d, TC forwarded %d, kernel forwarded %d;"
                        + " after: XDP forwarded %d, TC forwarded 0%n", N, N, N, tcCaptured.get(TcStat.CAPTURE_FORWARDED),
                captured.kernelForwarded(), after.packets(Stat.FORWARDED));
        daemons.checkAlive();
    }

    @Test
    void tcpdumpOnAnyCapturesEveryPortOfTheNamespace() throws Exception {
        Set<SpecialMaps.PortKey> both = Set.of(new SpecialMaps.PortKey(VRF, lab.ifindex(ROUTER, lab.rH1)),
                new SpecialMaps.PortKey(VRF, lab.ifindex(ROUTER, lab.rH2)));
        int n = 50;
        Counters c0;
        try (Capture any = Capture.start(ROUTER, "any", "inout", 4 * n, "icmp")) {
            awaitCaptured(both, Duration.ofSeconds(3));
            c0 = Counters.read(PIN_ROOT, lab);
            assertTrue(Traffic.ping(H1, Lab.H2_ADDR, n, 0.005).allAnswered());
            // Each request and each reply comes in on one port and leaves on the other.
            assertEquals(4 * n, any.await(Duration.ofSeconds(10)), "tcpdump -i any sees every packet twice");
        }
        Counters d = Counters.read(PIN_ROOT, lab).minus(c0);
        assertTrue(d.kernelForwarded() <= 2, "kernel forwarding flat:\n" + d.table());
        awaitCaptured(Set.of(), Duration.ofSeconds(3));
    }
}
