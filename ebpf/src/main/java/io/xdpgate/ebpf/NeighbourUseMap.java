package io.xdpgate.ebpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import io.xdpgate.ebpf.libbpf.MappedLongs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Read-only access to the fast path's record of neighbour uses (xg_neigh_used, xg_nh_used and the
 * neighbours of the slots, xg_nh_gw), for hitflags: it never writes there, and needs no other map.
 */
public final class NeighbourUseMap implements AutoCloseable {

    private static final List<MapLayouts.MapDef> MAPS = List.of(MapLayouts.NEIGH_USED, MapLayouts.NH_USED, MapLayouts.NH_GWS);

    private final BpfMap neighUsed;
    private final BpfMap nhUsed;
    private final BpfMap nhGw;
    private final MappedLongs slotTimes;

    private NeighbourUseMap(List<BpfMap> maps, MappedLongs slotTimes) {
        this.neighUsed = maps.get(0);
        this.nhUsed = maps.get(1);
        this.nhGw = maps.get(2);
        this.slotTimes = slotTimes;
    }

    /** Opens the three pinned maps under {@code pinRoot}, refusing maps of another layout with every difference. */
    public static NeighbourUseMap open(Path pinRoot) throws BpfException {
        List<BpfMap> opened = new ArrayList<>();
        try {
            List<String> diffs = new ArrayList<>();
            for (MapLayouts.MapDef d : MAPS) {
                BpfMap m = BpfMap.openPinned(pinRoot.resolve(d.name()));
                opened.add(m);
                diffs.addAll(MapCompatibility.differences(MapCompatibility.expected(d), m.info()));
            }
            if (!diffs.isEmpty()) throw MapCompatibility.refused(pinRoot.toString(), diffs);
            return new NeighbourUseMap(opened, opened.get(1).mapLongs());
        } catch (BpfException | RuntimeException e) {
            opened.forEach(BpfMap::close);
            throw e;
        }
    }

    /**
     * Every recorded use: the connected neighbours, then the gateway of every slot ever used, as
     * xg_nh_gw names it now (the same neighbour may come more than once).
     */
    public List<NeighbourUse> entries() throws BpfException {
        List<NeighbourUse> out = connectedUses();
        out.addAll(gatewayUses(nhUsed, nhGw));
        return out;
    }

    /**
     * The connected neighbours of xg_neigh_used, by a walk of its keys (entries evicted or added
     * meanwhile may be missed or seen).
     */
    public List<NeighbourUse> connectedUses() throws BpfException {
        return entries(neighUsed);
    }

    /** The time of every xg_nh_used slot (0: never used), by slot, read from a mapping of the array. */
    public long[] gatewayTimes() {
        return slotTimes.read();
    }

    /** The use at {@code time} of the gateway of {@code slot}, as xg_nh_gw names it now; null if none. */
    public NeighbourUse gatewayUse(int slot, long time) throws BpfException {
        return gatewayUse(nhGw, slot, time);
    }

    static NeighbourUse gatewayUse(BpfMap nhGw, int slot, long time) throws BpfException {
        byte[] ref = nhGw.lookup(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(slot).array());
        if (ref == null) return null;
        byte[] t = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(time).array();
        return NeighbourUse.decode(ref, t);
    }

    /** The gateway uses of the xg_nh_used slots that hold a time. */
    static List<NeighbourUse> gatewayUses(BpfMap nhUsed, BpfMap nhGw) throws BpfException {
        List<NeighbourUse> out = new ArrayList<>();
        long[] times = nhUsed.arrayLongs();
        for (int slot = 0; slot < times.length; slot++) {
            if (times[slot] == 0) continue;
            NeighbourUse u = gatewayUse(nhGw, slot, times[slot]);
            if (u != null) out.add(u);
        }
        return out;
    }

    /**
     * A key walk that tolerates the fast path's writes: when the key it stands on is evicted,
     * BPF_MAP_GET_NEXT_KEY starts over from the first key, so keys already seen are skipped and the
     * walk stops after twice the capacity at most.
     */
    static List<NeighbourUse> entries(BpfMap map) throws BpfException {
        List<NeighbourUse> out = new ArrayList<>();
        Set<ByteBuffer> seen = new HashSet<>();
        byte[] key = null;
        for (int steps = 0; steps < 2 * map.maxEntries(); steps++) {
            byte[] next = map.nextKey(key);
            if (next == null) break;
            key = next;
            if (!seen.add(ByteBuffer.wrap(next))) continue;
            byte[] v = map.lookup(next);
            if (v == null) continue; // evicted meanwhile
            NeighbourUse u = NeighbourUse.decode(next, v);
            if (u != null) out.add(u);
        }
        return out;
    }

    @Override
    public void close() {
        slotTimes.close();
        neighUsed.close();
        nhUsed.close();
        nhGw.close();
    }
}
