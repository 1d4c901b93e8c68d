package io.xdpgate.fpc;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * ROUTE_ADD / ROUTE_DEL. Key: (vrf, table, prefix, prefixLength). An ADD replaces the whole route,
 * nexthops included. At most 2048 nexthops, which keeps any route within one message.
 *
 * <p>{@code nexthopId} is the id of a nexthop object or group (the kernel's RTA_NH_ID) the route points at,
 * or 0 for none; when it is not 0, {@code nexthops} is empty (the object holds the paths).
 */
public record FpcRoute(boolean add, int vrf, int table, InetAddress prefix, int prefixLength, FpcRouteType type,
        List<FpcNexthop> nexthops, int nexthopId) implements FpcMessage {
    public FpcRoute {
        FpcChecks.address("route prefix", prefix);
        FpcChecks.prefixLength(prefix, prefixLength);
        Objects.requireNonNull(type, "route type");
        nexthops = List.copyOf(nexthops);
        if (nexthops.size() > FpcConstants.MAX_NEXTHOPS) {
            throw new IllegalArgumentException(nexthops.size() + " nexthops, at most " + FpcConstants.MAX_NEXTHOPS);
        }
        if (nexthopId != 0 && !nexthops.isEmpty()) {
            throw new IllegalArgumentException("a route through nexthop object " + Integer.toUnsignedString(nexthopId)
                    + " carries no nexthops of its own, has " + nexthops.size());
        }
    }

    /** A route with its own nexthops (no nexthop object: {@code nexthopId} 0). */
    public FpcRoute(boolean add, int vrf, int table, InetAddress prefix, int prefixLength, FpcRouteType type,
            List<FpcNexthop> nexthops) {
        this(add, vrf, table, prefix, prefixLength, type, nexthops, 0);
    }

    @Override
    public FpcMessageType messageType() {
        return add ? FpcMessageType.ROUTE_ADD : FpcMessageType.ROUTE_DEL;
    }

    @Override
    public String toString() {
        return "FpcRoute[" + (add ? "add" : "del") + " vrf=" + Integer.toUnsignedString(vrf) + " table="
                + Integer.toUnsignedString(table) + " " + type + " " + FpcChecks.format(prefix) + "/" + prefixLength
                + (nexthopId != 0 ? " nhid " + Integer.toUnsignedString(nexthopId) : " " + nexthops) + "]";
    }
}
