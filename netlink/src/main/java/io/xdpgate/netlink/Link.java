package io.xdpgate.netlink;

import java.util.Arrays;
import java.util.Objects;

/**
 * A network interface (RTM_NEWLINK / RTM_DELLINK).
 *
 * @param kind   IFLA_INFO_KIND ("veth", "bridge", ...), null for devices without one (loopback, physical)
 * @param mac    IFLA_ADDRESS, null when the device has none; copied in and out
 * @param flags  IFF_* flags
 * @param operState IF_OPER_* (IFLA_OPERSTATE)
 * @param master ifindex of the master device (bridge, bond), 0 if none
 */
public record Link(int ifindex, String name, String kind, byte[] mac, int mtu, int flags, int operState, int master)
        implements RtnlObject {
    public Link {
        mac = MacAddresses.copy(mac);
    }

    @Override
    public byte[] mac() {
        return MacAddresses.copy(mac);
    }

    /** Administratively up (IFF_UP) and with carrier (IFF_LOWER_UP): only then can it forward. */
    public boolean isUp() {
        return (flags & Rtnl.IFF_UP) != 0 && (flags & Rtnl.IFF_LOWER_UP) != 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Link l && ifindex == l.ifindex && mtu == l.mtu && flags == l.flags
                && operState == l.operState && master == l.master && Objects.equals(name, l.name)
                && Objects.equals(kind, l.kind) && Arrays.equals(mac, l.mac);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ifindex, name, kind, Arrays.hashCode(mac), mtu, flags, operState, master);
    }

    @Override
    public String toString() {
        return "Link[ifindex=" + ifindex + ", name=" + name + ", kind=" + kind + ", mac=" + MacAddresses.format(mac)
                + ", mtu=" + mtu + ", flags=0x" + Integer.toHexString(flags) + ", operState=" + operState
                + ", master=" + master + "]";
    }
}
