package io.xdpgate.fastpath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.xdpgate.fpc.FpcHello;
import io.xdpgate.fpc.FpcNexthop;
import io.xdpgate.fpc.FpcRoute;
import io.xdpgate.fpc.FpcRouteType;
import io.xdpgate.fpc.FpcStatus;
import io.xdpgate.fpc.FpcSyncBegin;
import io.xdpgate.fpc.FpcSyncEnd;
import io.xdpgate.fpc.FpcVrf;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A sender that reconnects (its keepalive timed out while the manager was busy) may leave messages of
 * its old connection queued in the manager. Applied after the new connection refreshed the same routes,
 * they would tag them with the abandoned generation, and the new generation's sweep would delete
 * routes the kernel still has. The newest connection of a sender wins; the older one's messages are refused.
 */
class SupersededConnectionTest extends ForwardingStateFixture {

    private FpcRoute route() throws Exception {
        return new FpcRoute(true, VRF, 254, ip("10.9.0.0"), 16, FpcRouteType.UNICAST,
                List.of(new FpcNexthop(ifindex, ip("10.1.0.2"), 1)));
    }

    @Test
    void lateMessagesOfAnOldConnectionNeverSweepWhatTheNewOneRefreshed() throws Exception {
        ConnectionApplier old = new ConnectionApplier(state);
        old.connected(new FpcHello(1, 0, "cache-manager/test"));
        assertEquals(FpcStatus.OK, old.apply(new FpcSyncBegin(10)));
        assertEquals(FpcStatus.OK, old.apply(new FpcVrf(true, VRF, netns)));
        assertEquals(FpcStatus.OK, old.apply(link(UP)));

        ConnectionApplier current = new ConnectionApplier(state);
        current.connected(new FpcHello(1, 0, "cache-manager/test"));
        assertEquals(FpcStatus.OK, current.apply(new FpcSyncBegin(11)));
        assertEquals(FpcStatus.OK, current.apply(new FpcVrf(true, VRF, netns)));
        assertEquals(FpcStatus.OK, current.apply(link(UP)));
        assertEquals(FpcStatus.OK, current.apply(route()));

        assertEquals(FpcStatus.INVALID, old.apply(route()), "the old connection's late message is refused");
        assertEquals(FpcStatus.INVALID, old.apply(new FpcSyncEnd(10)));
        assertEquals(FpcStatus.OK, current.apply(new FpcSyncEnd(11)));
        assertNotNull(maps.lookupRoute4(VRF, ip("10.9.0.0"), 16), "refreshed by the current generation: kept");
        old.connectionClosed();
        assertEquals(FpcStatus.OK, current.apply(new FpcSyncBegin(12)), "closing the old one leaves the new one");
    }
}
