package io.xdpgate.ebpf;

import java.util.Arrays;

/**
 * A fast path port ({@code struct xg_port}): an interface that runs the program and may be a redirect target.
 * {@code statsSlot} names the port's counters in xg_port_counts; 0: the port is counted in xg_stats only.
 */
public record Port(byte[] mac, int flags, int mtu, int statsSlot) {
    /** XG_PORT_UP: IFF_UP and IFF_LOWER_UP, the port may receive and send. */
    public static final int UP = 0x1;

    public Port {
        mac = Macs.copy("port mac", mac);
        if ((flags & ~0xffff) != 0) {
            throw new IllegalArgumentException("port flags are 16 bits: " + flags);
        }
    }

    /** A port without counters of its own (stats slot 0). */
    public Port(byte[] mac, int flags, int mtu) {
        this(mac, flags, mtu, 0);
    }

    @Override
    public byte[] mac() {
        return mac.clone();
    }

    public boolean isUp() {
        return (flags & UP) != 0;
    }

    /** The same port with its counters in slot {@code slot} of xg_port_counts. */
    public Port withStatsSlot(int slot) {
        return new Port(mac, flags, mtu, slot);
    }

    byte[] encode() {
        return StructBytes.allocate(MapLayouts.PORT).bytes("mac", mac).host16("flags", flags).host32("mtu", mtu)
                .host32("stats_slot", statsSlot).array();
    }

    static Port decode(byte[] value) {
        StructBytes b = StructBytes.wrap(MapLayouts.PORT, value);
        return new Port(b.bytes("mac"), b.host16("flags"), b.host32("mtu"), b.host32("stats_slot"));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Port p && Arrays.equals(mac, p.mac) && flags == p.flags && mtu == p.mtu
                && statsSlot == p.statsSlot;
    }

    @Override
    public int hashCode() {
        return ((Arrays.hashCode(mac) * 31 + flags) * 31 + mtu) * 31 + statsSlot;
    }

    @Override
    public String toString() {
        return "Port[mac=" + Macs.format(mac) + ", flags=0x" + Integer.toHexString(flags) + ", mtu=" + mtu
                + ", statsSlot=" + statsSlot + "]";
    }
}
