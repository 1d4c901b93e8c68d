package io.xdpgate.fpc;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;

/**
 * ROUTE_ADD_LIST: route adds in one message, applied in their order exactly as that many ROUTE_ADDs.
 * The client sends it in place of a run of consecutive ROUTE_ADDs, and only to a server whose HELLO
 * has {@link FpcHello#ROUTE_ADD_LISTS}: a table's worth of routes then costs one header, one sequence
 * number and one pass through each side's message handling per list instead of per route. The list's
 * report covers all its routes; a route refused is named in its text.
 *
 * <p>Between 1 and {@value #MAX_ROUTES} routes, all adds; only lists within one message can be sent
 * ({@link #bodyLength} gives each route's share; the encoder refuses a longer one).
 */
public record FpcRouteList(List<FpcRoute> routes) implements FpcMessage {
    /** Routes in one list at most (the count is a u16). */
    public static final int MAX_ROUTES = 0xffff;
    /** The body's own field: the route count, u16. */
    static final int COUNT_LENGTH = 2;

    public FpcRouteList {
        routes = List.copyOf(routes);
        if (routes.isEmpty() || routes.size() > MAX_ROUTES) {
            throw new IllegalArgumentException(routes.size() + " routes in a list, 1 to " + MAX_ROUTES);
        }
        for (FpcRoute r : routes) {
            if (!r.add()) throw new IllegalArgumentException("a route list holds route adds only, not " + r);
        }
        // Its size is not checked here: a decoded list came in one message, the client sizes the lists it
        // forms (bodyLength), and the encoder refuses any message over the maximum. Sizing every route again
        // here cost both daemons C2 compilations of this constructor, again at each new route shape.
    }

    /** The encoded size of an empty list, header included: where a list begins. */
    static int emptyLength() {
        return FpcConstants.HEADER_LENGTH + COUNT_LENGTH;
    }

    /** A ROUTE_ADD's body as encoded (see docs/fpc-protocol.md): the same bytes inside a list. */
    static int bodyLength(FpcRoute r) {
        int n = 4 + 4 + 1 + 1 + addressLength(r.prefix()) + 2 + 4; // vrf, table, type, length, prefix, count, nhid
        for (FpcNexthop nh : r.nexthops()) {
            n += 4 + 2 + addressLength(nh.gateway()); // ifindex, weight, gateway
        }
        return n;
    }

    private static int addressLength(InetAddress a) {
        return a == null ? 1 : a instanceof Inet4Address ? 5 : 17;
    }

    @Override
    public FpcMessageType messageType() {
        return FpcMessageType.ROUTE_ADD_LIST;
    }

    /** Short: a list may hold thousands of routes; the first one names it. */
    @Override
    public String toString() {
        return "FpcRouteList[" + routes.size() + " routes, first " + routes.get(0) + "]";
    }
}
