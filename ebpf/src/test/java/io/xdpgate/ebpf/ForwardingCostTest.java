package io.xdpgate.ebpf;

import static io.xdpgate.ebpf.XdpFixtureTest.GW_DST;
import static io.xdpgate.ebpf.XdpFixtureTest.LO;
import static io.xdpgate.ebpf.XdpFixtureTest.VRF;
import static io.xdpgate.ebpf.XdpFixtureTest.to;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cost per packet through BPF_PROG_TEST_RUN, logged (not asserted: figures vary
 * run to run). A repeated run sees the frame as the previous run left it, so the
 * TTL falls by one per repetition: with TTL 255 a run of 254 repetitions forwards
 * every time, and a run of 1,000,000 forwards 254 packets and then measures the
 * TTL-expired exception (the same lookups, without the rewrite).
 * Each call with repeat &gt; 1 costs about 20 ms of wall time outside the measured
 * loop (the kernel switches its XDP dispatcher in and out), hence few calls.
 */
class ForwardingCostTest {
    private static final Logger LOG = LoggerFactory.getLogger(ForwardingCostTest.class);

    @Test
    void forwardedPathCost() throws Exception {
        Path root = Privileged.freshPinRoot();
        try (FastPathProgram p = FastPathProgram.load(root, VRF); FastPathMaps maps = FastPathMaps.open(root)) {
            XdpFixtureTest.base().apply(maps);
            byte[] frame = to(GW_DST).ttl(255).build();
            int runs = 100;
            int perRun = 254;
            long weighted = 0;
            for (int i = 0; i < runs; i++) {
                XdpTestRun.Result r = XdpTestRun.run(p, frame, LO, perRun);
                assertEquals(XdpTestRun.XDP_REDIRECT, r.verdict());
                weighted += r.durationNs() * perRun;
            }
            Map<Stat, Counter> stats = maps.stats();
            assertEquals((long) runs * perRun, stats.get(Stat.FORWARDED).packets(), "every repetition forwarded");
            assertEquals(0, stats.get(Stat.EXC_TTL).packets());

            XdpTestRun.Result million = XdpTestRun.run(p, frame, LO, 1_000_000);
            XdpTestRun.Result noRoute = XdpTestRun.run(p, to(XdpFixtureTest.NEIGH_DST).build(), LO, 1_000_000);
            LOG.info("forwarded via a resolved gateway: {} ns/packet over {} packets ({} runs of {});"
                    + " repeat=1,000,000 on one frame (254 forwarded, then TTL-expired passes): {} ns/packet;"
                    + " no-route pass: {} ns/packet",
                    weighted / ((long) runs * perRun), (long) runs * perRun, runs, perRun, million.durationNs(),
                    noRoute.durationNs());
        } finally {
            Privileged.removePinRoot(root);
        }
    }

    /** The same through a nexthop group of two members: the flow hash and one more lookup. */
    @Test
    void ecmpForwardedPathCost() throws Exception {
        Path root = Privileged.freshPinRoot();
        try (FastPathProgram p = FastPathProgram.load(root, VRF); FastPathMaps maps = FastPathMaps.open(root)) {
            XdpFixtureTest.base().apply(maps);
            maps.putNexthop(XdpFixtureTest.NH_GW2, Nexthop.resolved(LO, 1500, XdpFixtureTest.GW2, XdpFixtureTest.EGRESS));
            maps.putNexthopGroup(1, NexthopGroup.of(1, new int[] {XdpFixtureTest.NH_GW, XdpFixtureTest.NH_GW2},
                    new int[] {1, 1}));
            maps.putRoute4(VRF, XdpFixtureTest.v4(Frames.ip(198, 51, 100, 0)), 24, Route.group(1));
            byte[] frame = to(GW_DST).protocol(6).ports(40000, 80).ttl(255).build();
            int runs = 100;
            int perRun = 254;
            long weighted = 0;
            for (int i = 0; i < runs; i++) {
                XdpTestRun.Result r = XdpTestRun.run(p, frame, LO, perRun);
                assertEquals(XdpTestRun.XDP_REDIRECT, r.verdict());
                weighted += r.durationNs() * perRun;
            }
            assertEquals((long) runs * perRun, maps.stats().get(Stat.FORWARDED_ECMP).packets());
            LOG.info("forwarded through a group of two nexthops (TCP, flow hash over addresses, protocol and ports):"
                    + " {} ns/packet over {} packets", weighted / ((long) runs * perRun), (long) runs * perRun);
        } finally {
            Privileged.removePinRoot(root);
        }
    }
}
