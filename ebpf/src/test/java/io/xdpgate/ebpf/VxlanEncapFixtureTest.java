package io.xdpgate.ebpf;

import static io.xdpgate.ebpf.Frames.ip;
import static io.xdpgate.ebpf.Frames.mac;
import static io.xdpgate.ebpf.XdpFixtureTest.EGRESS;
import static io.xdpgate.ebpf.XdpFixtureTest.LO;
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
 * VXLAN encapsulation in the fast path through BPF_PROG_TEST_RUN: a packet routed through a
 * nexthop whose egress is a VXLAN device leaves on the underlay port inside the device's outer
 * header (exact bytes below); what the fast path cannot finish goes to Linux unmodified, counted.
 */
class VxlanEncapFixtureTest {
    static final int VNI = 4242;
    static final int VXLAN_IF = 30;
    static final int UNDERLAY_PORT = 42;
    static final int NH_VX = 9;
    static final byte[] VX_MAC = mac(9);          // the VXLAN device: inner source MAC
    static final byte[] INNER_GW = mac(10);       // the inner gateway behind the remote endpoint
    static final byte[] UNDERLAY_GW = mac(11);    // the underlay neighbour towards the endpoint
    static final int LOCAL = ip(203, 0, 113, 1);
    static final int REMOTE = ip(203, 0, 113, 2);
    static final int OVERLAY_DST = ip(10, 20, 0, 5);

    private Path pinRoot;
    private FastPathProgram program;
    private FastPathMaps maps;
    private SpecialMaps special;

