package io.xdpgate.fpc;

import java.net.InetAddress;

/** ADDRESS_ADD / ADDRESS_DEL: an address configured on a link. Key: (vrf, ifindex, address, prefixLength). */
public record FpcAddress(boolean add, int vrf, int ifindex, int prefixLength, InetAddress address)
        implements FpcMessage {
    public FpcAddress {
        FpcChecks.address("address", address);
        FpcChecks.prefixLength(address, prefixLength);
    }

    @Override
    public FpcMessageType messageType() {
        return add ? FpcMessageType.ADDRESS_ADD : FpcMessageType.ADDRESS_DEL;
    }

    @Override
    public String toString() {
        return "FpcAddress[" + (add ? "add" : "del") + " vrf=" + Integer.toUnsignedString(vrf)
                + " ifindex=" + Integer.toUnsignedString(ifindex) + " " + FpcChecks.format(address) + "/" + prefixLength + "]";
    }
}
