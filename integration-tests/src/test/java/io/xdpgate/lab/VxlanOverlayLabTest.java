package io.xdpgate.lab;

import io.xdpgate.ebpf.SpecialMaps;
import io.xdpgate.ebpf.TcStat;
import io.xdpgate.ebpf.VxlanEncap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

import static io.xdpgate.lab.Daemons.ipv4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A VXLAN overlay through the fast path in both directions: h1 is a VTEP (its vx0, VNI 42, overlay
 * address 10.88.0.2) whose overlay ends on the router's vx0; h2 is a plain host behind the router.
 * What h1 sends over the overlay the fast path decapsulates and forwards to h2; what h2 sends to
 * h1's overlay address the fast path routes into the router's vx0 and encapsulates towards h1
 * (outer header precomputed for vx0's remote, sent on the underlay port). The router's kernel
 * forwards nothing (IpForwDatagrams) and its vx0 neither sends nor receives; a ping to the
 * router's own overlay address still works through the special exception path.
 *
 * <p>Both vx0 devices are configured the Linux way only: h1's with `remote`, the router's with
 * `bridge fdb append 00:00:00:00:00:00 dev vx0 dst H1`.
 */
class VxlanOverlayLabTest {
    private static final String H1 = "xgv-o1";
    private static final String ROUTER = "xgv-or";
    private static final String H2 = "xgv-o2";
    private static final int VRF = 1;
    private static final int VNI = 42;
    private static final Path PIN_ROOT = Path.of("/sys/fs/bpf/xgv-overlay-lab");
    private static final Path SOCKET = Path.of("/run/xdpgate/xgv-overlay-lab.sock");
    private static final String R_OVERLAY = "10.88.0.1";
    private static final String H1_OVERLAY = "10.88.0.2";
    private static final int N = 100;

    private static Lab lab;
    private static Daemons daemons;

    @BeforeAll
    static void startLab() throws Exception {
        Privileged.require();
        Lab.removePins(PIN_ROOT);
        lab = Lab.create(H1, ROUTER, H2, false);
        vxlan(H1, lab.h1If, Lab.H1_ADDR, Lab.R_H1_ADDR, H1_OVERLAY + "/24");
        // The router's remote is its default FDB entry, h1 names its own with `remote`.
        vxlan(ROUTER, lab.rH1, Lab.R_H1_ADDR, null, R_OVERLAY + "/24");
        Sh.run(Sh.in(ROUTER, "bridge", "fdb", "append", "00:00:00:00:00:00", "dev", "vx0", "dst", Lab.H1_ADDR));
        // h1 reaches h2's subnet through the overlay; everything else (the tunnel itself) directly.
        Sh.run(Sh.in(H1, "ip", "route", "add", "10.201.2.0/24", "via", R_OVERLAY, "dev", "vx0"));
        daemons = new Daemons(PIN_ROOT, SOCKET, Path.of("target", "lab-logs", "xgv-overlay"));
        Daemons.clearLogs(daemons.logDir());
        daemons.startFastPathManager(ROUTER + "/" + lab.rH1 + "," + ROUTER + "/" + lab.rH2, "--metrics", "off");
        daemons.startCacheManagerFor(ROUTER, VRF);
        awaitSynchronized(Duration.ofSeconds(30));
        // Linux resolves the neighbours once (ARP over the overlay included); then both directions are fast.
        Traffic.ping(H1, Lab.H2_ADDR, 3, 0.2);
        Traffic.ping(H2, H1_OVERLAY, 3, 0.2);
        awaitEncapsulation(Duration.ofSeconds(10));
    }

    private static void vxlan(String ns, String underlay, String local, String remote, String address) {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("ip", "link", "add", "vx0", "type",
                "vxlan", "id", String.valueOf(VNI), "local", local, "dstport", "4789", "dev", underlay));
        if (remote != null) cmd.addAll(java.util.List.of("remote", remote));
        Sh.run(Sh.in(ns, cmd.toArray(String[]::new)));
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

    /** Until vx0's encapsulation is resolved: towards h1 (the remote), on the underlay port rH1. */
    private static VxlanEncap awaitEncapsulation(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        VxlanEncap e = null;
        while (System.nanoTime() < deadline) {
            try (SpecialMaps s = SpecialMaps.open(PIN_ROOT)) {
                e = s.vxlanEncap(VRF, lab.ifindex(ROUTER, "vx0"));
                if (e != null && e.valid()) return e;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("vx0's encapsulation not resolved within " + timeout + ": " + e + "; logs in "
                + daemons.logDir());
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

    /** The router's kernel: forwarded datagrams, and packets vx0 sent and received. */
    private record Kernel(long forwarded, long vxTx, long vxRx) {
        static Kernel read() {
            return new Kernel(lab.snmp(ROUTER, "Ip", "ForwDatagrams"), lab.linkStat(ROUTER, "vx0", "tx", "packets"),
                    lab.linkStat(ROUTER, "vx0", "rx", "packets"));
        }

        Kernel minus(Kernel o) {
            return new Kernel(forwarded - o.forwarded, vxTx - o.vxTx, vxRx - o.vxRx);
        }
    }

    @Test
    void theEncapsulationIsPrecomputedFromTheUnderlay() throws Exception {
        VxlanEncap e = awaitEncapsulation(Duration.ofSeconds(5));
        byte[] h = e.header();
        assertEquals(lab.ifindex(ROUTER, lab.rH1), e.egress(), "the underlay port towards h1");
        assertEquals(lab.mac(H1, lab.h1If), mac(h, 0), "outer destination: h1's underlay MAC");
        assertEquals(lab.mac(ROUTER, lab.rH1), mac(h, 6), "outer source: the underlay port's MAC");
        assertEquals(Lab.R_H1_ADDR, addr(h, 26), "outer source: vx0's local address");
        assertEquals(Lab.H1_ADDR, addr(h, 30), "outer destination: vx0's remote");
        assertEquals(4789, ((h[36] & 0xff) << 8) | (h[37] & 0xff), "UDP destination port: vx0's dstport");
        assertEquals(VNI, ((h[46] & 0xff) << 16) | ((h[47] & 0xff) << 8) | (h[48] & 0xff), "VNI");
    }

    @Test
    void theEncapsulationFollowsTheUnderlayNeighbour() throws Exception {
        int vx0 = lab.ifindex(ROUTER, "vx0");
        String real = lab.mac(H1, lab.h1If);
        try {
            Sh.run(Sh.in(ROUTER, "ip", "neigh", "replace", Lab.H1_ADDR, "lladdr", "02:00:00:00:0e:01", "dev", lab.rH1,
                    "nud", "permanent"));
            awaitOuterDestination(vx0, "02:00:00:00:0e:01");
        } finally {
            Sh.run(Sh.in(ROUTER, "ip", "neigh", "replace", Lab.H1_ADDR, "lladdr", real, "dev", lab.rH1, "nud", "reachable"));
        }
        awaitOuterDestination(vx0, real);
        Traffic.Ping ping = Traffic.ping(H2, H1_OVERLAY, 5, 0.05);
        assertTrue(ping.allAnswered(), "after the underlay neighbour came back: " + ping);
    }

    private static void awaitOuterDestination(int vx0, String mac) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        VxlanEncap e = null;
        while (System.nanoTime() < deadline) {
            try (SpecialMaps s = SpecialMaps.open(PIN_ROOT)) {
                e = s.vxlanEncap(VRF, vx0);
                if (e != null && e.valid() && mac(e.header(), 0).equals(mac)) return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the outer destination MAC did not become " + mac + ": " + e);
    }

    private static String mac(byte[] b, int off) {
        return String.format("%02x:%02x:%02x:%02x:%02x:%02x", b[off], b[off + 1], b[off + 2], b[off + 3], b[off + 4],
                b[off + 5]);
    }

    private static String addr(byte[] b, int off) {
        return (b[off] & 0xff) + "." + (b[off + 1] & 0xff) + "." + (b[off + 2] & 0xff) + "." + (b[off + 3] & 0xff);
    }

    @Test
    void pingBothWaysIsEncapsulatedAndDecapsulatedByTheFastPath() throws Exception {
        Map<TcStat, Long> before = tc();
        Kernel k0 = Kernel.read();
        Traffic.Ping fromH1 = Traffic.ping(H1, Lab.H2_ADDR, N, 0.01);
        Traffic.Ping fromH2 = Traffic.ping(H2, H1_OVERLAY, N, 0.01);
        Map<TcStat, Long> after = tc();
        Kernel k = Kernel.read().minus(k0);
        assertTrue(fromH1.allAnswered(), "ping h1 -> h2 over the overlay: " + fromH1);
        assertTrue(fromH2.allAnswered(), "ping h2 -> h1's overlay address: " + fromH2);
        long encapsulated = delta(after, before, TcStat.VXLAN_ENCAPSULATED);
        long decapsulated = delta(after, before, TcStat.VXLAN_FORWARDED);
        // h1's requests and replies come in over the overlay; h2's replies and requests go out into it.
        assertTrue(encapsulated >= 2L * N && encapsulated <= 2L * N + 4,
                "the fast path encapsulated " + encapsulated + " for " + 2 * N + " packets into the overlay: " + after);
        assertTrue(decapsulated >= 2L * N && decapsulated <= 2L * N + 4,
                "the fast path decapsulated " + decapsulated + " for " + 2 * N + " packets out of the overlay: " + after);
        assertEquals(0, delta(after, before, TcStat.VXLAN_ENCAP_TO_LINUX) + delta(after, before, TcStat.VXLAN_ENCAP_MTU)
                + delta(after, before, TcStat.VXLAN_ENCAP_FAILED), "nothing left to Linux or dropped: " + after);
        assertTrue(k.forwarded() <= 4 && k.vxTx() <= 4 && k.vxRx() <= 4, "the router's kernel: " + k);
        System.out.printf("vxlan overlay lab: %d pings each way; XDP encapsulated %d, decapsulated %d; router kernel "
                + "IpForwDatagrams +%d, vx0 tx +%d rx +%d%n", N, encapsulated, decapsulated, k.forwarded(), k.vxTx(), k.vxRx());
    }

    @Test
    void tcpBothWaysAcrossTheOverlayStaysInTheFastPath() throws Exception {
        for (String[] way : new String[][] {{H2, H1, H1_OVERLAY, lab.h1If}, {H1, H2, Lab.H2_ADDR, lab.h2If}}) {
            Map<TcStat, Long> before = tc();
            Kernel k0 = Kernel.read();
            long rx = lab.linkStat(way[1], way[3], "rx", "bytes");
            Traffic.Transfer tcp = Traffic.tcp(way[0], way[1], way[2], 50L << 20);
            long received = lab.linkStat(way[1], way[3], "rx", "bytes") - rx;
            Map<TcStat, Long> after = tc();
            Kernel k = Kernel.read().minus(k0);
            long encapsulated = delta(after, before, TcStat.VXLAN_ENCAPSULATED);
            long decapsulated = delta(after, before, TcStat.VXLAN_FORWARDED);
            String what = way[0] + " -> " + way[2];
            assertTrue(received >= 45L << 20, what + ": received " + received + " bytes; iperf3: " + tcp);
            // The data frames (at most 1500 bytes each) one way, the ACKs the other: both through the fast path.
            long data = way[1].equals(H1) ? encapsulated : decapsulated;
            long acks = way[1].equals(H1) ? decapsulated : encapsulated;
            assertTrue(data >= received / 1550, what + ": " + data + " data frames through XDP for " + received + " bytes");
            assertTrue(acks > 0, what + ": ACKs through XDP " + acks);
            assertTrue(k.forwarded() <= 10 && k.vxTx() <= 10 && k.vxRx() <= 10, what + ": the router's kernel: " + k);
            System.out.printf("vxlan overlay lab: TCP %s 50 MiB, received %d bytes; XDP encapsulated %d, decapsulated %d; "
                    + "router kernel IpForwDatagrams +%d, vx0 tx +%d rx +%d; iperf3 %s%n", what, received, encapsulated,
                    decapsulated, k.forwarded(), k.vxTx(), k.vxRx(), tcp);
        }
    }

    @Test
    void aPingToTheRoutersOverlayAddressTakesTheSpecialExceptionPath() throws Exception {
        Map<TcStat, Long> before = tc();
        Traffic.Ping ping = Traffic.ping(H1, R_OVERLAY, N, 0.01);
        assertTrue(ping.allAnswered(), "ping h1 -> the router's vx0: " + ping);
        Map<TcStat, Long> after = tc();
        assertTrue(delta(after, before, TcStat.VXLAN_EXCEPTION) >= N, "decapsulated, then exceptions: " + after);
        assertTrue(delta(after, before, TcStat.TRAILER_REINJECTED) >= N, "trailers stripped and reinjected: " + after);
        System.out.printf("vxlan overlay lab: %d pings to the router's vx0; trailers reinjected %d%n",
                N, delta(after, before, TcStat.TRAILER_REINJECTED));
        daemons.checkAlive();
    }
}
