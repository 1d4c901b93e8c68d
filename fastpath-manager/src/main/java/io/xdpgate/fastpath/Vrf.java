package io.xdpgate.fastpath;

import io.xdpgate.fpc.FpcLink;
import io.xdpgate.fpc.FpcNexthopObject;

import java.net.Inet4Address;
import java.net.Inet6Address;
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

    /**
     * One of the router's own addresses: on interface ifindex with its prefix length; -1 for one adopted
     * from the maps (its length unknown); for an address of a configured local route (see
     * {@link LocalRoutes}), ifindex 0 and -2 - the route's length, so that it never meets an
     * interface address's key and the address stays local while either holds it.
     */
    record AddressKey(int ifindex, InetAddress address, int prefixLength) {
        static AddressKey ofLocalRoute(InetAddress address, int routeLength) {
            return new AddressKey(0, address, -2 - routeLength);
        }
    }

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

    /**
     * A kernel nexthop object or group; both share one id space. Routes through it are written from
     * what it is now, and rewritten when it changes (see {@link #routesByNexthopObject}).
     */
    static final class NexthopObjectEntry {
        FpcNexthopObject single; // a single nexthop (or blackhole); null for a group
        int[] members;           // a group's member ids, in the sender's order; null for a single nexthop
        int[] weights;           // a group's member weights, as members
        long generation;
    }

    /** A VXLAN device's parameters, and the VNI written to xg_vxlan for it (-1: none). */
    static final class VxlanEntry {
        io.xdpgate.fpc.FpcVxlan vxlan;
        long generation;
        int written = -1;
        /** What xg_vxlan_tx holds for the device (see ForwardingState#refreshVxlanEncaps); null: no entry. */
        io.xdpgate.ebpf.VxlanEncap encap;
        boolean encapWritten;
    }

    /** The generation of objects adopted from the pinned maps at start-up: no sender's. */
    static final long ADOPTED = Long.MIN_VALUE;

    final int id;
    String netns; // null for a VRF adopted from the pinned maps until its sender announces it
    String owner;           // the sender that announced it; null if adopted and not announced yet
    long announced;         // the all-VRF generation in which it was last announced
    VrfDataplane dataplane; // null if the program could not be loaded: everything stays with Linux
    long loadRetryMillis; // after a failed load: the wait before the next attempt (0: none failed)
    long loadRetryAtNanos; // when that attempt is due (System.nanoTime)

    final Map<Integer, LinkEntry> links = new HashMap<>();
    /** The VXLAN devices among the links, by ifindex. */
    final Map<Integer, VxlanEntry> vxlans = new HashMap<>();
    /** Ports found in the pinned maps at start-up and not yet announced again. */
    final Set<Integer> adoptedPorts = new HashSet<>();
    final Map<AddressKey, Long> addresses = new HashMap<>();
    final Map<NeighbourKey, NeighbourEntry> neighbours = new HashMap<>();
    /** The routes written to the FIB, by family, each with its {@link RouteValue} and generation epoch. */
    final RouteTable routes4 = RouteTable.ipv4();
    /** Set when no DIR-24 table was left for this VRF: its IPv4 routes stay in xg_fib4. */
    boolean fib4DirRefused;
    /** Set when no IPv6 class guide was left for this VRF: its IPv6 routes stay in xg_fib6. */
    boolean fib6ClassesRefused;
    /** A route did not fit its map: the VRF's ports are written down, so that Linux forwards all its traffic. */
    boolean fibIncomplete;
    /**
     * The configured local routes too large to list their addresses (see {@link LocalRoutes}), each
     * with its generation: while there is one, the VRF's ports are written down, as for fibIncomplete.
     */
    final Map<RouteKey, Long> largeLocalRoutes = new HashMap<>();
    /**
     * The families (FpcPolicyRouting bits) whose policy routing rules are not the kernel's defaults, 0 for
     * none: the kernel may then forward by other tables than main, so the VRF's ports are written down.
     */
    int policyRouting;
    /** The generation that last announced {@link #policyRouting}, swept like any object. */
    long policyRoutingGeneration;
    /**
     * Every port of the VRF was down in the pinned maps a restarted manager adopted: perhaps written down
     * for the VRF's sake (a local route too large to list, a FIB that did not fit), which the new generation
     * only states after the links it would write up. Kept down until the VRF's first generation completes.
     */
    boolean downSinceAdoption;
    /** The generation in which a route last did not fit. */
    long fullInGeneration;
    final RouteTable routes6 = RouteTable.ipv6();
    /** The nexthop object or group of each route through one (RTA_NH_ID): few routes, so a plain map. */
    final Map<RouteKey, Integer> routeObjects = new HashMap<>();
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

    RouteTable routes(InetAddress prefix) {
        return prefix instanceof Inet4Address ? routes4 : routes6;
    }

    /** The {@link RouteValue} of route {@code key}, or {@link RouteTable#ABSENT}. */
    int route(RouteKey key) {
        return routes(key.prefix()).get(high(key), low(key), key.prefixLength());
    }

    /** The generation epoch of route {@code key}, or {@link RouteTable#ABSENT}. */
    int routeGeneration(RouteKey key) {
        return routes(key.prefix()).generation(high(key), low(key), key.prefixLength());
    }

    /** Stores route {@code key}; returns the value it replaced or {@link RouteTable#ABSENT}. */
    int putRoute(RouteKey key, int value, int epoch) {
        return routes(key.prefix()).put(high(key), low(key), key.prefixLength(), value, epoch);
    }

    int removeRoute(RouteKey key) {
        return routes(key.prefix()).remove(high(key), low(key), key.prefixLength());
    }

    int routeCount() {
        return routes4.size() + routes6.size();
    }

    /** The key of a route as a {@link RouteTable} of this VRF hands it to a visitor. */
    static RouteKey keyOf(RouteTable table, long hi, long lo, int prefixLength) {
        InetAddress prefix = table.isIpv6() ? RouteTable.inet6(hi, lo) : RouteTable.inet4((int) hi);
        return new RouteKey(prefix, prefixLength);
    }

    private static long high(RouteKey key) {
        return key.prefix() instanceof Inet4Address a ? RouteTable.ipv4(a) & 0xffffffffL : RouteTable.high((Inet6Address) key.prefix());
    }

    private static long low(RouteKey key) {
        return key.prefix() instanceof Inet4Address ? 0 : RouteTable.low((Inet6Address) key.prefix());
    }

    /**
     * Whether all the VRF's traffic goes to Linux (its ports written down): see fibIncomplete,
     * largeLocalRoutes, policyRouting.
     */
    boolean toLinux() {
        return fibIncomplete || !largeLocalRoutes.isEmpty() || policyRouting != 0 || downSinceAdoption;
    }
}
