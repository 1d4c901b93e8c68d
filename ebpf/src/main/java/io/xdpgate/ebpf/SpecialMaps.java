package io.xdpgate.ebpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pinned maps of special exceptions and packet capture (xdpgate.h, after the forwarding maps):
 * the exception device of each VRF, the captured ports and the TC side's counters. Thread-confined.
 */
public final class SpecialMaps implements AutoCloseable {

    /** A port of a VRF. */
    public record PortKey(int vrf, int ifindex) {}

    private final BpfMap excCfg;
    private final BpfMap tcStats;
    private final BpfMap captured;
    private final BpfMap captureOn;
    private final BpfMap vxlan;
    private final BpfMap vxlanTx;

    private SpecialMaps(List<BpfMap> maps) {
        excCfg = maps.get(0);
        tcStats = maps.get(1);
        captured = maps.get(2);
        captureOn = maps.get(3);
        vxlan = maps.get(4);
        vxlanTx = maps.get(5);
    }

    /** Opens the pins; refuses maps whose layout differs from {@link MapLayouts}, listing every difference. */
    public static SpecialMaps open(Path pinRoot) throws BpfException {
        List<BpfMap> opened = new ArrayList<>();
        try {
            List<String> diffs = new ArrayList<>();
            for (MapLayouts.MapDef d : List.of(MapLayouts.EXC_CFG_MAP, MapLayouts.TC_STATS, MapLayouts.CAPTURED,
                    MapLayouts.CAPTURE_ON_MAP, MapLayouts.VXLAN_MAP, MapLayouts.VXLAN_TX_MAP)) {
                BpfMap m = BpfMap.openPinned(pinRoot.resolve(d.name()));
                opened.add(m);
                diffs.addAll(MapCompatibility.differences(MapCompatibility.expected(d), m.info()));
            }
            if (!diffs.isEmpty()) {
                throw MapCompatibility.refused(pinRoot.toString(), diffs);
            }
            return new SpecialMaps(opened);
        } catch (BpfException | RuntimeException e) {
            opened.forEach(BpfMap::close);
            throw e;
        }
    }

    // The exception device

    /** The fast path of vrf sends special exceptions into ifindex (xg-exc-p of its namespace). */
    public void putExceptionDevice(int vrf, int ifindex) throws BpfException {
        excCfg.update(u32(vrf), StructBytes.allocate(MapLayouts.EXC_CFG).host32("ifindex", ifindex)
                .host32("flags", MapLayouts.EXC_CFG_VALID).array());
    }

    public void deleteExceptionDevice(int vrf) throws BpfException {
        excCfg.delete(u32(vrf));
    }

    /** The ifindex special exceptions of vrf are sent into, or 0 if there is none. */
    public int exceptionDevice(int vrf) throws BpfException {
        byte[] v = excCfg.lookup(u32(vrf));
        if (v == null) return 0;
        StructBytes b = StructBytes.wrap(MapLayouts.EXC_CFG, v);
        return (b.host32("flags") & MapLayouts.EXC_CFG_VALID) != 0 ? b.host32("ifindex") : 0;
    }

    // Packet capture

    /**
     * Makes exactly {@code ports} the captured ports. The count the fast path reads first is raised
     * before new entries appear and lowered after old ones go, so that it never says 0 while an
     * entry exists.
     */
    public void setCaptured(Set<PortKey> ports) throws BpfException {
        Set<PortKey> now = captured();
        int count = Math.max(now.size(), ports.size());
        captureOn.update(u32(0), u32(count));
        for (PortKey p : ports) {
            if (!now.contains(p)) {
                captured.update(FastPathMaps.ifKey(p.vrf(), p.ifindex()),
                        StructBytes.allocate(MapLayouts.CAPTURE).host32("flags", MapLayouts.CAPTURE_ON).array());
            }
        }
        for (PortKey p : now) {
            if (!ports.contains(p)) {
                captured.delete(FastPathMaps.ifKey(p.vrf(), p.ifindex()));
            }
        }
        captureOn.update(u32(0), u32(ports.size()));
    }

