package io.xdpgate.fpc;

import java.net.InetAddress;

/**
 * VXLAN_ADD / VXLAN_DEL: the parameters of a VXLAN device, sent right after its LINK_ADD (and
 * deleted with it). Key: (vrf, ifindex) of the device. {@code vni} is 24 bits, {@code port} the
 * UDP destination port (host order), {@code local} the local tunnel address or null if unset.
 */
public record FpcVxlan(boolean add, int vrf, int ifindex, int vni, int port, InetAddress local) implements FpcMessage {
    public FpcVxlan {
        FpcChecks.unsigned("VNI", vni, 0xffffff);
        FpcChecks.unsigned("VXLAN port", port, 0xffff);
    }

    @Override
    public FpcMessageType messageType() {
        return add ? FpcMessageType.VXLAN_ADD : FpcMessageType.VXLAN_DEL;
    }
}
