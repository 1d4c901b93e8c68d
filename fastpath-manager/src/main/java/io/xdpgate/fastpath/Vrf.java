package io.xdpgate.fastpath;

import io.xdpgate.fpc.FpcLink;
import io.xdpgate.fpc.FpcNexthopObject;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the fast path manager holds for one VRF (network namespace): the objects it has
 * written to the maps, each tagged with the generation that last refreshed it, so that a
 * SYNC_END can sweep exactly what the new generation did not mention.
 */
final class Vrf {

    // Keys hold IPv4 and IPv6 addresses alike: an Inet4Address never equals an Inet6Address, so one
    // map per kind of object serves both families (see IpFamily for where each one is written).

    record AddressKey(int ifindex, InetAddress address, int prefixLength) {}

    record NeighbourKey(int ifindex, InetAddress address) {}

    /** The prefix has its host bits cleared. */
    record RouteKey(InetAddress prefix, int prefixLength) {}

    static final class LinkEntry {
        FpcLink link;
        long generation;
    }

    static final class NeighbourEntry {
        byte[] mac;
        long generation;
    }

    static final class RouteEntry {
        int type;                 // the Route.* type written to the map
        NexthopTable.Key nexthop; // null unless the route forwards through a nexthop slot
        int nexthopObject;        // != 0: the nexthop object or group the route goes through (RTA_NH_ID)
        int adoptedSlot;          // > 0: a slot written by a previous run, until the route is rewritten
        long generation;
    }

    /**
     * A kernel nexthop object or group; both share one id space. Routes through it are written from
     * what it is now, and rewritten when it changes (see {@link #routesByNexthopObject}).
     */
    static final class NexthopObjectEntry {
        FpcNexthopObject single; // a single nexthop (or blackhole); null for a group
        int[] members;           // a group's member ids, in the sender's order; null for a single nexthop
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
    final Set<Integer> adoptedPorts = new HashSet<>();
    final Map<AddressKey, Long> addresses = new HashMap<>();
    final Map<NeighbourKey, NeighbourEntry> neighbours = new HashMap<>();
    final Map<RouteKey, RouteEntry> routes = new HashMap<>();
    final Map<Integer, NexthopObjectEntry> nexthopObjects = new HashMap<>();
    /**
     * Reverse index: the routes naming each nexthop object or group id, known or not (a route may come
     * before its object), so that a change of the object rewrites exactly them.
     */
    final Map<Integer, Set<RouteKey>> routesByNexthopObject = new HashMap<>();

    Vrf(int id, String netns) {
        this.id = id;
        this.netns = netns;
    }
}
