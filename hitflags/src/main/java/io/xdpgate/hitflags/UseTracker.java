package io.xdpgate.hitflags;

import io.xdpgate.ebpf.BpfException;
import io.xdpgate.ebpf.NeighbourUse;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which neighbours the fast path used since the previous scan: connected neighbours whose recorded
 * time changed or that are new in xg_neigh_used, and the gateways of the xg_nh_used slots whose time
 * changed. No clock is needed: the fast path rewrites a time at most every 100 ms, so a neighbour in
 * use shows a new time at every scan of an interval of 100 ms or more (and at every other scan of a
 * shorter one). Only the slots that changed are resolved to their gateway (one lookup each).
 */
final class UseTracker {

    /** A kernel neighbour: VRF, interface, address. */
    record Neighbour(int vrf, int ifindex, InetAddress address) {}

    /** The gateway of a slot, as xg_nh_gw names it now; null when it names none. */
    @FunctionalInterface
    interface Gateways {
        NeighbourUse at(int slot, long time) throws BpfException;
    }

    /** The times of the previous scan; null before the first. */
    private Map<Neighbour, Long> previousConnected;
    private long[] previousSlots;

    /**
     * The neighbours used since the previous call. The first call only learns the times: a time
     * recorded before hitflags started says nothing about whether the neighbour is still in use.
     */
    List<Neighbour> usedSince(List<NeighbourUse> connected, long[] slotTimes, Gateways gateways) throws BpfException {
        Set<Neighbour> used = new LinkedHashSet<>();
        // A neighbour may come twice in one walk of an LRU map: its latest time counts.
        Map<Neighbour, Long> now = new HashMap<>(connected.size() * 2);
        for (NeighbourUse e : connected) now.merge(neighbour(e), e.usedNanos(), Math::max);
        if (previousConnected != null) {
            for (NeighbourUse e : connected) {
                Neighbour n = neighbour(e);
                Long before = previousConnected.get(n);
                if (before == null || before.longValue() != now.get(n)) used.add(n);
            }
        }
        if (previousSlots != null) {
            for (int slot = 0; slot < slotTimes.length; slot++) {
                long t = slotTimes[slot];
                if (t == 0 || slot < previousSlots.length && t == previousSlots[slot]) continue;
                NeighbourUse g = gateways.at(slot, t);
                if (g != null) used.add(neighbour(g));
            }
        }
        previousConnected = now;
        previousSlots = slotTimes;
        return new ArrayList<>(used);
    }

    private static Neighbour neighbour(NeighbourUse u) {
        return new Neighbour(u.vrf(), u.ifindex(), u.address());
    }
}
