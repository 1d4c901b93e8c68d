package io.xdpgate.ebpf;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Read-only access to the pinned xg_neigh_used map alone, for hitflags: it never writes there,
 * and needs none of the manager's maps.
 */
public final class NeighbourUseMap implements AutoCloseable {

    private final BpfMap map;

    private NeighbourUseMap(BpfMap map) {
        this.map = map;
    }

    /** Opens {@code pinRoot}/xg_neigh_used, refusing a map of another layout with every difference. */
    public static NeighbourUseMap open(Path pinRoot) throws BpfException {
        BpfMap m = BpfMap.openPinned(pinRoot.resolve(MapLayouts.NEIGH_USED.name()));
        List<String> diffs = MapCompatibility.differences(MapCompatibility.expected(MapLayouts.NEIGH_USED), m.info());
        if (!diffs.isEmpty()) {
            m.close();
            throw MapCompatibility.refused(pinRoot.toString(), diffs);
        }
        return new NeighbourUseMap(m);
    }

    /** Every entry, by a walk of the keys (entries evicted or added meanwhile may be missed or seen). */
    public List<NeighbourUse> entries() throws BpfException {
        return entries(map);
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
        map.close();
    }
}
