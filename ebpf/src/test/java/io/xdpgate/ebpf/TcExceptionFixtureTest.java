package io.xdpgate.ebpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xdpgate.ebpf.libbpf.Bpf;
import io.xdpgate.ebpf.libbpf.BpfObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The exception device's TC program through BPF_PROG_TEST_RUN: a valid trailer is stripped, the
 * mark restored and the packet redirected; every malformed trailer is dropped and counted by its
 * reason, and nothing else is counted. The fast path's side (xg_special_exception of xg_special.h,
 * through a test-only XDP program) appends exactly the trailer the TC program takes off.
 */
class TcExceptionFixtureTest {
    static final int VRF = 7;
    static final int LO = 1; // the exception device of the test runs: the skb arrives "on" lo
    static final int PEER = 9; // xg-exc-p of VRF 7 as the manager would write it
    static final int TARGET = 5;

    private Path pinRoot;
    private TcExceptionProgram program;
    private SpecialMaps maps;

    @BeforeEach
    void load() throws Exception {
        Privileged.requireRoot();
        Files.delete(Privileged.freshPinRoot()); // mounts bpffs if needed; a root with this suite's prefix instead
        pinRoot = Path.of("/sys/fs/bpf", "xgx-test-" + UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectory(pinRoot);
        FastPathProgram.load(pinRoot, VRF).close(); // creates every pinned map, as the manager does at start
        program = TcExceptionProgram.load(pinRoot, VRF);
        maps = SpecialMaps.open(pinRoot);
        maps.putExceptionDevice(VRF, PEER);
    }

    @AfterEach
    void unload() throws Exception {
        if (maps != null) maps.close();
        if (program != null) program.close();
        Privileged.removePinRoot(pinRoot);
    }

    static byte[] packet() {
        return Frames.ipv4().build();
    }

    /** A trailer as docs/exception-trailer.md describes it, every field big endian. */
    static byte[] trailer(int magic, int version, int type, int reason, int ifindex, int mark) {
        return ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN).putInt(magic).put((byte) version)
                .put((byte) type).putShort((short) reason).putInt(ifindex).putInt(mark).array();
    }