    @BeforeEach
    void load() throws Exception {
        Files.delete(Privileged.freshPinRoot()); // mounts bpffs if needed; a root with this suite's prefix instead
        pinRoot = Path.of("/sys/fs/bpf", "xgv-test-" + UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectory(pinRoot);
        program = FastPathProgram.load(pinRoot, VRF);
        maps = FastPathMaps.open(pinRoot);
        special = SpecialMaps.open(pinRoot);
        maps.putPort(VRF, LO, new Port(XdpFixtureTest.ROUTER, Port.UP, 1500));
        maps.putPort(VRF, UNDERLAY_PORT, new Port(EGRESS, Port.UP, 1500));
        maps.putNexthop(NH_VX, new Nexthop(VXLAN_IF, Nexthop.VALID | Nexthop.RESOLVED | Nexthop.VXLAN, 1450,
                INNER_GW, VX_MAC, false));
        maps.putRoute4(VRF, v4(ip(10, 20, 0, 0)), 16, Route.unicast(NH_VX));
        special.putVxlanEncap(VRF, VXLAN_IF, encap(1500));
    }

    @AfterEach
    void unload() throws Exception {
        if (special != null) special.close();
        if (maps != null) maps.close();
        if (program != null) program.close();
        Privileged.removePinRoot(pinRoot);
    }

    static VxlanEncap encap(int mtu) {
        return VxlanEncap.of(UNDERLAY_GW, EGRESS, v4(LOCAL), v4(REMOTE), 64, 4789, VNI, UNDERLAY_PORT, mtu);
    }

    private Map<TcStat, Long> tc() throws BpfException {
        Map<TcStat, Long> out = new EnumMap<>(TcStat.class);
        special.tcStats().forEach((s, c) -> out.put(s, c.packets()));
        return out;
    }

    private long stat(Stat s) throws BpfException {
        return maps.stats().get(s).packets();
    }

    /** The UDP source port Linux's udp_flow_src_port would pick for this hash in the default range. */
    static int sourcePort(int hash) {
        int h = hash ^ (hash << 16);
        long range = VxlanEncap.LINUX_PORT_MAX - VxlanEncap.LINUX_PORT_MIN;
        return (int) (((h & 0xffffffffL) * range) >>> 32) + VxlanEncap.LINUX_PORT_MIN;
    }

    /** The expected output, written out field by field (not with the code under test). */
    static byte[] expected(byte[] innerRewritten, int sport) {
        int ipLen = 20 + 8 + 8 + innerRewritten.length;
        ByteBuffer b = ByteBuffer.allocate(14 + ipLen);
        b.put(UNDERLAY_GW).put(EGRESS).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) ipLen).putShort((short) 0).putShort((short) 0)
                .put((byte) 64).put((byte) 17).putShort((short) 0).putInt(LOCAL).putInt(REMOTE);
        b.putShort((short) sport).putShort((short) 4789).putShort((short) (ipLen - 20)).putShort((short) 0);
        b.put((byte) 0x08).put(new byte[3]).putInt(VNI << 8);
        b.put(innerRewritten);
        byte[] f = b.array();
        int sum = Frames.ipv4Checksum(f, 14, 20);
        f[24] = (byte) (sum >> 8);
        f[25] = (byte) sum;
        return f;
    }

    @Test
    void aPacketRoutedIntoTheVxlanDeviceLeavesEncapsulatedOnTheUnderlayPort() throws Exception {
        for (int[] ports : new int[][] {{40000, 5201}, {40001, 5201}, {1234, 80}}) {
            byte[] in = Frames.ipv4().dst(OVERLAY_DST).ports(ports[0], ports[1]).build();
            long forwarded = stat(Stat.FORWARDED);
            long encapsulated = tc().get(TcStat.VXLAN_ENCAPSULATED);
            XdpTestRun.Result r = XdpTestRun.run(program, in, LO, 1);
            assertEquals(XdpTestRun.XDP_REDIRECT, r.verdict());
            byte[] inner = Frames.ipv4().dst(OVERLAY_DST).ports(ports[0], ports[1]).dmac(INNER_GW).smac(VX_MAC).ttl(63)
                    .build();
            int sport = sourcePort(FlowHash.hash(in, 0));
            assertArrayEquals(expected(inner, sport), r.output(),
                    "outer header towards the endpoint, UDP source port " + sport + ", around the forwarded inner frame");
            assertEquals(forwarded + 1, stat(Stat.FORWARDED));
            assertEquals(encapsulated + 1, tc().get(TcStat.VXLAN_ENCAPSULATED));
        }
    }

    @Test
    void whatTheFastPathCannotEncapsulateGoesToLinuxUnmodifiedAndCounted() throws Exception {
        byte[] in = Frames.ipv4().dst(OVERLAY_DST).build();
        record Case(String what, ThrowingRunnable setup, Stat reason, TcStat tcReason) {}
        Case[] cases = {
            new Case("no encapsulation (no remote known)", () -> special.deleteVxlanEncap(VRF, VXLAN_IF),
                    Stat.EXC_NO_NEIGH, TcStat.VXLAN_ENCAP_TO_LINUX),
            new Case("underlay unresolved", () -> special.putVxlanEncap(VRF, VXLAN_IF, VxlanEncap.unresolved()),
                    Stat.EXC_NO_NEIGH, TcStat.VXLAN_ENCAP_TO_LINUX),
            new Case("outer packet larger than the underlay MTU",
                    () -> special.putVxlanEncap(VRF, VXLAN_IF, encap(46 + 50 - 1)), Stat.EXC_MTU, TcStat.VXLAN_ENCAP_MTU),
            new Case("underlay port captured", () -> {
                special.putVxlanEncap(VRF, VXLAN_IF, encap(1500));
                special.setCaptured(java.util.Set.of(new SpecialMaps.PortKey(VRF, UNDERLAY_PORT)));
            }, Stat.EXC_NOT_PORT, TcStat.VXLAN_ENCAP_TO_LINUX),
        };
        for (Case c : cases) {
            c.setup().run();
            long reason = stat(c.reason());
            Map<TcStat, Long> before = tc();
            XdpTestRun.Result r = XdpTestRun.run(program, in, LO, 1);
            assertEquals(XdpTestRun.XDP_PASS, r.verdict(), c.what() + ": verdict");
            assertArrayEquals(in, r.output(), c.what() + ": unmodified");
            assertEquals(reason + 1, stat(c.reason()), c.what() + ": counted by reason");
            assertEquals(before.get(c.tcReason()) + 1, tc().get(c.tcReason()), c.what() + ": counted as VXLAN");
            assertEquals(before.get(TcStat.VXLAN_ENCAPSULATED), tc().get(TcStat.VXLAN_ENCAPSULATED), c.what());
        }
        special.setCaptured(java.util.Set.of());
    }

    @Test
    void anInnerPacketDecapsulatedAndRoutedIntoAVxlanDeviceGetsThatDevicesOuterHeader() throws Exception {
        // Another VXLAN device (VNI 77, decapsulated here) whose inner packet is routed into VXLAN_IF.
        special.putVxlan(VRF, 77, 31, VRF, v4(LOCAL), 4789, mac(12));
        byte[] inner = Frames.ipv4().dmac(mac(12)).smac(mac(13)).dst(OVERLAY_DST).build();
        byte[] in = VxlanFixtureTest.vxlan(inner, LOCAL, 4789, 77);
        long encapsulated = tc().get(TcStat.VXLAN_ENCAPSULATED);
        XdpTestRun.Result r = XdpTestRun.run(program, in, LO, 1);
        assertEquals(XdpTestRun.XDP_REDIRECT, r.verdict());
        byte[] rewritten = Frames.ipv4().dmac(INNER_GW).smac(VX_MAC).dst(OVERLAY_DST).ttl(63).build();
        assertArrayEquals(expected(rewritten, sourcePort(FlowHash.hash(inner, 0))), r.output(),
                "the old outer header replaced by VXLAN_IF's");
        assertEquals(encapsulated + 1, tc().get(TcStat.VXLAN_ENCAPSULATED));
    }

    @Test
    void anIpv6PacketRoutedIntoTheVxlanDeviceIsLinuxs() throws Exception {
        maps.putRoute6(VRF, Frames6.v6("2001:db8:20::"), 48, Route.unicast(NH_VX));
        byte[] in = Frames6.ipv6().dst("2001:db8:20::5").build();
        XdpTestRun.Result r = XdpTestRun.run(program, in, LO, 1);
        assertEquals(XdpTestRun.XDP_PASS, r.verdict());
        assertArrayEquals(in, r.output());
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
