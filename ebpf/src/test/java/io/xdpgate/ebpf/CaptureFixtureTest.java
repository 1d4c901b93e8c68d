package io.xdpgate.ebpf;

import static io.xdpgate.ebpf.XdpFixtureTest.EGRESS;
import static io.xdpgate.ebpf.XdpFixtureTest.GW;
import static io.xdpgate.ebpf.XdpFixtureTest.GW_DST;
import static io.xdpgate.ebpf.XdpFixtureTest.LO;
import static io.xdpgate.ebpf.XdpFixtureTest.NH_GW;
import static io.xdpgate.ebpf.XdpFixtureTest.VRF;
import static io.xdpgate.ebpf.XdpFixtureTest.v4;
import static io.xdpgate.ebpf.Frames.ip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xdpgate.ebpf.libbpf.Bpf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Packet capture in the fast path through BPF_PROG_TEST_RUN: while the ingress or the egress port
 * of a packet is captured, XDP leaves it unmodified to Linux (its TC program forwards it, see
 * TcpdumpLabTest); other ports keep XDP forwarding; the ports' TC program lets untagged packets
 * (every ordinary exception) through untouched.
 */
class CaptureFixtureTest {
    static final int EGRESS_PORT = 42; // the ifindex of nexthop 1 here: never sent to in a test run

    private Path pinRoot;
    private FastPathProgram program;
    private FastPathMaps maps;
    private SpecialMaps special;

    @BeforeEach
    void load() throws Exception {
        Files.delete(Privileged.freshPinRoot()); // mounts bpffs if needed; a root with this suite's prefix instead
        pinRoot = Path.of("/sys/fs/bpf", "xgx-test-" + UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectory(pinRoot);
        program = FastPathProgram.load(pinRoot, VRF);
        maps = FastPathMaps.open(pinRoot);
        special = SpecialMaps.open(pinRoot);
        maps.putPort(VRF, LO, new Port(XdpFixtureTest.ROUTER, Port.UP, 1500));
        maps.putPort(VRF, EGRESS_PORT, new Port(EGRESS, Port.UP, 1500));
        maps.putNexthop(NH_GW, Nexthop.resolved(EGRESS_PORT, 1500, GW, EGRESS));
        maps.putRoute4(VRF, v4(ip(198, 51, 100, 0)), 24, Route.unicast(NH_GW));
    }

    @AfterEach
    void unload() throws Exception {
        if (special != null) special.close();
        if (maps != null) maps.close();
        if (program != null) program.close();
        Privileged.removePinRoot(pinRoot);
    }

    private long deferred() throws BpfException {
        return special.tcStats().get(TcStat.CAPTURE_DEFERRED).packets();
    }

    /**
     * The output of a test run starts at the XDP metadata: XG_CAPTURE_META (host order, as the
     * program writes it), then the frame.
     */
    private static byte[] tagged(byte[] frame) {
        return java.nio.ByteBuffer.allocate(4 + frame.length).order(java.nio.ByteOrder.nativeOrder())
                .putInt(MapLayouts.CAPTURE_META).put(frame).array();
    }

    private XdpTestRun.Result run(byte[] frame) throws BpfException {
        return XdpTestRun.run(program, frame, LO, 1);
    }

    @Test
    void capturedIngressOrEgressLeavesThePacketUnmodifiedToLinux() throws Exception {
        byte[] frame = XdpFixtureTest.to(GW_DST).build();
        assertEquals(XdpTestRun.XDP_REDIRECT, run(frame).verdict(), "nothing captured: XDP forwards");

        special.setCaptured(Set.of(new SpecialMaps.PortKey(VRF, LO)));
        long before = deferred();
        XdpTestRun.Result r = run(frame);
        assertEquals(XdpTestRun.XDP_PASS, r.verdict(), "ingress captured");
        assertArrayEquals(tagged(frame), r.output(), "as it arrived, tagged: the taps of the ingress port see the original");
        assertEquals(before + 1, deferred());

        special.setCaptured(Set.of(new SpecialMaps.PortKey(VRF, EGRESS_PORT)));
        r = run(frame);
        assertEquals(XdpTestRun.XDP_PASS, r.verdict(), "egress captured");
        assertArrayEquals(tagged(frame), r.output(), "not rewritten: the TC program forwards it once");
        assertEquals(before + 2, deferred());

        special.setCaptured(Set.of(new SpecialMaps.PortKey(VRF + 1, EGRESS_PORT), new SpecialMaps.PortKey(VRF, 77)));
        assertEquals(XdpTestRun.XDP_REDIRECT, run(frame).verdict(), "other ports captured, other VRFs: XDP forwards");

        special.setCaptured(Set.of());
        assertEquals(XdpTestRun.XDP_REDIRECT, run(frame).verdict(), "capture over: XDP forwards");
        assertEquals(before + 2, deferred());
    }

    @Test
    void thePortsTcProgramLetsUntaggedPacketsThrough() throws Exception {
        byte[] frame = XdpFixtureTest.to(GW_DST).build();
        special.setCaptured(Set.of(new SpecialMaps.PortKey(VRF, LO)));
        Bpf.SkbTestRun r = Bpf.testRunSkb(program.tcProgramFd(), "xg_tc_port", frame, LO, 0);
        assertEquals(TcExceptionProgram.TC_ACT_UNSPEC, r.retval(),
                "no XG_CAPTURE_META: Linux's packet, and the next TC program's (TCX goes on)");
        assertArrayEquals(frame, r.output());
    }
}
