package io.xdpgate.fastpath;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpgate.fpc.FpcNexthop;
import io.xdpgate.fpc.FpcRoute;
import io.xdpgate.fpc.FpcRouteList;
import io.xdpgate.fpc.FpcRouteType;
import io.xdpgate.fpc.FpcStatus;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The FPC message series say what was applied, however the messages were packed. */
class FastPathMetricsTest {
    @Test
    void aRouteListCountsAsTheRouteAddsItHolds() throws Exception {
        FastPathMetrics metrics = new FastPathMetrics(Map::of, () -> null, List::of, () -> 0);
        FpcRoute route = new FpcRoute(true, 1, 254, InetAddress.getByName("10.1.0.0"), 16, FpcRouteType.UNICAST,
                List.of(new FpcNexthop(2, InetAddress.getByName("192.0.2.1"), 1)));
        metrics.applied(route, FpcStatus.OK);
        metrics.applied(new FpcRouteList(List.of(route, route, route)), FpcStatus.OK);
        String text = metrics.scrape();
        assertTrue(text.contains("xdpgate_fp_fpc_messages_total{type=\"route_add\"} 4.0"), text);
        assertFalse(text.contains("route_add_list"), "no series of its own: " + text);
    }
}
