package io.xdpgate.fastpath;

import io.xdpgate.fpc.FpcLink;

import java.net.Inet4Address;
import java.util.HashMap;
import java.util.Map;

/**
 * What the fast path manager holds for one VRF (network namespace): the objects it has
 * written to the maps, each tagged with the generation that last refreshed it, so that a
 * SYNC_END can sweep exactly what the new generation did not mention.
 */
final class Vrf {

    record AddressKey(int ifindex, Inet4Address address, int prefixLength) {}

    record NeighbourKey(int ifindex, Inet4Address address) {}

    record RouteKey(Inet4Address prefix, int prefixLength) {}

    static final class LinkEntry {
        FpcLink link;
        long generation;
    }

    static final class NeighbourEntry {
        byte[] mac;
        long generation;
    }

    static final class RouteEntry {
        int type;
        NexthopTable.Key nexthop; // null unless the route forwards through a nexthop slot
        int adoptedSlot;          // > 0: a slot written by a previous run, until the route is rewritten
        long generation;
    }

    /** The generation of objects adopted from the pinned maps at start-up: no sender's. */
    static final long ADOPTED = Long.MIN_VALUE;

    final int id;
    String netns; // null for a VRF adopted from the pinned maps until its sender announces it
    String owner;           // the sender that announced it; null if adopted and not announced yet
    long announced;         // the all-VRF generation in which it was last announced
    VrfDataplane dataplane; // null if the program could not be loaded: everything stays with Linux

    final Map<Integer, LinkEntry> links = new HashMap<>();
    /** Ports found in the pinned maps at start-up and not yet announced again. */
    final java.util.Set<Integer> adoptedPorts = new java.util.HashSet<>();
    final Map<AddressKey, Long> addresses = new HashMap<>();
    final Map<NeighbourKey, NeighbourEntry> neighbours = new HashMap<>();
    final Map<RouteKey, RouteEntry> routes = new HashMap<>();

    Vrf(int id, String netns) {
        this.id = id;
        this.netns = netns;
    }
}
