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
 * @param vxlan  the VXLAN parameters when {@code kind} is "vxlan", null otherwise
 * @param link   IFLA_LINK: the ifindex of the peer (veth) or lower device (vlan, macvlan), 0 if none. When
 *               {@code linkNetnsid} is not -1 that ifindex belongs to the namespace with that id.
 * @param linkNetnsid IFLA_LINK_NETNSID: the id (see {@link NetnsId}) of the namespace holding {@code link},
 *               -1 when it is this namespace or there is no link
 */
public record Link(int ifindex, String name, String kind, byte[] mac, int mtu, int flags, int operState, int master,
                   VxlanInfo vxlan, int link, int linkNetnsid)
        implements RtnlObject {
    public Link {
        mac = MacAddresses.copy(mac);
    }

    /** A link without VXLAN parameters and without IFLA_LINK / IFLA_LINK_NETNSID. */
    public Link(int ifindex, String name, String kind, byte[] mac, int mtu, int flags, int operState, int master) {
        this(ifindex, name, kind, mac, mtu, flags, operState, master, null, 0, Rtnl.NETNSA_NSID_NOT_ASSIGNED);
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
                && operState == l.operState && master == l.master && link == l.link && linkNetnsid == l.linkNetnsid
                && Objects.equals(name, l.name) && Objects.equals(kind, l.kind) && Arrays.equals(mac, l.mac)
                && Objects.equals(vxlan, l.vxlan);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ifindex, name, kind, Arrays.hashCode(mac), mtu, flags, operState, master, vxlan, link,
                linkNetnsid);
    }

    @Override
    public String toString() {
        return "Link[ifindex=" + ifindex + ", name=" + name + ", kind=" + kind + ", mac=" + MacAddresses.format(mac)
                + ", mtu=" + mtu + ", flags=0x" + Integer.toHexString(flags) + ", operState=" + operState
                + ", master=" + master + ", vxlan=" + vxlan + ", link=" + link + ", linkNetnsid=" + linkNetnsid + "]";
    }
}
