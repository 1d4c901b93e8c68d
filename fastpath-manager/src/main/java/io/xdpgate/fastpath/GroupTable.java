package io.xdpgate.fastpath;

import io.xdpgate.ebpf.BpfException;
import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.ebpf.NexthopGroup;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The xg_nhg array: one nexthop group (ECMP) per distinct (vrf, paths with their weights), shared by
 * every route with those paths and reference counted like the nexthop slots. A group holds a reference
 * on the nexthop slot of each member that has buckets: the slots are written before the group, the group
 * before a route points at it; the group is cleared after its last route is gone, its slots released
 * after that. A group never changes: when the paths of a route change, the route moves to the group of
 * its new paths (written first), and the old one goes with its last route.
 */
final class GroupTable {

    /** A group's identity: the VRF and the canonical paths (see {@link Multipath#canonical}), at least two. */
    record Key(int vrf, List<Multipath.Path> paths) {
        Key {
            paths = List.copyOf(paths);
        }

        NexthopTable.Key member(int i) {
            Multipath.Path p = paths.get(i);
            return new NexthopTable.Key(vrf, p.ifindex(), p.gateway());
        }
    }

    private static final class Group {
        final int id;
        final Key key;
        final List<NexthopTable.Key> slotted; // the members with buckets, each holding one slot reference
        int references;

        Group(int id, Key key, List<NexthopTable.Key> slotted) {
            this.id = id;
            this.key = key;
            this.slotted = slotted;
        }
    }

    private final FastPathMaps maps;
    private final NexthopTable nexthops;
    private final int capacity;
    private final Map<Key, Group> groups = new HashMap<>();
    private final Group[] byId;
    /** Groups found in the pinned array at start-up: the adopted routes using each, and the slots it adopted. */
    private final Map<Integer, Integer> adopted = new HashMap<>();
    private final Map<Integer, int[]> adoptedSlots = new HashMap<>();
    /** Entry 0 is never used: a route's group id 0 must not name a real group. */
    private final BitSet used = new BitSet();
    private int nextFree = 1;
    private int seed;

    GroupTable(FastPathMaps maps, NexthopTable nexthops, int capacity, int seed) {
        this.maps = maps;
        this.nexthops = nexthops;
        this.capacity = capacity;
        this.byId = new Group[capacity];
        this.seed = seed;
        used.set(0);
    }

    int capacity() {
        return capacity;
    }

    /** The flow hash seed every group is written with. */
    int seed() {
        return seed;
    }

    /** Takes over the seed of the groups of a previous run, so that their flows stay on their paths. */
    void adoptSeed(int seed) {
        this.seed = seed;
    }

    /**
     * Takes a reference on the group of {@code key}, creating it if new: its members' slots are taken
     * (computed by {@code source}) and the group written. On failure nothing is left taken.
     */
    int acquire(Key key, NexthopTable.NexthopSource source) throws BpfException, MapFullException {
        Group g = groups.get(key);
        if (g == null) g = create(key, source);
        g.references++;
        return g.id;
    }

    private Group create(Key key, NexthopTable.NexthopSource source) throws BpfException, MapFullException {
        int id = used.nextClearBit(nextFree);
        if (id >= capacity) {
            id = used.nextClearBit(1);
            if (id >= capacity) throw new MapFullException("xg_nhg", capacity);
        }
        int[] counts = NexthopGroup.bucketCounts(Multipath.weights(key.paths()));
        List<NexthopTable.Key> slotted = new ArrayList<>();
        int[] slots = new int[counts.length];
        try {
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] == 0) continue; // a share under half a bucket: no traffic, no slot
                NexthopTable.Key member = key.member(i);
                slots[i] = nexthops.acquire(member, source);
                slotted.add(member);
            }
            maps.putNexthopGroup(id, NexthopGroup.of(seed, slots, Multipath.weights(key.paths())));
        } catch (BpfException | MapFullException | RuntimeException e) {
            for (NexthopTable.Key member : slotted) nexthops.release(member);
            throw e;
        }
        used.set(id);
        nextFree = id + 1;
        Group g = new Group(id, key, slotted);
        groups.put(key, g);
        byId[id] = g;
        return g;
    }

    /** Drops a reference on group {@code id}; the last one clears it, then releases its slots. */
    void release(int id) throws BpfException {
        Group g = id > 0 && id < capacity ? byId[id] : null;
        if (g == null || --g.references > 0) return;
        maps.clearNexthopGroup(g.id);
        groups.remove(g.key);
        byId[g.id] = null;
        used.clear(g.id);
        nextFree = Math.min(nextFree, g.id);
        for (NexthopTable.Key member : g.slotted) nexthops.release(member);
    }

    /** The key of group {@code id}, or null if it is free or adopted. */
    Key keyOf(int id) {
        Group g = id > 0 && id < capacity ? byId[id] : null;
        return g == null ? null : g.key;
    }

    /**
     * Takes over group {@code id} that a previous run wrote (null: a cleared entry some route still names),
     * for one adopted route: it stays reserved, untouched, with the slots its buckets name, until the last
     * adopted route using it is rewritten or swept. Returns the slots adopted with it the first time (each
     * now holds one adopted use for this group), none afterwards.
     */
    int[] adopt(int id, NexthopGroup entry) {
        used.set(id);
        if (adopted.merge(id, 1, Integer::sum) > 1) return new int[0];
        LinkedHashSet<Integer> distinct = new LinkedHashSet<>();
        if (entry != null && entry.isValid()) {
            for (int s : entry.buckets()) {
                if (s > 0) distinct.add(s);
            }
        }
        int[] slots = distinct.stream().mapToInt(Integer::intValue).toArray();
        for (int s : slots) nexthops.adopt(s);
        adoptedSlots.put(id, slots);
        return slots;
    }

    /** Drops an adopted route's use of group {@code id}; the last use clears it and releases its slots. */
    void releaseAdopted(int id) throws BpfException {
        if (!adopted.containsKey(id)) return;
        Integer left = adopted.computeIfPresent(id, (k, n) -> n > 1 ? n - 1 : null);
        if (left != null) return;
        maps.clearNexthopGroup(id);
        used.clear(id);
        nextFree = Math.min(nextFree, id);
        int[] slots = adoptedSlots.remove(id);
        if (slots != null) {
            for (int s : slots) nexthops.releaseAdopted(s);
        }
    }

    int size() {
        return groups.size() + adopted.size();
    }
}
