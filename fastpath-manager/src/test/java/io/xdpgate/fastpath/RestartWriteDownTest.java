package io.xdpgate.fastpath;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xdpgate.ebpf.Port;
import io.xdpgate.fpc.FpcRoute;
import io.xdpgate.fpc.FpcRouteType;
import io.xdpgate.fpc.FpcSyncBegin;
import io.xdpgate.fpc.FpcSyncEnd;
import io.xdpgate.fpc.FpcVrf;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A restarted manager adopts a VRF whose ports were written down for the VRF's sake (here a local route
 * too large to list): the new generation announces the links before the route, so the ports must not be
 * written up in between, which would forward by the main table what Linux delivers locally. They stay
 * down until the VRF's first generation completes, and then follow what it said.
 */
class RestartWriteDownTest extends ForwardingStateFixture {

    private int up() throws Exception {
        return maps.port(VRF, ifindex).flags() & Port.UP;
    }

    private FpcRoute largeLocalRoute(boolean add) throws Exception {
        return new FpcRoute(add, VRF, ForwardingState.RT_TABLE_LOCAL, ip6("2001:db8:206::"), 64, FpcRouteType.LOCAL, List.of());
    }

    private void restartWithTheLargeLocalRoute() throws Exception {
        ok(largeLocalRoute(true));
        ok(new FpcSyncEnd(1));
        assertEquals(0, up());
        restart();
        assertEquals(0, up(), "adopted as they were");
        ok(new FpcSyncBegin(2));
        ok(new FpcVrf(true, VRF, netns));
        ok(link(UP));
        assertEquals(0, up(), "the link alone does not write the port up");
    }

    @Test
    void theRouteStillThereKeepsThePortsDownThroughout() throws Exception {
        restartWithTheLargeLocalRoute();
        ok(largeLocalRoute(true));
        assertEquals(0, up());
        ok(new FpcSyncEnd(2));
        assertEquals(0, up(), "the generation said the route is there");
        assertEquals(1, state.occupancy().vrfsToLinux());
    }

    @Test
    void theRouteGoneThePortsComeUpWhenTheGenerationCompletes() throws Exception {
        restartWithTheLargeLocalRoute();
        ok(new FpcSyncEnd(2));
        assertEquals(Port.UP, up(), "nothing keeps the VRF with Linux any more");
        assertEquals(0, state.occupancy().vrfsToLinux());
    }

    @Test
    void aVrfWithAPortUpIsNotHeld() throws Exception {
        ok(new FpcSyncEnd(1));
        assertEquals(Port.UP, up());
        restart();
        ok(new FpcSyncBegin(2));
        ok(new FpcVrf(true, VRF, netns));
        ok(link(UP));
        assertEquals(Port.UP, up(), "forwarding on through the restart");
        assertEquals(0, state.occupancy().vrfsToLinux());
    }
}
