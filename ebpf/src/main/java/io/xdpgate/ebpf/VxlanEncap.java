package io.xdpgate.ebpf;

import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The xg_vxlan_tx entry of a VXLAN device: the outer Ethernet/IPv4/UDP/VXLAN header towards its
 * remote endpoint, precomputed by the manager (xdpgate.h). The program completes the outer IPv4
 * total length and checksum, the UDP length and the UDP source port per packet.
 *
 * @param valid   the underlay is resolved; an invalid entry makes the fast path leave the packets to Linux
 * @param egress  the underlay port (ifindex, same VRF)
 * @param mtu     that port's MTU
 * @param header  the {@link MapLayouts#VXLAN_ENCAP_LEN} bytes of the outer header, as on the wire
 * @param portMin the first UDP source port
 * @param portMax one past the last UDP source port
 */
public record VxlanEncap(boolean valid, int egress, int mtu, byte[] header, int portMin, int portMax) {

    /** Linux's default local port range, which the vxlan driver spreads its source ports over. */
    public static final int LINUX_PORT_MIN = 32768;
    public static final int LINUX_PORT_MAX = 61000;
    /** What the vxlan driver uses for a device without a TTL of its own (ip4_dst_hoplimit). */
    public static final int DEFAULT_TTL = 64;

    public VxlanEncap {
        if (header.length != MapLayouts.VXLAN_ENCAP_LEN) {
            throw new IllegalArgumentException("a VXLAN outer header is " + MapLayouts.VXLAN_ENCAP_LEN + " bytes, not "
                    + header.length);
        }
        header = header.clone();
    }

    /** An entry that leaves the device's traffic to Linux (no remote, underlay unresolved). */
    public static VxlanEncap unresolved() {
        return new VxlanEncap(false, 0, 0, new byte[MapLayouts.VXLAN_ENCAP_LEN], LINUX_PORT_MIN, LINUX_PORT_MAX);
    }

    /**
     * The header from dmac/smac (the underlay neighbour and port), src (the device's local address)
     * to dst (the remote endpoint), UDP destination port and VNI; TTL ttl, TOS 0, no DF, ID 0 (as
     * the vxlan driver's defaults, except the ID).
     */
    public static VxlanEncap of(byte[] dmac, byte[] smac, Inet4Address src, Inet4Address dst, int ttl, int port,
                                int vni, int egress, int mtu) {
        ByteBuffer b = ByteBuffer.allocate(MapLayouts.VXLAN_ENCAP_LEN);
        b.put(dmac).put(smac).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) 0) // total length: per packet
                .putShort((short) 0).putShort((short) 0) // ID, no DF
                .put((byte) ttl).put((byte) 17).putShort((short) 0) // checksum: per packet
                .put(src.getAddress()).put(dst.getAddress());
        b.putShort((short) 0).putShort((short) port).putShort((short) 0).putShort((short) 0); // source port, length
        b.put((byte) MapLayouts.VXLAN_FLAG_VNI).put(new byte[3]).putInt(vni << 8);
        return new VxlanEncap(true, egress, mtu, b.array(), LINUX_PORT_MIN, LINUX_PORT_MAX);
    }

    /** The ones' complement sum of the outer IPv4 header's big endian 16-bit words, not folded. */
    public int ipv4Sum() {
        int sum = 0;
        for (int i = 14; i < 34; i += 2) sum += ((header[i] & 0xff) << 8) | (header[i + 1] & 0xff);
        return sum;
    }

    byte[] encode() {
        return StructBytes.allocate(MapLayouts.VXLAN_TX).host32("flags", valid ? MapLayouts.VXLAN_TX_VALID : 0)
                .host32("egress", egress).host32("mtu", mtu).host32("csum", ipv4Sum())
                .host16("port_min", portMin).host16("port_max", portMax).bytes("hdr", header).array();
    }

    static VxlanEncap decode(byte[] value) {
        StructBytes b = StructBytes.wrap(MapLayouts.VXLAN_TX, value);
        byte[] header = Arrays.copyOfRange(value, 20, 20 + MapLayouts.VXLAN_ENCAP_LEN);
        return new VxlanEncap((b.host32("flags") & MapLayouts.VXLAN_TX_VALID) != 0, b.host32("egress"), b.host32("mtu"),
                header, b.host16("port_min") & 0xffff, b.host16("port_max") & 0xffff);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VxlanEncap e && valid == e.valid && egress == e.egress && mtu == e.mtu
                && portMin == e.portMin && portMax == e.portMax && Arrays.equals(header, e.header);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(header) * 31 + egress;
    }

    @Override
    public String toString() {
        return "VxlanEncap[valid=" + valid + ", egress=" + egress + ", mtu=" + mtu + ", header="
                + HexFormat.of().formatHex(header) + ", ports=" + portMin + ".." + portMax + "]";
    }
}
