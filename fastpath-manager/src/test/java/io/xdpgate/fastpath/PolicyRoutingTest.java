package io.xdpgate.fastpath;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xdpgate.ebpf.Port;
import io.xdpgate.fpc.FpcPolicyRouting;
import io.xdpgate.fpc.FpcSyncBegin;
import io.xdpgate.fpc.FpcSyncEnd;
import io.xdpgate.fpc.FpcVrf;
import org.junit.jupiter.api.Test;

/**
 * A VRF whose policy routing rules are not the kernel's defaults has its ports written down (Linux
 * forwards all its traffic) until a DEL or a generation that does not announce them again; a VRF that
 * also holds a large local route stays down until both are gone.
 */
class PolicyRoutingTest extends ForwardingStateFixture {

    private int up() throws Exception {
        return maps.port(VRF, ifindex).flags() & Port.UP;
    }

    @Test
    void rulesOtherThanTheDefaultsWriteThePortsDownWhileTheyLast() throws Exception {
        assertEquals(Port.UP, up());
        ok(new FpcPolicyRouting(true, VRF, FpcPolicyRouting.IPV4));
        assertEquals(0, up(), "the VRF's traffic goes to Linux");
        assertEquals(1, state.occupancy().vrfsToLinux());
        assertEquals(1, state.occupancy().vrfsPolicyRouting());
        ok(link(UP));
        assertEquals(0, up(), "and stays there when its link changes");
        ok(new FpcPolicyRouting(true, VRF, FpcPolicyRouting.IPV4 | FpcPolicyRouting.IPV6));
        assertEquals(0, up());
        ok(new FpcPolicyRouting(false, VRF, 0));
        assertEquals(Port.UP, up(), "the defaults again: the fast path forwards again");
        assertEquals(0, state.occupancy().vrfsToLinux());
        assertEquals(0, state.occupancy().vrfsPolicyRouting());
    }

    @Test
    void aGenerationThatDoesNotAnnounceThemAgainSweepsThem() throws Exception {
        ok(new FpcPolicyRouting(true, VRF, FpcPolicyRouting.IPV6));
        ok(new FpcSyncEnd(1));
        assertEquals(0, up(), "announced in its generation: kept by the sweep");
        ok(new FpcSyncBegin(2, VRF));
        ok(new FpcVrf(true, VRF, netns));
        ok(new FpcPolicyRouting(true, VRF, FpcPolicyRouting.IPV6));
        ok(link(UP));
        ok(new FpcSyncEnd(2, VRF));
        assertEquals(0, up(), "announced again: still down");
        ok(new FpcSyncBegin(3, VRF));
        ok(new FpcVrf(true, VRF, netns));
        ok(link(UP));
        ok(new FpcSyncEnd(3, VRF));
        assertEquals(Port.UP, up(), "a generation without it: forwarding again");
    }

    @Test
    void aFreshManagerLearnsItBeforeTheLinksOfTheGeneration() throws Exception {
        ok(new FpcPolicyRouting(true, VRF, FpcPolicyRouting.IPV4));
        ok(new FpcSyncEnd(1));
        restart(); // adopts the pinned ports, down, and knows nothing of the rules
        assertEquals(0, up());
        ok(new FpcSyncBegin(2));
        ok(new FpcVrf(true, VRF, netns));
        ok(new FpcPolicyRouting(true, VRF, FpcPolicyRouting.IPV4)); // the cache manager's order: before the links
        ok(link(UP));
        assertEquals(0, up(), "never written up in between");
        ok(new FpcSyncEnd(2));
        assertEquals(0, up());
    }

    @Test
    void withALargeLocalRouteTooThePortsComeBackOnlyWhenBothAreGone() throws Exception {
        ok(new FpcPolicyRouting(true, VRF, FpcPolicyRouting.IPV4));
        ok(new io.xdpgate.fpc.FpcRoute(true, VRF, ForwardingState.RT_TABLE_LOCAL, ip6("2001:db8:206::"), 64,
                io.xdpgate.fpc.FpcRouteType.LOCAL, java.util.List.of()));
        ok(new FpcPolicyRouting(false, VRF, 0));
        assertEquals(0, up(), "the local route still sends the VRF to Linux");
        ok(new FpcPolicyRouting(true, VRF, FpcPolicyRouting.IPV4));
        ok(new io.xdpgate.fpc.FpcRoute(false, VRF, ForwardingState.RT_TABLE_LOCAL, ip6("2001:db8:206::"), 64,
                io.xdpgate.fpc.FpcRouteType.LOCAL, java.util.List.of()));
        assertEquals(0, up(), "the rules still do");
        ok(new FpcPolicyRouting(false, VRF, 0));
        assertEquals(Port.UP, up());
    }
}
