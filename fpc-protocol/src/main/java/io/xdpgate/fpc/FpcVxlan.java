package io.xdpgate.fpc;

import java.net.InetAddress;

/**
 * VXLAN_ADD / VXLAN_DEL: the parameters of a VXLAN device, sent right after its LINK_ADD (and
 * deleted with it). Key: (vrf, ifindex) of the device. {@code vni} is 24 bits, {@code port} the
 * UDP destination port (host order), {@code local} the local tunnel address or null if unset,
 * {@code remote} the one remote endpoint the device sends to (its {@code remote}, or the destination of
 * its all-zeros FDB entry) or null if none is known, {@code ttl} the outer TTL (0: the default).
 */
public record FpcVxlan(boolean add, int vrf, int ifindex, int vni, int port, InetAddress local, InetAddress remote,
                       int ttl) implements FpcMessage {
    public FpcVxlan {
        FpcChecks.unsigned("VNI", vni, 0xffffff);
        FpcChecks.unsigned("VXLAN port", port, 0xffff);
        FpcChecks.unsigned("VXLAN TTL", ttl, 0xff);
    }

    /** A device without a known remote endpoint and with the default TTL. */
    public FpcVxlan(boolean add, int vrf, int ifindex, int vni, int port, InetAddress local) {
        this(add, vrf, ifindex, vni, port, local, null, 0);
    }

    @Override
    public FpcMessageType messageType() {
        return add ? FpcMessageType.VXLAN_ADD : FpcMessageType.VXLAN_DEL;
    }
}
