package io.xdpgate.ebpf;

import static io.xdpgate.ebpf.Frames.ip;
import static io.xdpgate.ebpf.Frames.mac;
import static io.xdpgate.ebpf.XdpFixtureTest.EGRESS;
import static io.xdpgate.ebpf.XdpFixtureTest.GW;
import static io.xdpgate.ebpf.XdpFixtureTest.GW_DST;
import static io.xdpgate.ebpf.XdpFixtureTest.LO;
import static io.xdpgate.ebpf.XdpFixtureTest.NH_GW;
import static io.xdpgate.ebpf.XdpFixtureTest.VRF;
import static io.xdpgate.ebpf.XdpFixtureTest.v4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * VXLAN decapsulation in the fast path through BPF_PROG_TEST_RUN: a known VNI to the device's
 * address and port, inner IPv4 to the device's MAC, is decapsulated and the inner packet
 * forwarded; an inner packet the fast path cannot finish becomes a special exception to the VXLAN
 * device (and the exception device's program turns it back into the inner frame); everything
 * else leaves untouched for Linux's vxlan driver.
 */
class VxlanFixtureTest {
    static final int VNI = 4242;
    static final int VXLAN_IF = 30; // the VXLAN device (never sent to in a test run)
    static final int EXC_PEER = 31; // xg-exc-p
    static final int EGRESS_PORT = 42;
    static final byte[] VX_MAC = mac(9);
    static final int LOCAL = ip(203, 0, 113, 1);
    static final int REMOTE = ip(203, 0, 113, 2);
    static final int ROUTER_ADDR = ip(10, 9, 9, 1); // the router's address on the VXLAN device

    private Path pinRoot;
    private FastPathProgram program;
    private TcExceptionProgram exception;
    private FastPathMaps maps;
    private SpecialMaps special;

    @BeforeEach
    void load() throws Exception {
        Files.delete(Privileged.freshPinRoot()); // mounts bpffs if needed; a root with this suite's prefix instead
        pinRoot = Path.of("/sys/fs/bpf", "xgx-test-" + UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectory(pinRoot);
        program = FastPathProgram.load(pinRoot, VRF);
        exception = TcExceptionProgram.load(pinRoot, VRF);
        maps = FastPathMaps.open(pinRoot);
        special = SpecialMaps.open(pinRoot);
        maps.putPort(VRF, LO, new Port(XdpFixtureTest.ROUTER, Port.UP, 1500));
        maps.putPort(VRF, EGRESS_PORT, new Port(EGRESS, Port.UP, 1500));
        maps.putNexthop(NH_GW, Nexthop.resolved(EGRESS_PORT, 1500, GW, EGRESS));
        maps.putRoute4(VRF, v4(ip(198, 51, 100, 0)), 24, Route.unicast(NH_GW));
        maps.putLocal4(VRF, v4(ROUTER_ADDR), VXLAN_IF);
        special.putVxlan(VRF, VNI, VXLAN_IF, VRF, v4(LOCAL), 4789, VX_MAC);
        special.putExceptionDevice(VRF, EXC_PEER);
    }

    @AfterEach
    void unload() throws Exception {
        if (special != null) special.close();
        if (maps != null) maps.close();
        if (exception != null) exception.close();
        if (program != null) program.close();
        Privileged.removePinRoot(pinRoot);
    }

    /** Outer Ethernet/IPv4/UDP/VXLAN around inner, from REMOTE to dst, UDP port, VNI vni. */
    static byte[] vxlan(byte[] inner, int dst, int port, int vni) {
        int ipLen = 20 + 8 + 8 + inner.length;
        ByteBuffer b = ByteBuffer.allocate(14 + ipLen);
        b.put(XdpFixtureTest.ROUTER).put(XdpFixtureTest.HOST).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) ipLen).putShort((short) 1).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 17).putShort((short) 0).putInt(REMOTE).putInt(dst);
        b.putShort((short) 49152).putShort((short) port).putShort((short) (8 + 8 + inner.length)).putShort((short) 0);
        b.put((byte) MapLayouts.VXLAN_FLAG_VNI).put(new byte[3]).putInt(vni << 8);
        b.put(inner);
        byte[] f = b.array();
        int sum = Frames.ipv4Checksum(f, 14, 20);
        f[24] = (byte) (sum >> 8);
        f[25] = (byte) sum;
        return f;
    }

    static Frames inner(int dst) {
        return Frames.ipv4().dmac(VX_MAC).smac(mac(8)).dst(dst);
    }

    private Map<TcStat, Long> tc() throws BpfException {
        Map<TcStat, Long> out = new EnumMap<>(TcStat.class);
        special.tcStats().forEach((s, c) -> out.put(s, c.packets()));
        return out;
    }

    private long stat(Stat s) throws BpfException {
        return maps.stats().get(s).packets();
    }

    private XdpTestRun.Result run(byte[] frame) throws BpfException {
        return XdpTestRun.run(program, frame, LO, 1);
    }

    @Test
    void aKnownVniIsDecapsulatedAndTheInnerPacketForwarded() throws Exception {
        long forwarded = stat(Stat.FORWARDED);
        long decap = tc().get(TcStat.VXLAN_FORWARDED);
        XdpTestRun.Result r = run(vxlan(inner(GW_DST).build(), LOCAL, 4789, VNI));
        assertEquals(XdpTestRun.XDP_REDIRECT, r.verdict());
        assertArrayEquals(Frames.ipv4().dmac(GW).smac(EGRESS).dst(GW_DST).ttl(63).build(), r.output(),
                "the inner frame, rewritten as any forwarded frame");
        assertEquals(forwarded + 1, stat(Stat.FORWARDED));
        assertEquals(decap + 1, tc().get(TcStat.VXLAN_FORWARDED));
    }

    @Test
    void whatIsNotOursStaysUntouchedForLinux() throws Exception {
        Object[][] cases = {
            {"unknown VNI", vxlan(inner(GW_DST).build(), LOCAL, 4789, VNI + 1)},
            {"another UDP port", vxlan(inner(GW_DST).build(), LOCAL, 8472, VNI)},
            {"another local address", vxlan(inner(GW_DST).build(), ip(203, 0, 113, 9), 4789, VNI)},
            {"inner frame to another MAC (bridged)", vxlan(inner(GW_DST).dmac(mac(10)).build(), LOCAL, 4789, VNI)},
            {"inner ARP", vxlan(Frames.arpReply(VX_MAC, mac(8)), LOCAL, 4789, VNI)},
        };
        Map<TcStat, Long> before = tc();
        for (Object[] c : cases) {
            byte[] frame = (byte[]) c[1];
            XdpTestRun.Result r = run(frame);
            assertEquals(XdpTestRun.XDP_PASS, r.verdict(), c[0] + ": verdict");
            assertArrayEquals(frame, r.output(), c[0] + ": unmodified");
        }
        assertEquals(before, tc(), "nothing decapsulated");
    }

    @Test
    void anInnerPacketTheFastPathCannotFinishArrivesOnTheVxlanDevice() throws Exception {
        for (Object[] c : new Object[][] {
            {"to the router's address on the VXLAN device", inner(ROUTER_ADDR).build(), Stat.EXC_LOCAL},
            {"TTL expiring", inner(GW_DST).ttl(1).build(), Stat.EXC_TTL},
            {"no route", inner(ip(100, 64, 0, 1)).build(), Stat.EXC_NO_ROUTE},
        }) {
            String what = (String) c[0];
            byte[] innerFrame = (byte[]) c[1];
            Map<TcStat, Long> before = tc();
            long reason = stat((Stat) c[2]);
            XdpTestRun.Result r = run(vxlan(innerFrame, LOCAL, 4789, VNI));
            assertEquals(XdpTestRun.XDP_REDIRECT, r.verdict(), what + ": into the exception device");
            assertArrayEquals(TcExceptionFixtureTest.concat(innerFrame, TcExceptionFixtureTest.trailer(
                    MapLayouts.TRAILER_MAGIC, MapLayouts.TRAILER_VERSION, MapLayouts.TRAILER_RECEIVE, 0, VXLAN_IF, 0)),
                    r.output(), what + ": the inner frame with a trailer naming the VXLAN device");
            assertEquals(reason + 1, stat((Stat) c[2]), what + ": counted by reason");
            Map<TcStat, Long> after = tc();
            assertEquals(before.get(TcStat.VXLAN_EXCEPTION) + 1, after.get(TcStat.VXLAN_EXCEPTION), what);
            assertEquals(before.get(TcStat.SPECIAL_SENT) + 1, after.get(TcStat.SPECIAL_SENT), what);

            TcExceptionProgram.Result back = exception.testRun(r.output(), LO, 0);
            assertEquals(TcExceptionProgram.TC_ACT_REDIRECT, back.verdict(), what + ": reinjected");
            assertArrayEquals(innerFrame, back.output(), what + ": as Linux receives it on the VXLAN device");
        }
    }

    @Test
    void withoutAnExceptionDeviceTheDecapsulatedExceptionIsDroppedAndCounted() throws Exception {
        special.deleteExceptionDevice(VRF);
        long noDevice = tc().get(TcStat.SPECIAL_NO_DEVICE);
        XdpTestRun.Result r = run(vxlan(inner(ROUTER_ADDR).build(), LOCAL, 4789, VNI));
        assertEquals(XdpTestRun.XDP_DROP, r.verdict());
        assertEquals(noDevice + 1, tc().get(TcStat.SPECIAL_NO_DEVICE));
    }
}
