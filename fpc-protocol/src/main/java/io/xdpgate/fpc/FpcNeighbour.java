package io.xdpgate.fpc;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Objects;

/**
 * NEIGHBOUR_ADD / NEIGHBOUR_DEL: an ARP or NDP cache entry. Key: (vrf, ifindex, address).
 * {@code state} holds the kernel's NUD_* bits; {@code mac} is 6 bytes, or empty while unresolved.
 * {@code router} is NTF_ROUTER (IPv6 neighbours that announced themselves as routers).
 */
public record FpcNeighbour(boolean add, int vrf, int ifindex, InetAddress address, int state, byte[] mac,
        boolean router) implements FpcMessage {
    public FpcNeighbour {
        FpcChecks.address("neighbour address", address);
        FpcChecks.unsigned("neighbour state", state, 0xffff);
        mac = FpcChecks.mac("neighbour MAC", mac);
    }

    @Override
    public byte[] mac() {
        return mac.clone();
    }

    byte[] macUnsafe() {
        return mac;
    }

    @Override
    public FpcMessageType messageType() {
        return add ? FpcMessageType.NEIGHBOUR_ADD : FpcMessageType.NEIGHBOUR_DEL;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FpcNeighbour n && add == n.add && vrf == n.vrf && ifindex == n.ifindex
                && state == n.state && router == n.router && address.equals(n.address) && Arrays.equals(mac, n.mac);
    }

    @Override
    public int hashCode() {
        return Objects.hash(add, vrf, ifindex, address, state, Arrays.hashCode(mac), router);
    }

    @Override
    public String toString() {
        return "FpcNeighbour[" + (add ? "add" : "del") + " vrf=" + Integer.toUnsignedString(vrf) + " ifindex="
                + Integer.toUnsignedString(ifindex) + " " + FpcChecks.format(address) + " state=0x"
                + Integer.toHexString(state) + " mac=" + FpcChecks.formatMac(mac) + (router ? " router" : "") + "]";
    }
}
