package io.xdpgate.ctl;

import io.xdpgate.ebpf.Nexthop;
import io.xdpgate.ebpf.NexthopGroup;
import io.xdpgate.ebpf.Port;
import io.xdpgate.ebpf.Route;
import io.xdpgate.netlink.Address;
import io.xdpgate.netlink.Link;
import io.xdpgate.netlink.Neighbour;
import io.xdpgate.netlink.NexthopGroupMember;
import io.xdpgate.netlink.NexthopObject;
import io.xdpgate.netlink.RouteNexthop;
import io.xdpgate.netlink.Rule;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The verifier's rules on hand-made kernel snapshots and fast path views: no kernel, no maps. */
class VerifierTest {

    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int PORT = 3;
    private static final int UP = 0x1 | 0x10000;
    private static final int NUD_REACHABLE = 0x02;
    private static final int NUD_NOARP = 0x40;
    private static final byte[] PORT_MAC = {0x02, 0x11, 0x11, 0x11, 0x11, 0x11};
    private static final byte[] GW_MAC = {0x02, 0x22, 0x22, 0x22, 0x22, 0x22};

    private final Map<Integer, Link> links = new HashMap<>();
    private final List<Address> addresses = new ArrayList<>();
    private final List<Neighbour> neighbours = new ArrayList<>();
    private final Map<Integer, NexthopObject> objects = new HashMap<>();
    private final List<io.xdpgate.netlink.Route> routes = new ArrayList<>();
    private final List<Rule> rules = new ArrayList<>();

    private final Map<RoutePrefix, Route> fpRoutes = new HashMap<>();
    private final Map<Integer, Nexthop> fpNexthops = new HashMap<>();
    private final Map<Integer, NexthopGroup> fpGroups = new HashMap<>();
    private final Map<String, byte[]> fpNeighbours = new HashMap<>();
    private final Set<String> fpLocals = new HashSet<>();
    private final Map<Integer, Port> fpPorts = new HashMap<>();

    /** The rules a fresh namespace has (`ip -4 rule; ip -6 rule`). */
    private static final List<Rule> DEFAULT_RULES = List.of(rule(AF_INET, 0, 255, true, "local4"),
            rule(AF_INET, 32766, 254, true, "main4"), rule(AF_INET, 32767, 253, true, "default4"),
            rule(AF_INET6, 0, 255, true, "local6"), rule(AF_INET6, 32766, 254, true, "main6"));

    private static Rule rule(int family, int priority, int table, boolean everything, String identity) {
        return new Rule(family, priority, table, 1 /* FR_ACT_TO_TBL */, 2 /* kernel */, everything, identity);
    }

    @BeforeEach
    void port() {
        links.put(PORT, new Link(PORT, "xga", "veth", PORT_MAC, 1500, UP, 6, 0));
        fpPorts.put(PORT, new Port(PORT_MAC, Port.UP, 1500));
        rules.addAll(DEFAULT_RULES);
    }

    private List<String> diffs() {
        return Verifier.differences(new KernelSnapshot(links, addresses, neighbours, objects, routes, rules),
                new Verifier.FastPathView(fpRoutes, fpNexthops, fpGroups, fpNeighbours, fpLocals, fpPorts, false));
    }

