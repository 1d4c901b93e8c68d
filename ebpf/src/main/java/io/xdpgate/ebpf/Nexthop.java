package io.xdpgate.ebpf;

import java.util.Arrays;

/**
 * A nexthop ({@code struct xg_nexthop}): egress port, MTU and the precomputed L2 rewrite.
 * dmac is only used with {@link #RESOLVED}; a {@link #CONNECTED} nexthop takes the
 * destination MAC from xg_neigh4 per packet. hit is unused and stays false: the fast path records
 * its uses of a gateway in xg_neigh_used (see {@link NeighbourUse}).
 */
public record Nexthop(int ifindex, int flags, int mtu, byte[] dmac, byte[] smac, boolean hit) {
    /** XG_NH_VALID: the egress interface is an up fast path port. */
    public static final int VALID = 0x1;
    /** XG_NH_CONNECTED: no gateway, the destination MAC comes from xg_neigh4. */
    public static final int CONNECTED = 0x2;
    /** XG_NH_RESOLVED: a gateway nexthop whose dmac holds the gateway's MAC. */
    public static final int RESOLVED = 0x4;
    /** XG_NH_VXLAN: the egress is a VXLAN device; the fast path encapsulates with its xg_vxlan_tx entry. */
    public static final int VXLAN = 0x8;

    private static final byte[] ZERO_MAC = new byte[6];

    public Nexthop {
        dmac = Macs.copy("nexthop dmac", dmac);
        smac = Macs.copy("nexthop smac", smac);
    }

    /** A gateway nexthop whose MAC is known. */
    public static Nexthop resolved(int ifindex, int mtu, byte[] dmac, byte[] smac) {
        return new Nexthop(ifindex, VALID | RESOLVED, mtu, dmac, smac, false);
    }

    /** A nexthop for directly connected destinations, resolved per packet through xg_neigh4. */
    public static Nexthop connected(int ifindex, int mtu, byte[] smac) {
        return new Nexthop(ifindex, VALID | CONNECTED, mtu, ZERO_MAC, smac, false);
    }

    @Override
    public byte[] dmac() {
        return dmac.clone();
    }

    @Override
    public byte[] smac() {
        return smac.clone();
    }

    byte[] encode() {
        return StructBytes.allocate(MapLayouts.NEXTHOP).host32("ifindex", ifindex).host32("flags", flags)
                .host32("mtu", mtu).bytes("dmac", dmac).bytes("smac", smac).u8("hit", hit ? 1 : 0).array();
    }

    static Nexthop decode(byte[] value) {
        StructBytes b = StructBytes.wrap(MapLayouts.NEXTHOP, value);
        return new Nexthop(b.host32("ifindex"), b.host32("flags"), b.host32("mtu"), b.bytes("dmac"), b.bytes("smac"),
                b.u8("hit") != 0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Nexthop n && ifindex == n.ifindex && flags == n.flags && mtu == n.mtu
                && Arrays.equals(dmac, n.dmac) && Arrays.equals(smac, n.smac) && hit == n.hit;
    }

    @Override
    public int hashCode() {
        int h = ifindex;
        h = h * 31 + flags;
        h = h * 31 + mtu;
        h = h * 31 + Arrays.hashCode(dmac);
        h = h * 31 + Arrays.hashCode(smac);
        return h * 31 + Boolean.hashCode(hit);
    }

    @Override
    public String toString() {
        return "Nexthop[ifindex=" + ifindex + ", flags=0x" + Integer.toHexString(flags) + ", mtu=" + mtu
                + ", dmac=" + Macs.format(dmac) + ", smac=" + Macs.format(smac) + ", hit=" + hit + "]";
    }
}
