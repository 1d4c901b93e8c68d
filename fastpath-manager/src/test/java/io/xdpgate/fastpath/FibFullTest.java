package io.xdpgate.fastpath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.ebpf.MapLayouts;
import io.xdpgate.ebpf.Port;
import io.xdpgate.ebpf.Route;
import io.xdpgate.fpc.FpcNexthop;
import io.xdpgate.fpc.FpcRoute;
import io.xdpgate.fpc.FpcRouteType;
import io.xdpgate.fpc.FpcStatus;
import io.xdpgate.fpc.FpcSyncBegin;
import io.xdpgate.fpc.FpcSyncEnd;
import io.xdpgate.fpc.FpcVrf;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A route that does not fit its map would leave its traffic to a shorter prefix: the VRF's ports
 * go down in the fast path instead (all its traffic to Linux) until a resynchronization fits.
 */
class FibFullTest extends ForwardingStateFixture {

    @Test
    void aVrfWhoseRouteDoesNotFitGoesToLinuxUntilAResyncFits() throws Exception {
        assertEquals(Port.UP, maps.port(VRF, ifindex).flags() & Port.UP);
        List<FastPathMaps.Route6Entry> filler = new ArrayList<>();
        for (int i = 0; i < MapLayouts.FIB6_MAX; i++) {
            byte[] a = ByteBuffer.allocate(16).putLong(0x2001_0db8_0000_0000L | (long) i << 16).putLong(0).array();
            filler.add(new FastPathMaps.Route6Entry(99, (Inet6Address) Inet6Address.getByAddress(null, a, -1), 48,
                    new Route(Route.BLACKHOLE, 0)));
        }
        maps.putRoutes6(filler); // xg_fib6 is full, with another VRF's routes

        FpcRoute route = new FpcRoute(true, VRF, 254, ip6("2001:db8:77::"), 48, FpcRouteType.UNICAST,
                List.of(new FpcNexthop(ifindex, ip6("2001:db8:ffff::1"), 1)));
        assertEquals(FpcStatus.NO_SPACE, applier.apply(route));
        assertEquals(0, maps.port(VRF, ifindex).flags() & Port.UP, "the VRF's traffic goes to Linux");
        ok(link(UP));
        assertEquals(0, maps.port(VRF, ifindex).flags() & Port.UP, "and stays there when its link changes");
        ok(new FpcSyncEnd(1));
        assertEquals(0, maps.port(VRF, ifindex).flags() & Port.UP, "a generation that did not fit changes nothing");

        maps.deleteRoute6(99, filler.get(0).prefix(), 48); // room for one route
        ok(new FpcSyncBegin(2));
        ok(new FpcVrf(true, VRF, netns));
        ok(link(UP));
        ok(route);
        ok(new FpcSyncEnd(2));
        assertNotNull(maps.lookupRoute6(VRF, ip6("2001:db8:77::"), 48));
        assertEquals(Port.UP, maps.port(VRF, ifindex).flags() & Port.UP, "every route fits: the fast path forwards again");
        assertNull(maps.lookupRoute6(99, filler.get(0).prefix(), 48));
    }
}
