package io.xdpgate.fastpath;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpgate.ebpf.MapLayouts;
import io.xdpgate.ebpf.libbpf.Bpf;
import io.xdpgate.fpc.FpcLink;
import io.xdpgate.fpc.FpcVrf;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A VRF whose program failed to load is served as soon as a load succeeds, without waiting for a change
 * of its links: the manager's housekeeping calls {@link ForwardingState#retryFailedLoads}, as this test does.
 */
class ProgramLoadRetryTest extends ForwardingStateFixture {
    private static final int OTHER_VRF = 6;

    private String otherNetns;

    @AfterEach
    void removeOtherNamespace() throws Exception {
        if (otherNetns != null) TestSupport.sh("ip", "netns", "del", otherNetns);
    }

    @Test
    void aVrfWhoseProgramFailedToLoadIsAttachedOnceItLoads() throws Exception {
        otherNetns = netns + "b";
        TestSupport.sh("ip", "netns", "add", otherNetns);
        TestSupport.sh("ip", "-n", otherNetns, "link", "add", "xga", "type", "veth", "peer", "name", "xgb");
        TestSupport.sh("ip", "-n", otherNetns, "link", "set", "xga", "up");
        TestSupport.sh("ip", "-n", otherNetns, "link", "set", "xgb", "up");
        int otherIfindex = Integer.parseInt(
                TestSupport.sh("ip", "-n", otherNetns, "-o", "link", "show", "xga").split(":")[0].trim());

        // The load fails: a map the programs share, xg_clock, is pinned with another layout for a while.
        Path clock = pinRoot.resolve(MapLayouts.CLOCK_MAP.name());
        Path aside = pinRoot.resolve("xg_clock_aside");
        Files.move(clock, aside);
        try {
            int fd = Bpf.mapCreate(MapLayouts.BPF_MAP_TYPE_ARRAY, "xg_clock", 4, 4, 1);
            try {
                Bpf.objPin(fd, clock);
            } finally {
                Bpf.close(fd);
            }
            ok(new FpcVrf(true, OTHER_VRF, otherNetns));
            ok(new FpcLink(true, OTHER_VRF, otherIfindex, "xga", "veth", PORT_MAC, 1500, UP, 6, 0));
            assertFalse(attached(OTHER_VRF, otherIfindex), "the program did not load");
            state.retryFailedLoads(); // not due yet, and it would fail again
            assertFalse(attached(OTHER_VRF, otherIfindex));
        } finally {
            Files.deleteIfExists(clock);
            Files.move(aside, clock);
        }

        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!attached(OTHER_VRF, otherIfindex)) {
            assertTrue(System.nanoTime() < deadline, "the port was not attached within 10 s of the map's return");
            Thread.sleep(100);
            state.retryFailedLoads();
        }
        assertNotNull(maps.port(OTHER_VRF, otherIfindex), "its port entry is written");
        assertTrue(TestSupport.sh("ip", "-n", otherNetns, "link", "show", "xga").contains("xdp"),
                "ip shows the program on the port");
    }

    private boolean attached(int vrf, int ifindex) {
        return state.dataplanes().stream().anyMatch(d -> d.vrf() == vrf && d.isAttached(ifindex));
    }
}
