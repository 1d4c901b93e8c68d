package io.xdpgate.lab;

import io.xdpgate.ebpf.SpecialMaps;
import io.xdpgate.ebpf.Stat;
import io.xdpgate.ebpf.TcStat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

import static io.xdpgate.lab.Daemons.ipv4;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * VXLAN decapsulation by the fast path with real kernel VXLAN traffic: h1 reaches h2 through a
 * VXLAN overlay (VNI 42) that ends on the router's vx0. The fast path decapsulates what h1 sends
 * and forwards the inner packets to h2 itself; a ping to the router's own overlay address arrives
 * in Linux as received on vx0 through the special exception path (exception device, trailer) and
 * is answered. (The replies from h2 are encapsulated by the fast path: see VxlanOverlayLabTest.)
 *
 * <p>vx0 is configured the Linux way only; the cache manager synchronizes it (VXLAN_ADD) and the
 * fast path manager writes its xg_vxlan entry.
 */
class VxlanDecapLabTest {
    private static final String H1 = "xgx-v1";
    private static final String ROUTER = "xgx-vr";
    private static final String H2 = "xgx-v2";
    private static final int VRF = 1;
    private static final int VNI = 42;
    private static final Path PIN_ROOT = Path.of("/sys/fs/bpf/xgx-vxlan-lab");
    private static final Path SOCKET = Path.of("/run/xdpgate/xgx-vxlan-lab.sock");
    private static final String R_OVERLAY = "10.88.0.1";
    private static final int N = 100;

    private static Lab lab;
    private static Daemons daemons;

    @BeforeAll
    static void startLab() throws Exception {
        Privileged.require();
        Lab.removePins(PIN_ROOT);
        lab = Lab.create(H1, ROUTER, H2, false);
        vxlan(H1, lab.h1If, Lab.H1_ADDR, Lab.R_H1_ADDR, "10.88.0.2/24");
        vxlan(ROUTER, lab.rH1, Lab.R_H1_ADDR, Lab.H1_ADDR, R_OVERLAY + "/24");
        // h1 reaches h2's subnet through the overlay; everything else (the tunnel itself) directly.
        Sh.run(Sh.in(H1, "ip", "route", "add", "10.201.2.0/24", "via", R_OVERLAY, "dev", "vx0"));
        daemons = new Daemons(PIN_ROOT, SOCKET, Path.of("target", "lab-logs", "xgx-vxlan"));
        Daemons.clearLogs(daemons.logDir());
        daemons.startFastPathManager(ROUTER + "/" + lab.rH1 + "," + ROUTER + "/" + lab.rH2, "--metrics", "off");
        daemons.startCacheManagerFor(ROUTER, VRF);
        awaitSynchronized(Duration.ofSeconds(30));
        // Linux resolves the neighbours once (ARP over the overlay included).
        Traffic.ping(H1, Lab.H2_ADDR, 3, 0.2);
        Traffic.ping(H1, R_OVERLAY, 3, 0.2);
    }

    private static void vxlan(String ns, String underlay, String local, String remote, String address) {
        Sh.run(Sh.in(ns, "ip", "link", "add", "vx0", "type", "vxlan", "id", String.valueOf(VNI), "local", local,
                "remote", remote, "dstport", "4789", "dev", underlay));
        Sh.run(Sh.in(ns, "ip", "addr", "add", address, "dev", "vx0"));
        Sh.run(Sh.in(ns, "ip", "link", "set", "vx0", "up"));
    }

    @AfterAll
    static void stopLab() {
        if (daemons != null) daemons.close();
        if (lab != null) lab.close();
        Lab.removePins(PIN_ROOT);
    }

    private static void awaitSynchronized(Duration timeout) throws Exception {
        daemons.await("the fast path's synchronization", timeout, () -> {
            if (!Files.exists(PIN_ROOT.resolve("links").resolve("exc-vrf" + VRF))) return false;
            try (var maps = io.xdpgate.ebpf.FastPathMaps.open(PIN_ROOT); SpecialMaps s = SpecialMaps.open(PIN_ROOT)) {
                return maps.lookupRoute4(VRF, ipv4("10.201.2.0"), 24) != null && maps.local4(VRF, ipv4(R_OVERLAY)) != 0
                        && s.exceptionDevice(VRF) != 0 && s.vxlanDevice(VRF, VNI) == lab.ifindex(ROUTER, "vx0");
            }
        });
    }

