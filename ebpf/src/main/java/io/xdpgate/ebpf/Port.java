package io.xdpgate.ebpf;

import java.util.Arrays;

/** A fast path port ({@code struct xg_port}): an interface that runs the program and may be a redirect target. */
public record Port(byte[] mac, int flags, int mtu) {
    /** XG_PORT_UP: IFF_UP and IFF_LOWER_UP, the port may receive and send. */
    public static final int UP = 0x1;

    public Port {
        mac = Macs.copy("port mac", mac);
        if ((flags & ~0xffff) != 0) {
            throw new IllegalArgumentException("port flags are 16 bits: " + flags);
        }
    }

    @Override
    public byte[] mac() {
        return mac.clone();
    }

    public boolean isUp() {
        return (flags & UP) != 0;
    }

    byte[] encode() {
        return StructBytes.allocate(MapLayouts.PORT).bytes("mac", mac).host16("flags", flags).host32("mtu", mtu).array();
    }

    static Port decode(byte[] value) {
        StructBytes b = StructBytes.wrap(MapLayouts.PORT, value);
        return new Port(b.bytes("mac"), b.host16("flags"), b.host32("mtu"));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Port p && Arrays.equals(mac, p.mac) && flags == p.flags && mtu == p.mtu;
    }

    @Override
    public int hashCode() {
        return (Arrays.hashCode(mac) * 31 + flags) * 31 + mtu;
    }

    @Override
    public String toString() {
        return "Port[mac=" + Macs.format(mac) + ", flags=0x" + Integer.toHexString(flags) + ", mtu=" + mtu + "]";
    }
}
