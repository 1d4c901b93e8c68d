package io.xdpgate.fastpath;

import io.xdpgate.ebpf.BpfException;

import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The counter slots of the ports in xg_port_counts: one per port, 1 .. capacity - 1. Slot 0 means
 * "counted in xg_stats only", what a port gets when every slot is taken. Freed slots are given again
 * first, oldest first, so that the slots in use stay few and low; a slot is zeroed before it is given
 * to a port: a port's counters start from 0 and never carry another port's. Ports adopted from the pinned maps
 * keep their slots, and so their counts, across a restart of the manager.
 * One writer (the manager's state, under its lock); {@link #assigned} may be called from any thread.
 */
final class PortStatsSlots {

    /** Zeroes a slot's counters in the map. */
    @FunctionalInterface
    interface Clearer {
        void clear(int slot) throws BpfException;
    }

    /**
     * A port with a slot, labelled as the manager knows it: {@code name} is null for a port adopted
     * from the pinned maps until its link is announced again.
     */
    record Assigned(int vrf, int ifindex, int slot, String netns, String name) {}

    private record PortKey(int vrf, int ifindex) {}

    private final int capacity;
    private final Clearer clearer;
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    private final BitSet taken = new BitSet();
    private int neverUsed = 1;
    private final Map<PortKey, Assigned> byPort = new ConcurrentHashMap<>();

    /** Slots 1 .. capacity - 1, zeroed through {@code clearer} when given to a port. */
    PortStatsSlots(int capacity, Clearer clearer) {
        if (capacity < 2) throw new IllegalArgumentException("port stats capacity must leave slot 1 at least: " + capacity);
        this.capacity = capacity;
        this.clearer = clearer;
    }

    /**
     * The slot of the port, given it now (zeroed) if it has none; its labels are updated. 0 when every
     * slot is taken: the port is then counted in xg_stats only.
     */
    int assign(int vrf, int ifindex, String netns, String name) throws BpfException {
        PortKey key = new PortKey(vrf, ifindex);
        Assigned a = byPort.get(key);
        if (a != null) {
            if (!name.equals(a.name()) || !java.util.Objects.equals(netns, a.netns())) {
                byPort.put(key, new Assigned(vrf, ifindex, a.slot(), netns, name));
            }
            return a.slot();
        }
        int slot = take();
        if (slot == 0) return 0;
        try {
            clearer.clear(slot);
        } catch (BpfException | RuntimeException e) {
            taken.clear(slot);
            free.addFirst(slot);
            throw e;
        }
        byPort.put(key, new Assigned(vrf, ifindex, slot, netns, name));
        return slot;
    }

    private int take() {
        Integer reused = free.pollFirst();
        if (reused != null) {
            taken.set(reused);
            return reused;
        }
        while (neverUsed < capacity && taken.get(neverUsed)) neverUsed++; // adopted ones are taken already
        if (neverUsed >= capacity) return 0;
        taken.set(neverUsed);
        return neverUsed++;
    }

    /**
     * Takes over the slot a port of the previous run counts in, without zeroing it. False, and nothing
     * taken, for slot 0, a slot out of range or one another port holds already: the port then gets a
     * slot of its own when its link is announced again.
     */
    boolean adopt(int vrf, int ifindex, int slot) {
        if (slot <= 0 || slot >= capacity || taken.get(slot)) return false;
        PortKey key = new PortKey(vrf, ifindex);
        if (byPort.containsKey(key)) return false;
        taken.set(slot);
        free.remove(slot);
        byPort.put(key, new Assigned(vrf, ifindex, slot, null, null));
        return true;
    }

    /** The port is gone from xg_ports: its slot goes to the end of the free list. */
    void release(int vrf, int ifindex) {
        Assigned a = byPort.remove(new PortKey(vrf, ifindex));
        if (a == null) return;
        taken.clear(a.slot());
        free.addLast(a.slot());
    }

    /** The port's slot, or 0. */
    int slotOf(int vrf, int ifindex) {
        Assigned a = byPort.get(new PortKey(vrf, ifindex));
        return a == null ? 0 : a.slot();
    }

    /** Every port with a slot, now. */
    List<Assigned> assigned() {
        return List.copyOf(byPort.values());
    }

    int inUse() {
        return byPort.size();
    }

    /** How many ports can have counters of their own. */
    int capacity() {
        return capacity - 1;
    }
}
