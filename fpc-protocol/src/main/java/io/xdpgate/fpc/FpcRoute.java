package io.xdpgate.fpc;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * ROUTE_ADD / ROUTE_DEL. Key: (vrf, table, prefix, prefixLength). An ADD replaces the whole route,
 * nexthops included. At most 2048 nexthops, which keeps any route within one message.
 */
public record FpcRoute(boolean add, int vrf, int table, InetAddress prefix, int prefixLength, FpcRouteType type,
        List<FpcNexthop> nexthops) implements FpcMessage {
    public FpcRoute {
        FpcChecks.address("route prefix", prefix);
        FpcChecks.prefixLength(prefix, prefixLength);
        Objects.requireNonNull(type, "route type");
        nexthops = List.copyOf(nexthops);
        if (nexthops.size() > FpcConstants.MAX_NEXTHOPS) {
            throw new IllegalArgumentException(nexthops.size() + " nexthops, at most " + FpcConstants.MAX_NEXTHOPS);
        }
    }

    @Override
    public FpcMessageType messageType() {
        return add ? FpcMessageType.ROUTE_ADD : FpcMessageType.ROUTE_DEL;
    }

    @Override
    public String toString() {
        return "FpcRoute[" + (add ? "add" : "del") + " vrf=" + Integer.toUnsignedString(vrf) + " table="
                + Integer.toUnsignedString(table) + " " + type + " " + FpcChecks.format(prefix) + "/" + prefixLength
                + " " + nexthops + "]";
    }
}