    private static Map<TcStat, Long> tc() throws Exception {
        try (SpecialMaps m = SpecialMaps.open(PIN_ROOT)) {
            Map<TcStat, Long> out = new EnumMap<>(TcStat.class);
            m.tcStats().forEach((s, c) -> out.put(s, c.packets()));
            return out;
        }
    }

    private static long delta(Map<TcStat, Long> after, Map<TcStat, Long> before, TcStat s) {
        return after.get(s) - before.get(s);
    }

    @Test
    void theFastPathDecapsulatesAndForwardsTheOverlaysPackets() throws Exception {
        Map<TcStat, Long> before = tc();
        Counters c0 = Counters.read(PIN_ROOT, lab);
        long vxRx = lab.linkStat(ROUTER, "vx0", "rx", "packets");
        Traffic.Ping ping = Traffic.ping(H1, Lab.H2_ADDR, N, 0.01);
        assertTrue(ping.allAnswered(), "ping h1 -> h2 over the overlay: " + ping);
        Map<TcStat, Long> after = tc();
        Counters d = Counters.read(PIN_ROOT, lab).minus(c0);
        assertTrue(delta(after, before, TcStat.VXLAN_FORWARDED) >= N,
                "every echo request decapsulated and forwarded by the fast path: " + after);
        assertTrue(d.packets(Stat.FORWARDED) >= N, d.table());
        long vxRxNow = lab.linkStat(ROUTER, "vx0", "rx", "packets") - vxRx;
        assertTrue(vxRxNow <= 5, "Linux's vx0 received " + vxRxNow + " of them: the fast path took them");
        System.out.printf("vxlan lab: %d pings over the overlay; decapsulated and forwarded by XDP %d, vx0 rx %d%n",
                N, delta(after, before, TcStat.VXLAN_FORWARDED), vxRxNow);
    }

    @Test
    void tcpAcrossTheOverlayIsDecapsulatedByTheFastPath() throws Exception {
        Map<TcStat, Long> before = tc();
        long vxRx = lab.linkStat(ROUTER, "vx0", "rx", "packets");
        long h2Rx = lab.linkStat(H2, lab.h2If, "rx", "bytes");
        Traffic.Transfer tcp = Traffic.tcp(H1, H2, Lab.H2_ADDR, 100L << 20);
        // iperf3's reports of a transfer this short may leave out its last megabytes (still in flight
        // when it ends): what h2's interface received, and the fast path's counter, are the measure.
        long received = lab.linkStat(H2, lab.h2If, "rx", "bytes") - h2Rx;
        assertTrue(received >= 90L << 20, "h2 received " + received + " bytes; iperf3: " + tcp);
        long decapsulated = delta(tc(), before, TcStat.VXLAN_FORWARDED);
        long linux = lab.linkStat(ROUTER, "vx0", "rx", "packets") - vxRx;
        // Every frame h2 received was decapsulated by the fast path: at least one per 1500 bytes.
        assertTrue(decapsulated >= received / 1500, "the fast path decapsulated and forwarded " + decapsulated
                + " frames for " + received + " bytes");
        assertTrue(linux <= 10, "Linux's vx0 decapsulated " + linux + " of them");
        System.out.printf("vxlan lab: TCP 100 MiB, h2 received %d bytes; XDP decapsulated %d frames, router's vx0 received %d%n",
                received, decapsulated, linux);
    }

    @Test
    void aPingToTheRoutersOverlayAddressTakesTheSpecialExceptionPath() throws Exception {
        Map<TcStat, Long> before = tc();
        Traffic.Ping ping = Traffic.ping(H1, R_OVERLAY, N, 0.01);
        assertTrue(ping.allAnswered(), "ping h1 -> the router's vx0: " + ping);
        Map<TcStat, Long> after = tc();
        assertTrue(delta(after, before, TcStat.VXLAN_EXCEPTION) >= N, "decapsulated, then exceptions: " + after);
        assertTrue(delta(after, before, TcStat.SPECIAL_SENT) >= N, after.toString());
        assertTrue(delta(after, before, TcStat.TRAILER_REINJECTED) >= N, "trailers stripped and reinjected: " + after);
        System.out.printf("vxlan lab: %d pings to the router's vx0; special exceptions %d, trailers reinjected %d%n",
                N, delta(after, before, TcStat.SPECIAL_SENT), delta(after, before, TcStat.TRAILER_REINJECTED));
        daemons.checkAlive();
    }
}