    public Set<PortKey> captured() throws BpfException {
        Set<PortKey> out = new HashSet<>();
        for (byte[] k : captured.keys()) {
            StructBytes key = StructBytes.wrap(MapLayouts.IF_KEY, k);
            out.add(new PortKey(key.host32("vrf"), key.host32("ifindex")));
        }
        return out;
    }

    // VXLAN decapsulation

    /**
     * The fast path of vrf decapsulates VNI vni sent to local (IPv4), UDP port, whose inner frames
     * addressed to mac it routes in the VRF of the VXLAN device ifindex (deviceVrf).
     */
    public void putVxlan(int vrf, int vni, int ifindex, int deviceVrf, java.net.Inet4Address local, int port,
                         byte[] mac) throws BpfException {
        if (vni < 0 || vni > 0xffffff) throw new IllegalArgumentException("VNI " + vni + " is not 24 bits");
        byte[] value = StructBytes.allocate(MapLayouts.VXLAN).host32("ifindex", ifindex).host32("vrf", deviceVrf)
                .bytes("local", local.getAddress()).bytes("port", new byte[] {(byte) (port >> 8), (byte) port})
                .host16("flags", MapLayouts.VXLAN_VALID).bytes("mac", mac).array();
        vxlan.update(vxlanKey(vrf, vni), value);
    }

    public boolean deleteVxlan(int vrf, int vni) throws BpfException {
        return vxlan.delete(vxlanKey(vrf, vni));
    }

    /** The VXLAN device (ifindex) whose VNI vni the fast path of vrf decapsulates, or 0 if none. */
    public int vxlanDevice(int vrf, int vni) throws BpfException {
        byte[] v = vxlan.lookup(vxlanKey(vrf, vni));
        return v == null ? 0 : StructBytes.wrap(MapLayouts.VXLAN, v).host32("ifindex");
    }

    /** Removes every xg_vxlan entry. */
    public void clearVxlan() throws BpfException {
        for (byte[] k : vxlan.keys()) {
            vxlan.delete(k);
        }
    }

    // VXLAN encapsulation

    /** Traffic the fast path of vrf routes into VXLAN device ifindex gets this outer header (or goes to Linux). */
    public void putVxlanEncap(int vrf, int ifindex, VxlanEncap encap) throws BpfException {
        vxlanTx.update(FastPathMaps.ifKey(vrf, ifindex), encap.encode());
    }

    public boolean deleteVxlanEncap(int vrf, int ifindex) throws BpfException {
        return vxlanTx.delete(FastPathMaps.ifKey(vrf, ifindex));
    }

    /** The encapsulation of VXLAN device ifindex of vrf, or null if there is none. */
    public VxlanEncap vxlanEncap(int vrf, int ifindex) throws BpfException {
        byte[] v = vxlanTx.lookup(FastPathMaps.ifKey(vrf, ifindex));
        return v == null ? null : VxlanEncap.decode(v);
    }

    /** Removes every xg_vxlan_tx entry. */
    public void clearVxlanEncap() throws BpfException {
        for (byte[] k : vxlanTx.keys()) {
            vxlanTx.delete(k);
        }
    }

    private static byte[] vxlanKey(int vrf, int vni) {
        return StructBytes.allocate(MapLayouts.VXLAN_KEY).host32("vrf", vrf).host32("vni", vni).array();
    }

    // Counters

    /** Every TC-side counter, summed over CPUs. */
    public Map<TcStat, Counter> tcStats() throws BpfException {
        Map<TcStat, Counter> out = new EnumMap<>(TcStat.class);
        for (TcStat s : TcStat.values()) {
            Counter sum = Counter.ZERO;
            byte[][] perCpu = tcStats.lookupPerCpu(u32(s.index()));
            if (perCpu != null) {
                for (byte[] v : perCpu) {
                    sum = sum.plus(Counter.decode(v));
                }
            }
            out.put(s, sum);
        }
        return out;
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    @Override
    public void close() {
        for (BpfMap m : List.of(excCfg, tcStats, captured, captureOn, vxlan, vxlanTx)) {
            m.close();
        }
    }
}
