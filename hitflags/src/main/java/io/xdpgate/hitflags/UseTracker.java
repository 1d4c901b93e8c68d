package io.xdpgate.hitflags;

import io.xdpgate.ebpf.NeighbourUse;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which neighbours the fast path used since the previous scan: those whose recorded time changed,
 * and those that are new in the map. No clock is needed: the fast path rewrites a neighbour's time
 * at most every 100 ms, so a neighbour in use shows a new time at every scan of an interval of
 * 100 ms or more (and at every other scan of a shorter one).
 */
final class UseTracker {

    /** A kernel neighbour: VRF, interface, address. */
    record Neighbour(int vrf, int ifindex, InetAddress address) {}

    /** The times of the previous scan; null before the first. */
    private Map<Neighbour, Long> previous;

    /**
     * The neighbours used since the previous call. The first call only learns the times: a time
     * recorded before hitflags started says nothing about whether the neighbour is still in use.
     */
    List<Neighbour> usedSince(List<NeighbourUse> entries) {
        // A neighbour may come more than once (a gateway of several slots, or also connected): its latest time counts.
        Map<Neighbour, Long> now = new LinkedHashMap<>(entries.size() * 2);
        for (NeighbourUse e : entries) {
            now.merge(new Neighbour(e.vrf(), e.ifindex(), e.address()), e.usedNanos(), Math::max);
        }
        List<Neighbour> used = new ArrayList<>();
        if (previous != null) {
            now.forEach((n, t) -> {
                Long before = previous.get(n);
                if (before == null || before.longValue() != t) used.add(n);
            });
        }
        previous = now;
        return used;
    }
}
