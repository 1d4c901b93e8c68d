package io.xdpgate.lab;

import io.xdpgate.ebpf.MapLayouts;
import io.xdpgate.ebpf.SpecialMaps;
import io.xdpgate.ebpf.TcStat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exception device end to end: the fast path manager makes xg-exc / xg-exc-p in the router's
 * namespace with the TC program on xg-exc; frames sent into xg-exc-p with a trailer arrive in
 * Linux as received on the interface the trailer names (tcpdump on that interface sees them come
 * in, the router answers the echo requests, the host gets the replies); frames with a bad trailer
 * are dropped and counted and Linux never sees them; ctl detach removes the device.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExceptionPathLabTest {
    private static final String H1 = "xgx-h1";
    private static final String ROUTER = "xgx-r";
    private static final String H2 = "xgx-h2";
    private static final int VRF = 1;
    private static final Path PIN_ROOT = Path.of("/sys/fs/bpf/xgx-exc-lab");
    private static final Path SOCKET = Path.of("/run/xdpgate/xgx-exc-lab.sock");
    private static final int COUNT = 20;

    private static Lab lab;
    private static Daemons daemons;

    @BeforeAll
    static void startLab() throws Exception {
        Privileged.require();
        Lab.removePins(PIN_ROOT);
        lab = Lab.create(H1, ROUTER, H2, false);
        daemons = new Daemons(PIN_ROOT, SOCKET, Path.of("target", "lab-logs", "xgx-exception-path"));
        Daemons.clearLogs(daemons.logDir());
        daemons.startFastPathManager(ROUTER + "/" + lab.rH1 + "," + ROUTER + "/" + lab.rH2, "--metrics", "off");
        daemons.startCacheManagerFor(ROUTER, VRF);
        awaitExceptionDevice(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stopLab() {
        if (daemons != null) daemons.close();
        if (lab != null) lab.close();
        Lab.removePins(PIN_ROOT);
    }

    /** Until the manager has attached the fast path and written the VRF's exception device. */
    private static void awaitExceptionDevice(Duration timeout) throws InterruptedException {
        daemons.await("the exception device", timeout, () -> {
            if (!Files.exists(PIN_ROOT.resolve("links").resolve("exc-vrf" + VRF))) return false;
            try (SpecialMaps m = SpecialMaps.open(PIN_ROOT)) {
                return m.exceptionDevice(VRF) != 0;
            }
        });
    }

    private static Map<TcStat, Long> tcPackets() throws Exception {
        try (SpecialMaps m = SpecialMaps.open(PIN_ROOT)) {
            Map<TcStat, Long> out = new java.util.EnumMap<>(TcStat.class);
            m.tcStats().forEach((s, c) -> out.put(s, c.packets()));
            return out;
        }
    }

    private static byte[] trailer(int magic, int ifindex, int mark) {
        return ByteBuffer.allocate(MapLayouts.TRAILER_LEN).putInt(magic).put((byte) MapLayouts.TRAILER_VERSION)
                .put((byte) MapLayouts.TRAILER_RECEIVE).putShort((short) 3).putInt(ifindex).putInt(mark).array();
    }

    /** Echo requests from h1 to the router's address on its h1 port, sent into the exception device. */
    private static void inject(byte[] trailer) {
        FrameInjector.echoRequests(ROUTER, "xg-exc-p", lab.mac(ROUTER, lab.rH1), lab.mac(H1, lab.h1If),
                Lab.H1_ADDR, Lab.R_H1_ADDR, COUNT, trailer);
    }

    @Test
    @Order(1)
    void theManagerMadeTheExceptionDeviceAndKeepsItOutOfTheFastPath() throws Exception {
        int exc = lab.ifindex(ROUTER, "xg-exc");
        int peer = lab.ifindex(ROUTER, "xg-exc-p");
        try (SpecialMaps m = SpecialMaps.open(PIN_ROOT)) {
            assertEquals(peer, m.exceptionDevice(VRF), "xg_exc_cfg names xg-exc-p, which the fast path redirects into");
        }
        String dev = Sh.run(Sh.in(ROUTER, "ip", "-d", "link", "show", "dev", "xg-exc"));
        assertTrue(dev.contains("state UP") || dev.contains(",UP"), "xg-exc is up: " + dev);
        String features = Sh.run(Sh.in(ROUTER, "ethtool", "-k", "xg-exc"));
        assertTrue(features.contains("generic-receive-offload: on"), "GRO on xg-exc: " + features);
        for (String end : new String[] {"xg-exc", "xg-exc-p"}) { // nothing of Linux's own travels over the pair
            assertTrue(Sh.run(Sh.in(ROUTER, "ip", "-d", "link", "show", "dev", end)).contains("addrgenmode none"), end);
            assertEquals("", Sh.run(Sh.in(ROUTER, "ip", "-6", "addr", "show", "dev", end)).trim(), end + " has IPv6 addresses");
        }
        try (var maps = io.xdpgate.ebpf.FastPathMaps.open(PIN_ROOT)) {
            assertEquals(null, maps.port(VRF, exc), "xg-exc is no fast path port");
            assertEquals(null, maps.port(VRF, peer), "xg-exc-p is no fast path port");
        }
        String link = Sh.run("bpftool", "-j", "link", "show", "pinned", PIN_ROOT.resolve("links").resolve("exc-vrf" + VRF).toString());
        String progId = new com.fasterxml.jackson.databind.ObjectMapper().readTree(link).get("prog_id").asText();
        String prog = Sh.run("bpftool", "-j", "prog", "show", "id", progId);
        assertTrue(prog.contains("\"xg_tc_exception\""), "the pinned link runs the TC program: " + link + prog);
        assertTrue(link.contains(String.valueOf(exc)) || link.contains("tcx") || link.contains("\"type\""), link);
    }

    @Test
    @Order(2)
    void aValidTrailerDeliversThePacketAsReceivedOnItsInterface() throws Exception {
        int target = lab.ifindex(ROUTER, lab.rH1);
        Map<TcStat, Long> before = tcPackets();
        long echosBefore = lab.snmp(ROUTER, "Icmp", "InEchos");
        long repliesBefore = lab.snmp(H1, "Icmp", "InEchoReps");
        try (Capture onTarget = Capture.start(ROUTER, lab.rH1, "in", COUNT, "icmp and icmp[0] == 8")) {
            inject(trailer(MapLayouts.TRAILER_MAGIC, target, 0x77));
            assertEquals(COUNT, onTarget.await(Duration.ofSeconds(10)),
                    "tcpdump -Q in on " + lab.rH1 + " sees every echo request arrive there");
        }
        Map<TcStat, Long> after = tcPackets();
        assertEquals(COUNT, after.get(TcStat.TRAILER_REINJECTED) - before.get(TcStat.TRAILER_REINJECTED),
                "trailers reinjected");
        assertEquals(COUNT, lab.snmp(ROUTER, "Icmp", "InEchos") - echosBefore, "the router's Linux got the requests");
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (lab.snmp(H1, "Icmp", "InEchoReps") - repliesBefore < COUNT && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(COUNT, lab.snmp(H1, "Icmp", "InEchoReps") - repliesBefore, "the host got every reply");
        daemons.checkAlive();
    }

    @Test
    @Order(3)
    void theTrailerChoosesTheInterface() throws Exception {
        int other = lab.ifindex(ROUTER, lab.rH2);
        try (Capture onOther = Capture.start(ROUTER, lab.rH2, "in", COUNT, "icmp and icmp[0] == 8");
             Capture onH1 = Capture.start(ROUTER, lab.rH1, "in", 1, "icmp and icmp[0] == 8")) {
            inject(trailer(MapLayouts.TRAILER_MAGIC, other, 0));
            assertEquals(COUNT, onOther.await(Duration.ofSeconds(10)), "they arrive on " + lab.rH2 + " now");
            assertEquals(0, onH1.await(Duration.ofSeconds(1)), "and none on " + lab.rH1);
        }
    }

    @Test
    @Order(4)
    void badTrailersAreDroppedAndCountedAndLinuxNeverSeesThem() throws Exception {
        int target = lab.ifindex(ROUTER, lab.rH1);
        Map<TcStat, Long> before = tcPackets();
        long echosBefore = lab.snmp(ROUTER, "Icmp", "InEchos");
        inject(trailer(MapLayouts.TRAILER_MAGIC ^ 0xff, target, 0));
        inject(new byte[0]);
        inject(trailer(MapLayouts.TRAILER_MAGIC, 0, 0));
        Thread.sleep(300);
        Map<TcStat, Long> after = tcPackets();
        assertEquals(2L * COUNT, after.get(TcStat.TRAILER_MAGIC) - before.get(TcStat.TRAILER_MAGIC),
                "bad magic and no trailer at all");
        assertEquals(COUNT, after.get(TcStat.TRAILER_IFINDEX) - before.get(TcStat.TRAILER_IFINDEX), "ifindex 0");
        assertEquals(0, after.get(TcStat.TRAILER_REINJECTED) - before.get(TcStat.TRAILER_REINJECTED));
        assertEquals(0, lab.snmp(ROUTER, "Icmp", "InEchos") - echosBefore, "Linux saw none of them");
    }

    @Test
    @Order(5)
    void aRestartedManagerAdoptsTheExceptionDeviceAndItsLink() throws Exception {
        int exc = lab.ifindex(ROUTER, "xg-exc");
        String link = Sh.run("bpftool", "-j", "link", "show", "pinned", PIN_ROOT.resolve("links").resolve("exc-vrf" + VRF).toString());
        String linkId = new com.fasterxml.jackson.databind.ObjectMapper().readTree(link).get("id").asText();
        daemons.killFastPathManager();
        daemons.startFastPathManager(ROUTER + "/" + lab.rH1 + "," + ROUTER + "/" + lab.rH2, "--metrics", "off");
        daemons.awaitLog("fastpath-manager", "exception device xg-exc ready", 2, Duration.ofSeconds(30));
        assertEquals(exc, lab.ifindex(ROUTER, "xg-exc"), "the same device");
        String again = Sh.run("bpftool", "-j", "link", "show", "pinned", PIN_ROOT.resolve("links").resolve("exc-vrf" + VRF).toString());
        assertEquals(linkId, new com.fasterxml.jackson.databind.ObjectMapper().readTree(again).get("id").asText(),
                "the same link, its program replaced in place");
        aValidTrailerDeliversThePacketAsReceivedOnItsInterface();
    }

    @Test
    @Order(6)
    void ctlDetachRemovesTheExceptionDevice() throws Exception {
        daemons.close();
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        int rc = io.xdpgate.ctl.CtlMain.run(new String[] {"detach", "--pin-root", PIN_ROOT.toString(), "--socket",
            SOCKET.toString()}, new java.io.PrintStream(out, true), new java.io.PrintStream(err, true));
        assertEquals(0, rc, "ctl detach: " + out + err);
        assertTrue(out.toString().contains("deleted xg-exc in netns " + ROUTER), out.toString());
        assertFalse(Sh.exec(10, Sh.in(ROUTER, "ip", "link", "show", "dev", "xg-exc")).ok(), "xg-exc is gone");
        assertFalse(Files.exists(PIN_ROOT.resolve("links").resolve("exc-vrf" + VRF)));
    }
}
