package io.xdpgate.fastpath;

import io.xdpgate.ebpf.BpfException;
import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.ebpf.Nexthop;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The xg_nh array: one slot per distinct (vrf, egress interface, gateway), shared by every
 * route that uses it and reference counted, so that a neighbour or link change rewrites one
 * slot instead of every route.
 */
final class NexthopTable {

    /**
     * gateway == null: directly connected (the destination MAC is looked up per packet, in xg_neigh4 or
     * xg_neigh6 by the family of the route, so IPv4 and IPv6 routes share the slot). A gateway of either
     * family (an IPv6 one is usually link-local) is resolved here: its slot holds the gateway's MAC, and
     * serves routes of both families (an IPv4 route may go through an IPv6 gateway, RFC 5549).
     */
    record Key(int vrf, int ifindex, InetAddress gateway) {}

    private static final class Slot {
        final int id;
        final Key key;
        int references;
        Nexthop written;

        Slot(int id, Key key) {
            this.id = id;
            this.key = key;
        }
    }

    /** What a new slot's value is computed from (only a new slot needs it). */
    @FunctionalInterface
    interface NexthopSource {
        Nexthop compute(Key key);
    }

    private final FastPathMaps maps;
    private final int capacity;
    private final Map<Key, Slot> slots = new HashMap<>();
    /** The same slots by id: a route remembers only its slot's id (see RouteValue). */
    private final Slot[] byId;
    /** Slots found in the pinned array at start-up, by id, with the number of adopted routes using them. */
    private final Map<Integer, Integer> adopted = new HashMap<>();
    /** Slot 0 is never used: a zeroed route value must not point at a real nexthop. */
    private final BitSet used = new BitSet();
    private int nextFree = 1;

    NexthopTable(FastPathMaps maps, int capacity) {
        this.maps = maps;
        this.capacity = capacity;
        this.byId = new Slot[capacity];
        used.set(0);
    }

    /** Takes a reference on the slot of {@code key}, creating and writing it if new. */
    int acquire(Key key, NexthopSource source) throws BpfException, MapFullException {
        Slot slot = slots.get(key);
        if (slot == null) {
            // Computed only for a new slot: a route through an existing slot costs one lookup here.
            Nexthop value = source.compute(key);
            int id = used.nextClearBit(nextFree);
            if (id >= capacity) {
                id = used.nextClearBit(1);
                if (id >= capacity) throw new MapFullException("xg_nh", capacity);
            }
            // The gateway first: the fast path records a resolved slot's uses under it (for hitflags).
            maps.putNexthopGateway(id, key.vrf(), key.ifindex(), key.gateway());
            maps.putNexthop(id, value);
            used.set(id);
            nextFree = id + 1;
            slot = new Slot(id, key);
            slot.written = value;
            slots.put(key, slot);
            byId[id] = slot;
        }
        slot.references++;
        return slot.id;
    }

    /** Drops a reference; the last one clears and frees the slot. Call after the route is gone. */
    void release(Key key) throws BpfException {
        Slot slot = slots.get(key);
        if (slot == null) return;
        if (--slot.references > 0) return;
        slots.remove(key);
        byId[slot.id] = null;
        maps.clearNexthop(slot.id);
        used.clear(slot.id);
        nextFree = Math.min(nextFree, slot.id);
    }

    /** Drops a reference on the slot with this id (see {@link #release(Key)}). */
    void releaseSlot(int id) throws BpfException {
        Slot slot = id > 0 && id < capacity ? byId[id] : null;
        if (slot != null) release(slot.key);
    }

    /** The key of the slot with this id, or null if it is free or adopted. */
    Key keyOf(int id) {
        Slot slot = id > 0 && id < capacity ? byId[id] : null;
        return slot == null ? null : slot.key;
    }

    /**
     * Takes over a slot that a previous run wrote: it stays reserved, untouched, while an adopted
     * route uses it, so forwarding goes on until the new generation has rewritten that route.
     */
    void adopt(int id) {
        used.set(id);
        adopted.merge(id, 1, Integer::sum);
    }

    /** Drops an adopted route's use of slot id; the last use clears and frees it. */
    void releaseAdopted(int id) throws BpfException {
        Integer left = adopted.computeIfPresent(id, (k, n) -> n > 1 ? n - 1 : null);
        if (left != null) return;
        maps.clearNexthop(id);
        used.clear(id);
        nextFree = Math.min(nextFree, id);
    }

    /** Rewrites the slot of {@code key} if it exists and its value changed. */
    void refresh(Key key, Nexthop value) throws BpfException {
        Slot slot = slots.get(key);
        if (slot == null || value.equals(slot.written)) return;
        maps.putNexthop(slot.id, value);
        slot.written = value;
    }

    /** Every key whose egress is (vrf, ifindex). */
    List<Key> keysOn(int vrf, int ifindex) {
        List<Key> keys = new ArrayList<>();
        for (Key k : slots.keySet()) {
            if (k.vrf() == vrf && k.ifindex() == ifindex) keys.add(k);
        }
        return keys;
    }

    boolean contains(Key key) {
        return slots.containsKey(key);
    }

    int size() {
        return slots.size() + adopted.size();
    }
}
