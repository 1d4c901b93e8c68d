package io.xdpgate.fpc;

import java.util.Arrays;
import java.util.Objects;

/**
 * LINK_ADD / LINK_DEL: a network interface. Key: (vrf, ifindex), since an ifindex is only unique
 * inside its namespace. {@code flags} are the kernel's IFF_* bits, {@code operState} its IF_OPER_*
 * value, {@code master} the ifindex of the bridge or bond the link is enslaved to (0 = none).
 * {@code mac} is 6 bytes, or empty for links without an Ethernet address. The array is copied in and out.
 */
public record FpcLink(boolean add, int vrf, int ifindex, String name, String kind, byte[] mac, int mtu, int flags,
        int operState, int master) implements FpcMessage {
    public FpcLink {
        FpcChecks.string("link name", name, FpcConstants.MAX_LINK_NAME);
        FpcChecks.string("link kind", kind, FpcConstants.MAX_LINK_KIND);
        mac = FpcChecks.mac("link MAC", mac);
        FpcChecks.unsigned("operational state", operState, 0xff);
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
        return add ? FpcMessageType.LINK_ADD : FpcMessageType.LINK_DEL;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FpcLink l && add == l.add && vrf == l.vrf && ifindex == l.ifindex && mtu == l.mtu
                && flags == l.flags && operState == l.operState && master == l.master && name.equals(l.name)
                && kind.equals(l.kind) && Arrays.equals(mac, l.mac);
    }

    @Override
    public int hashCode() {
        return Objects.hash(add, vrf, ifindex, name, kind, Arrays.hashCode(mac), mtu, flags, operState, master);
    }

    @Override
    public String toString() {
        return "FpcLink[" + (add ? "add" : "del") + " vrf=" + Integer.toUnsignedString(vrf) + " ifindex="
                + Integer.toUnsignedString(ifindex) + " name=" + name + " kind=" + kind + " mac="
                + FpcChecks.formatMac(mac) + " mtu=" + Integer.toUnsignedString(mtu) + " flags=0x"
                + Integer.toHexString(flags) + " operState=" + operState + " master=" + Integer.toUnsignedString(master) + "]";
    }
}
