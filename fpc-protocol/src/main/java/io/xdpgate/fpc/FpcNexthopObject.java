package io.xdpgate.fpc;

import java.net.InetAddress;

/**
 * NEXTHOP_ADD / NEXTHOP_DEL: a kernel nexthop object (RTM_NEWNEXTHOP, {@code ip nexthop}). Key: (vrf, id).
 * {@code id} is the kernel's nexthop id (NHA_ID, never 0: 0 means "no nexthop object" in a route);
 * {@code ifindex} the egress device (NHA_OIF), {@code gateway} its gateway (NHA_GATEWAY, null when the
 * destination is directly connected). A blackhole nexthop (NHA_BLACKHOLE) has neither: ifindex 0 and
 * no gateway. Nexthop objects and groups share the kernel's id space.
 */
public record FpcNexthopObject(boolean add, int vrf, int id, int ifindex, InetAddress gateway, boolean blackhole)
        implements FpcMessage {
    public FpcNexthopObject {
        if (id == 0) {
            throw new IllegalArgumentException("nexthop id 0 is reserved (no nexthop)");
        }
        if (blackhole && (ifindex != 0 || gateway != null)) {
            throw new IllegalArgumentException("a blackhole nexthop has no ifindex (" + Integer.toUnsignedString(ifindex)
                    + ") and no gateway (" + FpcChecks.format(gateway) + ")");
        }
    }

    @Override
    public FpcMessageType messageType() {
        return add ? FpcMessageType.NEXTHOP_ADD : FpcMessageType.NEXTHOP_DEL;
    }

    @Override
    public String toString() {
        return "FpcNexthopObject[" + (add ? "add" : "del") + " vrf=" + Integer.toUnsignedString(vrf) + " id="
                + Integer.toUnsignedString(id) + " "
                + (blackhole ? "blackhole" : (gateway == null ? "dev " : "via " + FpcChecks.format(gateway) + " dev ")
                        + Integer.toUnsignedString(ifindex)) + "]";
    }
}
