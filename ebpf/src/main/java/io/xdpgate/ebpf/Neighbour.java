package io.xdpgate.ebpf;

import java.util.Arrays;

/**
 * A neighbour ({@code struct xg_neigh}); state is the low byte of the kernel's NUD_* state. hit is
 * unused and stays false: the fast path records its uses in xg_neigh_used (see {@link NeighbourUse}).
 */
public record Neighbour(byte[] mac, int state, boolean hit) {
    public Neighbour {
        mac = Macs.copy("neighbour mac", mac);
        if ((state & ~0xff) != 0) {
            throw new IllegalArgumentException("neighbour state is 8 bits: " + state);
        }
    }

    @Override
    public byte[] mac() {
        return mac.clone();
    }

    byte[] encode() {
        return StructBytes.allocate(MapLayouts.NEIGH).bytes("mac", mac).u8("state", state).u8("hit", hit ? 1 : 0)
                .array();
    }

    static Neighbour decode(byte[] value) {
        StructBytes b = StructBytes.wrap(MapLayouts.NEIGH, value);
        return new Neighbour(b.bytes("mac"), b.u8("state"), b.u8("hit") != 0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Neighbour n && Arrays.equals(mac, n.mac) && state == n.state && hit == n.hit;
    }

    @Override
    public int hashCode() {
        return (Arrays.hashCode(mac) * 31 + state) * 31 + Boolean.hashCode(hit);
    }

    @Override
    public String toString() {
        return "Neighbour[mac=" + Macs.format(mac) + ", state=0x" + Integer.toHexString(state) + ", hit=" + hit + "]";
    }
}
