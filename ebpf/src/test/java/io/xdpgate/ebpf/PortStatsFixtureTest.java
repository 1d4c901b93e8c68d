package io.xdpgate.ebpf;

import static io.xdpgate.ebpf.XdpFixtureTest.EGRESS;
import static io.xdpgate.ebpf.XdpFixtureTest.GW2;
import static io.xdpgate.ebpf.XdpFixtureTest.GW_DST;
import static io.xdpgate.ebpf.XdpFixtureTest.LO;
import static io.xdpgate.ebpf.XdpFixtureTest.NH_GW;
import static io.xdpgate.ebpf.XdpFixtureTest.NH_GW2;
import static io.xdpgate.ebpf.XdpFixtureTest.ROUTER;
import static io.xdpgate.ebpf.XdpFixtureTest.VRF;
import static io.xdpgate.ebpf.XdpFixtureTest.assertOnlyCounter;
import static io.xdpgate.ebpf.XdpFixtureTest.to;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The per-port counters of xg_port_counts through BPF_PROG_TEST_RUN, beyond what every fixture of
 * XdpFixtureTest checks (each reason lands in the ingress port's slot and in xg_stats): one slot per
 * port and VRF, ECMP counted in both forwarded counters of the slot, slot 0 and slots beyond the array
 * counted in xg_stats only, and zeroing a slot.
 */
class PortStatsFixtureTest {
    private static final int SLOT_7 = 9;
    private static final int SLOT_8 = 4095; // the last slot of the array

    private Path root;
    private FastPathProgram p7;
    private FastPathProgram p8;
    private FastPathMaps maps;

    @BeforeEach
    void load() throws Exception {
        root = Privileged.freshPinRoot();
        p7 = FastPathProgram.load(root, VRF);
        p8 = FastPathProgram.load(root, 8);
        maps = FastPathMaps.open(root);
        XdpFixtureTest.base().apply(maps);
    }

    @AfterEach
    void unload() throws Exception {
        if (maps != null) maps.close();
        if (p8 != null) p8.close();
        if (p7 != null) p7.close();
        Privileged.removePinRoot(root);
    }

    @Test
    void theSameInterfaceInTwoVrfsCountsInTheSlotOfEach() throws Exception {
        maps.putPort(VRF, LO, new Port(ROUTER, Port.UP, 1500, SLOT_7));
        maps.putPort(8, LO, new Port(ROUTER, Port.UP, 1500, SLOT_8));
        byte[] frame = to(GW_DST).payload(100).build();
        for (int i = 0; i < 3; i++) assertEquals(XdpTestRun.XDP_REDIRECT, XdpTestRun.run(p7, frame, LO, 1).verdict());
        for (int i = 0; i < 2; i++) assertEquals(XdpTestRun.XDP_PASS, XdpTestRun.run(p8, frame, LO, 1).verdict());

        Map<Stat, Counter> s7 = maps.portStats(SLOT_7);
        Map<Stat, Counter> s8 = maps.portStats(SLOT_8);
        assertEquals(new Counter(3, 3L * frame.length), s7.get(Stat.FORWARDED));
        assertEquals(new Counter(2, 2L * frame.length), s8.get(Stat.EXC_NO_ROUTE), "VRF 8 has no route");
        for (Stat s : Stat.values()) {
            if (s != Stat.FORWARDED) assertEquals(Counter.ZERO, s7.get(s), "slot of VRF 7: " + s.label());
            if (s != Stat.EXC_NO_ROUTE) assertEquals(Counter.ZERO, s8.get(s), "slot of VRF 8: " + s.label());
        }
        assertEquals(new Counter(3, 3L * frame.length), maps.stats().get(Stat.FORWARDED), "xg_stats counts both VRFs");
        assertEquals(new Counter(2, 2L * frame.length), maps.stats().get(Stat.EXC_NO_ROUTE));
    }

    @Test
    void ecmpForwardedCountsInBothForwardedCountersOfThePort() throws Exception {
        maps.putPort(VRF, LO, new Port(ROUTER, Port.UP, 1500, SLOT_7));
        maps.putNexthop(NH_GW2, Nexthop.resolved(LO, 1500, GW2, EGRESS));
        maps.putNexthopGroup(1, NexthopGroup.of(1, new int[] {NH_GW, NH_GW2}, new int[] {1, 1}));
        maps.putRoute4(VRF, XdpFixtureTest.v4(Frames.ip(198, 51, 100, 0)), 24, Route.group(1));
        byte[] frame = to(GW_DST).protocol(6).ports(40000, 80).build();
        assertEquals(XdpTestRun.XDP_REDIRECT, XdpTestRun.run(p7, frame, LO, 1).verdict());
        Map<Stat, Counter> s7 = maps.portStats(SLOT_7);
        assertEquals(new Counter(1, frame.length), s7.get(Stat.FORWARDED));
        assertEquals(new Counter(1, frame.length), s7.get(Stat.FORWARDED_ECMP));
    }

    @Test
    void aPortWithSlotZeroOrBeyondTheArrayIsCountedInXgStatsOnly() throws Exception {
        byte[] frame = to(GW_DST).build();
        for (int slot : new int[] {0, MapLayouts.PORT_STATS_SLOTS, -1}) {
            maps.putPort(VRF, LO, new Port(ROUTER, Port.UP, 1500, slot));
            assertEquals(XdpTestRun.XDP_REDIRECT, XdpTestRun.run(p7, frame, LO, 1).verdict(), "slot " + slot);
        }
        assertEquals(3, maps.stats().get(Stat.FORWARDED).packets());
        // Slot 4096 at index 4096 * 32 would be beyond the array; slot 2^32 - 1 would wrap to (2^27 - 1) * 32 + 0 mod 2^32,
        // inside it: neither may count anywhere. Every slot is read (a few thousand lookups).
        for (int slot = 1; slot < MapLayouts.PORT_STATS_SLOTS; slot++) {
            assertOnlyCounter(maps.portStats(slot), null, 0);
        }
    }

    @Test
    void clearingASlotZeroesEveryCounterOfItAndNoOther() throws Exception {
        maps.putPort(VRF, LO, new Port(ROUTER, Port.UP, 1500, SLOT_7));
        maps.putPort(8, LO, new Port(ROUTER, Port.UP, 1500, SLOT_8));
        byte[] frame = to(GW_DST).build();
        XdpTestRun.run(p7, frame, LO, 1);
        XdpTestRun.run(p7, to(GW_DST).ttl(1).build(), LO, 1);
        XdpTestRun.run(p8, frame, LO, 1);
        maps.clearPortStats(SLOT_7);
        assertOnlyCounter(maps.portStats(SLOT_7), null, 0);
        assertOnlyCounter(maps.portStats(SLOT_8), Stat.EXC_NO_ROUTE, frame.length);
        assertEquals(2, maps.stats().get(Stat.FORWARDED).packets() + maps.stats().get(Stat.EXC_TTL).packets(),
                "xg_stats keeps what it counted");
        assertThrows(IllegalArgumentException.class, () -> maps.clearPortStats(0), "slot 0 is never a port's");
        assertThrows(IllegalArgumentException.class, () -> maps.portStats(MapLayouts.PORT_STATS_SLOTS));
    }
}