    private static InetAddress a(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    private static String key(String s) throws Exception {
        return a(s).getHostAddress();
    }

    private static int family(String address) {
        return address.contains(":") ? AF_INET6 : AF_INET;
    }

    private void kernelRoute(int type, String dst, int len, String gw, int oif, int metric, int nhId) throws Exception {
        routes.add(new io.xdpgate.netlink.Route(family(dst), 254, type, 4, 0, len, a(dst), gw == null ? null : a(gw),
                oif, metric, List.of(), nhId));
    }

    private void kernelNeighbour(String address, byte[] mac, int state) throws Exception {
        neighbours.add(new Neighbour(family(address), PORT, a(address), mac, state, 0));
    }

    private void fastRoute(String dst, int len, Route r) throws Exception {
        fpRoutes.put(RoutePrefix.of(a(dst), len), r);
    }

    /** A slot of the port: gw null is connected; dmac null is unresolved. */
    private void slot(int id, boolean gateway, byte[] dmac) {
        int flags = Nexthop.VALID | (gateway ? (dmac == null ? 0 : Nexthop.RESOLVED) : Nexthop.CONNECTED);
        fpNexthops.put(id, new Nexthop(PORT, flags, 1500, dmac == null ? new byte[6] : dmac, PORT_MAC, false));
    }

    @Test
    void ipv6StateThatMatchesHasNoDifferences() throws Exception {
        addresses.add(new Address(AF_INET6, PORT, 64, a("2001:db8:1::1"), 0, 0));
        fpLocals.add(key("2001:db8:1::1"));
        kernelNeighbour("fe80::2", GW_MAC, NUD_REACHABLE);
        fpNeighbours.put(PORT + " " + key("fe80::2"), GW_MAC);
        kernelRoute(1, "2001:db8:9::", 48, "fe80::2", PORT, 1024, 0);
        kernelRoute(1, "2001:db8:1::", 64, null, PORT, 256, 0);
        fastRoute("2001:db8:9::", 48, Route.unicast(1));
        fastRoute("2001:db8:1::", 64, Route.unicast(2));
        slot(1, true, GW_MAC);
        slot(2, false, null);
        assertEquals(List.of(), diffs());
    }

    @Test
    void ipv6DifferencesAreReported() throws Exception {
        addresses.add(new Address(AF_INET6, PORT, 64, a("2001:db8:1::1"), 0, 0));
        kernelNeighbour("fe80::2", GW_MAC, NUD_REACHABLE);
        kernelRoute(1, "2001:db8:9::", 48, "fe80::2", PORT, 1024, 0);
        kernelRoute(6, "2001:db8:66::", 48, null, 0, 1024, 0);
        fastRoute("2001:db8:9::", 48, Route.unicast(1));
        fastRoute("2001:db8:77::", 48, new Route(Route.BLACKHOLE, 0));
        slot(1, true, null); // the kernel knows the gateway's MAC, the fast path does not
        List<String> d = diffs();
        assertTrue(d.contains("local address 2001:db8:1:0:0:0:0:1 missing in the fast path"), d.toString());
        assertTrue(d.contains("neighbour 3 fe80:0:0:0:0:0:0:2 02:22:22:22:22:22 missing in the fast path"), d.toString());
        assertTrue(d.contains("route 2001:db8:66:0:0:0:0:0/48 missing in the fast path"), d.toString());
        assertTrue(d.contains("route 2001:db8:77:0:0:0:0:0/48 stale in the fast path"), d.toString());
        assertTrue(d.contains("route 2001:db8:9:0:0:0:0:0/48: gateway fe80:0:0:0:0:0:0:2 is 02:22:22:22:22:22 in the kernel,"
                + " unresolved in the fast path"), d.toString());
        assertEquals(5, d.size(), d.toString());
    }

    @Test
    void linkLocalAndMulticastRoutesAndMulticastNeighboursOfTheKernelAreIgnored() throws Exception {
        kernelRoute(1, "fe80::", 64, null, PORT, 256, 0);
        kernelRoute(1, "fe80::", 64, null, PORT + 1, 256, 0);
        kernelRoute(5, "ff00::", 8, null, PORT, 256, 0); // RTN_MULTICAST, should it ever be in the main table
        kernelRoute(1, "ff00::", 8, null, PORT, 256, 0);
        kernelNeighbour("ff02::16", new byte[] {0x33, 0x33, 0, 0, 0, 0x16}, NUD_NOARP);
        kernelNeighbour("224.0.0.22", new byte[] {0x01, 0x00, 0x5e, 0, 0, 0x16}, NUD_NOARP);
        assertEquals(List.of(), diffs());
    }

    @Test
    void ofSeveralRoutesToOnePrefixTheLowestMetricCounts() throws Exception {
        kernelNeighbour("fe80::3", GW_MAC, NUD_REACHABLE);
        kernelRoute(1, "2001:db8:11::", 48, "fe80::4", PORT, 200, 0);
        kernelRoute(1, "2001:db8:11::", 48, "fe80::3", PORT, 100, 0);
        fpNeighbours.put(PORT + " " + key("fe80::3"), GW_MAC);
        fastRoute("2001:db8:11::", 48, Route.unicast(1));
        slot(1, true, GW_MAC);
        assertEquals(List.of(), diffs());
        slot(1, true, null);
        assertEquals(1, diffs().size(), diffs().toString());
    }

    @Test
    void routeThroughASingleNexthopObjectMustUseASlotOfThatObject() throws Exception {
        objects.put(7, new NexthopObject(7, AF_INET6, PORT, a("fe80::2"), false, List.of(), 4, 0));
        kernelNeighbour("fe80::2", GW_MAC, NUD_REACHABLE);
        fpNeighbours.put(PORT + " " + key("fe80::2"), GW_MAC);
        kernelRoute(1, "10.9.0.0", 16, null, 0, 0, 7); // an IPv4 route through an IPv6 gateway object
        fastRoute("10.9.0.0", 16, Route.unicast(1));
        slot(1, true, GW_MAC);
        assertEquals(List.of(), diffs());

        slot(1, false, null);
        assertEquals(List.of("route 10.9.0.0/16 (nexthop object 7): via fe80:0:0:0:0:0:0:2 in the kernel, directly connected"
                + " in the fast path"), diffs());
        fastRoute("10.9.0.0", 16, new Route(Route.UNREACHABLE, 0));
        assertEquals(List.of("route 10.9.0.0/16 (nexthop object 7): type 4 in the fast path, expected 1"), diffs());
    }

    @Test
    void objectsThatAreGroupsBlackholesOrUnknown() throws Exception {
        objects.put(1, new NexthopObject(1, AF_INET, PORT, a("10.1.0.2"), false, List.of(), 4, 0));
        objects.put(2, new NexthopObject(2, AF_INET, PORT, a("10.1.0.3"), false, List.of(), 4, 0));
        objects.put(9, new NexthopObject(9, AF_INET, 0, null, true, List.of(), 4, 0));
        objects.put(20, new NexthopObject(20, 0, 0, null, false,
                List.of(new NexthopGroupMember(1, 1), new NexthopGroupMember(2, 1)), 4, 0));
        objects.put(21, new NexthopObject(21, 0, 0, null, false, List.of(new NexthopGroupMember(2, 1)), 4, 0));
        // The kernel's compat mode also gives the paths of a route through an object: they do not count.
        routes.add(new io.xdpgate.netlink.Route(AF_INET, 254, 1, 4, 0, 16, a("10.20.0.0"), null, 0, 0,
                List.of(new RouteNexthop(PORT, a("10.1.0.2"), 1), new RouteNexthop(PORT, a("10.1.0.3"), 1)), 20));
        kernelRoute(1, "10.21.0.0", 16, "10.1.0.3", PORT, 0, 21);
        kernelRoute(1, "10.22.0.0", 16, null, 0, 0, 9);
        kernelRoute(1, "10.23.0.0", 16, null, 0, 0, 99);
        fastRoute("10.20.0.0", 16, Route.group(4));
        fpGroups.put(4, NexthopGroup.of(1, new int[] {1, 2}, new int[] {1, 1}));
        fastRoute("10.21.0.0", 16, Route.unicast(2));
        slot(1, true, null);
        slot(2, true, null);
        fastRoute("10.22.0.0", 16, new Route(Route.BLACKHOLE, 0));
        fastRoute("10.23.0.0", 16, new Route(Route.UNREACHABLE, 0));
        assertEquals(List.of(), diffs());

        fastRoute("10.20.0.0", 16, new Route(Route.UNREACHABLE, 0));
        assertEquals(List.of("route 10.20.0.0/16 (nexthop object 20): type 4 in the fast path, expected 1"), diffs());
    }

    private void kernelMultipath(String dst, int len, RouteNexthop... paths) throws Exception {
        routes.add(new io.xdpgate.netlink.Route(family(dst), 254, 1, 4, 0, len, a(dst), null, 0, 1024, List.of(paths), 0));
    }

    @Test
    void multipathRouteMustForwardThroughAGroupWhoseBucketsFollowTheKernelsPathsAndWeights() throws Exception {
        kernelNeighbour("10.1.0.2", GW_MAC, NUD_REACHABLE);
        fpNeighbours.put(PORT + " " + key("10.1.0.2"), GW_MAC);
        // Listed in another order than the canonical one (by egress, then gateway): the weights go with their path.
        kernelMultipath("10.9.0.0", 16, new RouteNexthop(PORT, a("10.1.0.3"), 1), new RouteNexthop(PORT, a("10.1.0.2"), 3));
        fastRoute("10.9.0.0", 16, Route.group(6));
        slot(1, true, GW_MAC); // 10.1.0.2, resolved
        slot(2, true, null);   // 10.1.0.3
        fpGroups.put(6, NexthopGroup.of(1, new int[] {1, 2}, new int[] {3, 1}));
        assertEquals(List.of(), diffs());

        fpGroups.put(6, NexthopGroup.of(1, new int[] {1, 2}, new int[] {1, 1}));
        assertEquals(List.of("route 10.9.0.0/16: buckets by slot {1=64, 2=64} in the fast path, the kernel's paths"
                + " [via 10.1.0.2 dev 3 weight 3, via 10.1.0.3 dev 3 weight 1] need [96, 32] in this order"), diffs());
        fpGroups.put(6, NexthopGroup.of(1, new int[] {2, 1}, new int[] {3, 1})); // the right shares, on the wrong slots
        assertEquals(List.of("route 10.9.0.0/16 path via 10.1.0.2 dev 3 weight 3: gateway 10.1.0.2 is 02:22:22:22:22:22"
                + " in the kernel, unresolved in the fast path", "route 10.9.0.0/16 path via 10.1.0.3 dev 3 weight 1:"
                + " gateway 10.1.0.3 unresolved in the kernel, resolved in the fast path"), diffs());

        fpGroups.put(6, NexthopGroup.of(1, new int[] {1, 2}, new int[] {3, 1}));
        slot(1, true, null);
        assertEquals(List.of("route 10.9.0.0/16 path via 10.1.0.2 dev 3 weight 3: gateway 10.1.0.2 is 02:22:22:22:22:22"
                + " in the kernel, unresolved in the fast path"), diffs());
        slot(1, true, GW_MAC);

        fpGroups.put(6, new NexthopGroup(0, 0, new int[NexthopGroup.BUCKETS]));
        assertEquals(List.of("route 10.9.0.0/16: nexthop group 6 is not in use"), diffs());
        fastRoute("10.9.0.0", 16, Route.unicast(1));
        assertEquals(List.of("route 10.9.0.0/16: one nexthop slot in the fast path, 2 paths in the kernel"
                + " [via 10.1.0.2 dev 3 weight 3, via 10.1.0.3 dev 3 weight 1]"), diffs());
        fastRoute("10.9.0.0", 16, new Route(Route.UNREACHABLE, 0));
        assertEquals(List.of("route 10.9.0.0/16: type 4 in the fast path, expected 1"), diffs(), "no longer left to Linux");
    }

    @Test
    void ipv6MultipathRouteOverAConnectedAndAGatewayPath() throws Exception {
        links.put(PORT + 1, new Link(PORT + 1, "xgb", "veth", PORT_MAC, 1500, UP, 6, 0));
        fpPorts.put(PORT + 1, new Port(PORT_MAC, Port.UP, 1500));
        kernelMultipath("2001:db8:9::", 48, new RouteNexthop(PORT + 1, null, 1), new RouteNexthop(PORT, a("fe80::2"), 1));
        fastRoute("2001:db8:9::", 48, Route.group(2));
        slot(1, true, null);
        fpNexthops.put(7, new Nexthop(PORT + 1, Nexthop.VALID | Nexthop.CONNECTED, 1500, new byte[6], PORT_MAC, false));
        fpGroups.put(2, NexthopGroup.of(9, new int[] {1, 7}, new int[] {1, 1}));
        assertEquals(List.of(), diffs());
        fpNexthops.put(7, new Nexthop(PORT, Nexthop.VALID | Nexthop.CONNECTED, 1500, new byte[6], PORT_MAC, false));
        assertEquals(List.of("route 2001:db8:9:0:0:0:0:0/48 path dev 4 weight 1: egress ifindex 3, kernel 4"), diffs());
    }

    @Test
    void groupsThatCannotBeExpressedStayWithLinuxAndDuplicatePathsAreOnePath() throws Exception {
        objects.put(1, new NexthopObject(1, AF_INET, PORT, a("10.1.0.2"), false, List.of(), 4, 0));
        objects.put(2, new NexthopObject(2, AF_INET, PORT, a("10.1.0.2"), false, List.of(), 4, 0)); // the same path
        objects.put(30, new NexthopObject(30, 0, 0, null, false,
                List.of(new NexthopGroupMember(1, 1), new NexthopGroupMember(99, 1)), 4, 0)); // 99 is unknown
        objects.put(31, new NexthopObject(31, 0, 0, null, false,
                List.of(new NexthopGroupMember(1, 2), new NexthopGroupMember(2, 5)), 4, 0));
        kernelRoute(1, "10.30.0.0", 16, null, 0, 0, 30);
        kernelRoute(1, "10.31.0.0", 16, null, 0, 0, 31);
        RouteNexthop[] many = new RouteNexthop[129];
        for (int i = 0; i < many.length; i++) many[i] = new RouteNexthop(PORT, a("10.2." + (i / 200) + "." + (i % 200 + 1)), 1);
        kernelMultipath("10.32.0.0", 16, many);
        fastRoute("10.30.0.0", 16, new Route(Route.UNREACHABLE, 0));
        fastRoute("10.31.0.0", 16, Route.unicast(1));
        slot(1, true, null);
        fastRoute("10.32.0.0", 16, new Route(Route.UNREACHABLE, 0));
        assertEquals(List.of(), diffs());
    }

    @Test
    void routeWithOnePathInItsMultipathIsThatPath() throws Exception {
        routes.add(new io.xdpgate.netlink.Route(AF_INET6, 254, 1, 4, 0, 48, a("2001:db8:9::"), null, 0, 1024,
                List.of(new RouteNexthop(PORT, a("fe80::2"), 1)), 0));
        fastRoute("2001:db8:9::", 48, Route.unicast(1));
        slot(1, true, null);
        assertEquals(List.of(), diffs());
    }

    @Test
    void theAddressesOfAConfiguredLocalRouteAreExpectedLocal() throws Exception {
        routes.add(new io.xdpgate.netlink.Route(AF_INET, 255, 2 /* RTN_LOCAL */, 3 /* boot */, 254, 31, a("10.204.0.0"),
                null, 1, 0, List.of(), 0));
        routes.add(new io.xdpgate.netlink.Route(AF_INET, 255, 2, 2 /* kernel: an address's */, 254, 32, a("10.9.9.9"),
                null, 1, 0, List.of(), 0));
        assertEquals(List.of("local address 10.204.0.0 missing in the fast path",
                "local address 10.204.0.1 missing in the fast path"), diffs().stream().sorted().toList());
        fpLocals.add(key("10.204.0.0"));
        fpLocals.add(key("10.204.0.1"));
        assertEquals(List.of(), diffs());
    }

    @Test
    void aLocalRouteTooLargeToListExpectsThePortsDown() throws Exception {
        routes.add(new io.xdpgate.netlink.Route(AF_INET6, 255, 2, 3, 254, 64, a("2001:db8:206::"), null, 1, 0,
                List.of(), 0));
        assertEquals(1, diffs().size(), "the port is up in the fast path: " + diffs());
        fpPorts.put(PORT, new Port(PORT_MAC, 0, 1500));
        assertEquals(List.of(), diffs(), "down: the namespace's traffic goes to Linux");
    }

    @Test
    void whileThePortsAreDownForTheVrfsSakeANexthopStaysValidByItsLink() throws Exception {
        kernelRoute(1, "10.9.0.0", 16, null, PORT, 0, 0);
        fastRoute("10.9.0.0", 16, Route.unicast(1));
        slot(1, false, null);
        assertEquals(List.of(), diffs());
        rules.add(rule(AF_INET, 1000, 100, false, "from 10.201.1.2 lookup 100"));
        fpPorts.put(PORT, new Port(PORT_MAC, 0, 1500));
        assertEquals(List.of(), diffs(), "the manager marks a nexthop by its egress link, not by the VRF's state");
        links.put(PORT, new Link(PORT, "xga", "veth", PORT_MAC, 1500, 0, 2, 0));
        assertEquals(List.of("route 10.9.0.0/16: nexthop valid but the egress is not an up fast path port"), diffs(),
                "the link itself down: the nexthop must not be valid");
    }

    @Test
    void rulesOtherThanTheDefaultsExpectThePortsDownAndTheDefaultsUp() {
        assertEquals(List.of(), diffs(), "the default rules: the port forwards");
        Rule source = rule(AF_INET, 1000, 100, false, "from 10.201.1.2 lookup 100");
        rules.add(source);
        assertEquals(List.of("port xga: kernel mac/mtu/up 02:11:11:11:11:11/1500/true, fast path 02:11:11:11:11:11/1500/true"
                + " (expected down: the policy routing rules are not the kernel's defaults)"), diffs());
        fpPorts.put(PORT, new Port(PORT_MAC, 0, 1500));
        assertEquals(List.of(), diffs(), "down: the namespace's traffic goes to Linux");
        rules.remove(source);
        assertEquals(1, diffs().size(), "the defaults again: a port left down is a difference: " + diffs());
        rules.removeIf(r -> r.identity().equals("main6"));
        assertEquals(List.of(), diffs(), "an IPv6 default deleted: down too");
        rules.add(rule(AF_INET6, 32766, 254, true, "main6"));
        rules.add(rule(AF_INET6, 32765, 254, false, "main6 suppress_prefixlength 0"));
        assertEquals(List.of(), diffs(), "a suppress_prefixlength rule: down");
    }
}