    static byte[] valid(int ifindex, int mark) {
        return trailer(MapLayouts.TRAILER_MAGIC, MapLayouts.TRAILER_VERSION, MapLayouts.TRAILER_RECEIVE, 3, ifindex,
                mark);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private Map<TcStat, Long> packets() throws BpfException {
        Map<TcStat, Long> out = new EnumMap<>(TcStat.class);
        maps.tcStats().forEach((s, c) -> out.put(s, c.packets()));
        return out;
    }

    /** Runs frame and checks that exactly counter {@code stat} rose, by one. */
    private TcExceptionProgram.Result runCounted(byte[] frame, int mark, TcStat stat) throws BpfException {
        Map<TcStat, Long> before = packets();
        TcExceptionProgram.Result r = program.testRun(frame, LO, mark);
        Map<TcStat, Long> after = packets();
        for (TcStat s : TcStat.values()) {
            long expected = before.get(s) + (s == stat ? 1 : 0);
            assertEquals(expected, after.get(s), "counter " + s + " after a frame that must count " + stat);
        }
        return r;
    }

    @Test
    void validTrailerIsStrippedTheMarkRestoredAndThePacketRedirected() throws Exception {
        byte[] packet = packet();
        TcExceptionProgram.Result r = runCounted(concat(packet, valid(TARGET, 0x00c0ffee)), 0,
                TcStat.TRAILER_REINJECTED);
        assertEquals(TcExceptionProgram.TC_ACT_REDIRECT, r.verdict(), "verdict");
        assertArrayEquals(packet, r.output(), "the packet without its trailer");
        assertEquals(0x00c0ffee, r.mark(), "skb mark from the trailer");
    }

    @Test
    void malformedTrailersAreDroppedAndCountedByReason() throws Exception {
        byte[] packet = packet();
        int m = MapLayouts.TRAILER_MAGIC;
        int v = MapLayouts.TRAILER_VERSION;
        int rx = MapLayouts.TRAILER_RECEIVE;
        Object[][] cases = {
            {"shorter than an Ethernet header and a trailer", Arrays.copyOf(valid(TARGET, 1), 14 + 15),
                TcStat.TRAILER_SHORT},
            {"no trailer at all", packet, TcStat.TRAILER_MAGIC},
            {"bad magic", concat(packet, trailer(m ^ 1, v, rx, 3, TARGET, 1)), TcStat.TRAILER_MAGIC},
            {"version 2", concat(packet, trailer(m, 2, rx, 3, TARGET, 1)), TcStat.TRAILER_VERSION},
            {"version 0", concat(packet, trailer(m, 0, rx, 3, TARGET, 1)), TcStat.TRAILER_VERSION},
            {"unknown type 2", concat(packet, trailer(m, v, 2, 3, TARGET, 1)), TcStat.TRAILER_TYPE},
            {"type 0", concat(packet, trailer(m, v, 0, 3, TARGET, 1)), TcStat.TRAILER_TYPE},
            {"ifindex 0", concat(packet, trailer(m, v, rx, 3, 0, 1)), TcStat.TRAILER_IFINDEX},
            {"ifindex of the exception device itself", concat(packet, trailer(m, v, rx, 3, LO, 1)),
                TcStat.TRAILER_IFINDEX},
            {"ifindex of the exception device's peer", concat(packet, trailer(m, v, rx, 3, PEER, 1)),
                TcStat.TRAILER_IFINDEX},
            {"negative ifindex", concat(packet, trailer(m, v, rx, 3, 0x80000001, 1)), TcStat.TRAILER_IFINDEX},
        };
        for (Object[] c : cases) {
            TcExceptionProgram.Result r = runCounted((byte[]) c[1], 0, (TcStat) c[2]);
            assertEquals(TcExceptionProgram.TC_ACT_SHOT, r.verdict(), c[0] + ": verdict");
        }
    }

    @Test
    void theFastPathAppendsTheTrailerTheExceptionDeviceTakesOff() throws Exception {
        Path object = Path.of(TcExceptionFixtureTest.class.getResource("/bpf/special_exception_fixture.bpf.o").toURI());
        byte[] packet = packet();
        try (BpfObject o = BpfObject.open(object, pinRoot)) {
            o.setRodata(ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putInt(VRF).putInt(TARGET).putInt(3)
                    .putInt(0x5eed).array());
            o.load();
            int fd = o.programFd("xg_fixture_special");
            Map<TcStat, Long> before = packets();
            Bpf.TestRun sent = Bpf.testRunXdp(fd, "xg_fixture_special", packet, LO, 1);
            assertEquals(XdpTestRun.XDP_REDIRECT, sent.retval(), "the fast path redirects into the exception device");
            assertArrayEquals(concat(packet, valid(TARGET, 0x5eed)), sent.output(), "the packet and its trailer");
            assertEquals(before.get(TcStat.SPECIAL_SENT) + 1, packets().get(TcStat.SPECIAL_SENT), "special_sent");

            TcExceptionProgram.Result r = runCounted(sent.output(), 0, TcStat.TRAILER_REINJECTED);
            assertEquals(TcExceptionProgram.TC_ACT_REDIRECT, r.verdict());
            assertArrayEquals(packet, r.output());
            assertEquals(0x5eed, r.mark());

            maps.deleteExceptionDevice(VRF);
            Bpf.TestRun dropped = Bpf.testRunXdp(fd, "xg_fixture_special", packet, LO, 1);
            assertEquals(XdpTestRun.XDP_DROP, dropped.retval(), "no exception device: the changed packet is dropped");
            assertEquals(before.get(TcStat.SPECIAL_NO_DEVICE) + 1, packets().get(TcStat.SPECIAL_NO_DEVICE));
        }
    }
}
