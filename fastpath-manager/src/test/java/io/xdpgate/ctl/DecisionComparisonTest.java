package io.xdpgate.ctl;

import io.xdpgate.ebpf.Port;
import io.xdpgate.ebpf.Stat;
import io.xdpgate.netlink.Link;
import io.xdpgate.netlink.Neighbour;
import io.xdpgate.netlink.NexthopGroupMember;
import io.xdpgate.netlink.NexthopObject;
import io.xdpgate.netlink.Route;
import io.xdpgate.netlink.RouteNexthop;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The comparison rules on a fabricated table of kernel decisions against fast path decisions: which
 * fast path outcomes are right for what the kernel decided, and which are mismatches. No kernel, no maps.
 */
class DecisionComparisonTest {

    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int A = 3;      // an up fast path port
    private static final int B = 4;      // another one
    private static final int SLOW = 5;   // an interface that is no fast path port
    private static final int DOWN = 6;   // a port that is down
    private static final int UP = 0x1 | 0x10000;
    private static final int REACHABLE = 0x02;
    private static final int STALE = 0x04;
    private static final int FAILED = 0x20;
    private static final byte[] MAC_A = mac(0xa);
    private static final byte[] MAC_B = mac(0xb);
    private static final byte[] GW1 = mac(0x1);
    private static final byte[] GW2 = mac(0x2);
    private static final byte[] HOST = mac(0x5);
    private static final byte[] OTHER = mac(0xe);

    private final DecisionComparison.Context context = DecisionComparison.Context.of(
            Map.of(A, new Link(A, "porta", "veth", MAC_A, 1500, UP, 6, 0),
                    B, new Link(B, "portb", "veth", MAC_B, 1500, UP, 6, 0),
                    SLOW, new Link(SLOW, "slow", "veth", mac(0xc), 1500, UP, 6, 0),
                    DOWN, new Link(DOWN, "down", "veth", mac(0xd), 1500, 0, 2, 0)),
            Map.of(A, new Port(MAC_A, Port.UP, 1500), B, new Port(MAC_B, Port.UP, 1500), DOWN, new Port(mac(0xd), 0, 1500)),
            List.of(neighbour(A, "10.0.0.1", GW1, REACHABLE),
                    neighbour(B, "10.0.1.1", GW2, STALE),
                    neighbour(A, "10.0.0.2", null, FAILED),                       // not usable: failed
                    neighbour(B, "10.0.1.3", new byte[] {1, 0, 0x5e, 0, 0, 1}, REACHABLE), // not usable: multicast MAC
                    neighbour(A, "10.0.0.77", HOST, REACHABLE),
                    neighbour(B, "fe80::1", GW2, REACHABLE),
                    neighbour(SLOW, "10.0.2.1", GW1, REACHABLE)),
            Map.of(11, single(11, A, "10.0.0.1"), 12, single(12, B, "10.0.1.1"), 13, single(13, A, "10.0.0.2"),
                    20, group(20, 11, 12), 21, group(21, 11, 13),
                    30, new NexthopObject(30, AF_INET, 0, null, true, List.of(), 4, 0)));

    private static byte[] mac(int last) {
        return new byte[] {0x02, 0, 0, 0, 0, (byte) last};
    }

    private static InetAddress a(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static Neighbour neighbour(int ifindex, String address, byte[] lladdr, int state) {
        return new Neighbour(address.contains(":") ? AF_INET6 : AF_INET, ifindex, a(address), lladdr, state, 0);
    }

    private static NexthopObject single(int id, int ifindex, String gateway) {
        return new NexthopObject(id, AF_INET, ifindex, a(gateway), false, List.of(), 4, 0);
    }

    private static NexthopObject group(int id, int... members) {
        List<NexthopGroupMember> m = new ArrayList<>();
        for (int x : members) m.add(new NexthopGroupMember(x, 1));
        return new NexthopObject(id, 0, 0, null, false, m, 4, 0);
    }

    private static TestPacket packet(String dst) {
        return new TestPacket(a(dst), a(dst.contains(":") ? "2001:db8::9" : "10.0.0.9"), A, "porta", 1000, 2000, "route");
    }

    private static KernelDecision route(int type, String dst, int length, String gateway, int oif) {
        return KernelDecision.of(new Route(dst.contains(":") ? AF_INET6 : AF_INET, type == 2 || type == 3 ? 255 : 254,
                type, 4, 0, length, a(dst), gateway == null ? null : a(gateway), oif, 0, List.of(), 0));
    }

    private static KernelDecision multipath(String dst, int length, RouteNexthop... paths) {
        return KernelDecision.of(new Route(AF_INET, 254, 1, 4, 0, length, a(dst), null, 0, 0, List.of(paths), 0));
    }

    private static KernelDecision object(String dst, int length, int nhId) {
        return KernelDecision.of(new Route(AF_INET, 254, 1, 4, 0, length, a(dst), null, 0, 0, List.of(), nhId));
    }

    private static FastDecision redirect(byte[] smac, byte[] dmac) {
        return FastDecision.redirect(smac, dmac, null);
    }

    /** Asserts that each fast path decision is right (true) or a mismatch (false) for the kernel's. */
    private void table(String dst, KernelDecision kernel, Object... decisionsAndVerdicts) {
        for (int i = 0; i < decisionsAndVerdicts.length; i += 2) {
            FastDecision f = (FastDecision) decisionsAndVerdicts[i];
            boolean right = (Boolean) decisionsAndVerdicts[i + 1];
            String m = DecisionComparison.mismatch(packet(dst), kernel, f, context);
            if (right) assertNull(m, "'" + f + "' must be right for " + kernel.describe(Map.of()));
            else assertNotNull(m, "'" + f + "' must be a mismatch for " + kernel.describe(Map.of()));
        }
    }

    @Test
    void throughAResolvedGatewayTheFastPathMustRedirectWithTheEgressAndGatewayMacs() {
        table("192.0.2.7", route(1, "192.0.2.0", 24, "10.0.0.1", A),
                redirect(MAC_A, GW1), true,
                redirect(MAC_A, OTHER), false,             // wrong neighbour
                redirect(MAC_B, GW1), false,               // wrong egress
                FastDecision.redirect(MAC_A, GW1, "TTL 64 after 64"), false,
                FastDecision.pass(Stat.EXC_NO_NEIGH), false,  // an exception where the kernel forwards
                FastDecision.drop(Stat.DROP_BLACKHOLE), false);
        // A stale neighbour is still usable, as in the kernel.
        table("192.0.2.7", route(1, "192.0.2.0", 24, "10.0.1.1", B), redirect(MAC_B, GW2), true);
    }

    @Test
    void aGatewayWithoutAUsableNeighbourIsTheNoNeighException() {
        for (String gw : new String[] {"10.0.0.2", "10.0.0.3"}) { // failed, absent
            table("192.0.2.7", route(1, "192.0.2.0", 24, gw, A),
                    FastDecision.pass(Stat.EXC_NO_NEIGH), true,
                    FastDecision.pass(Stat.EXC_NO_ROUTE), false,
                    redirect(MAC_A, GW1), false);
        }
        // A multicast MAC is never written, whatever the state.
        table("192.0.2.7", route(1, "192.0.2.0", 24, "10.0.1.3", B), FastDecision.pass(Stat.EXC_NO_NEIGH), true);
    }

    @Test
    void anEgressThatIsNoUpFastPathPortIsTheNotPortException() {
        for (int oif : new int[] {SLOW, DOWN}) {
            table("192.0.2.7", route(1, "192.0.2.0", 24, "10.0.2.1", oif),
                    FastDecision.pass(Stat.EXC_NOT_PORT), true,
                    FastDecision.pass(Stat.EXC_NO_NEIGH), false,
                    redirect(mac(0xc), GW1), false);
        }
    }

    @Test
    void aConnectedDestinationIsItsOwnNeighbour() {
        table("10.0.0.77", route(1, "10.0.0.0", 24, null, A), redirect(MAC_A, HOST), true, redirect(MAC_A, GW1), false);
        table("10.0.0.78", route(1, "10.0.0.0", 24, null, A), FastDecision.pass(Stat.EXC_NO_NEIGH), true);
        table("2001:db8:5::1", route(1, "2001:db8:5::", 64, "fe80::1", B), redirect(MAC_B, GW2), true);
    }

    @Test
    void ecmpMayTakeAnyPathOfTheRouteWithThatPathsOwnOutcome() {
        KernelDecision k = multipath("198.51.100.0", 24, new RouteNexthop(A, a("10.0.0.1"), 1),
                new RouteNexthop(B, a("10.0.1.1"), 2), new RouteNexthop(A, a("10.0.0.2"), 1));
        table("198.51.100.9", k,
                redirect(MAC_A, GW1), true,
                redirect(MAC_B, GW2), true,
                FastDecision.pass(Stat.EXC_NO_NEIGH), true,  // the unresolved path
                redirect(MAC_A, GW2), false,                 // a path the route does not have
                FastDecision.pass(Stat.EXC_NOT_PORT), false);
        assertEquals(3, DecisionComparison.expected(packet("198.51.100.9"), k, context).size());
    }

    @Test
    void nexthopObjectsAreFollowed() {
        table("203.0.113.1", object("203.0.113.0", 24, 11), redirect(MAC_A, GW1), true, redirect(MAC_B, GW2), false);
        table("203.0.113.1", object("203.0.113.0", 24, 20), redirect(MAC_A, GW1), true, redirect(MAC_B, GW2), true);
        table("203.0.113.1", object("203.0.113.0", 24, 21), redirect(MAC_A, GW1), true,
                FastDecision.pass(Stat.EXC_NO_NEIGH), true, redirect(MAC_B, GW2), false);
        table("203.0.113.1", object("203.0.113.0", 24, 30), FastDecision.drop(Stat.DROP_BLACKHOLE), true,
                redirect(MAC_A, GW1), false);
        // An id the kernel's dump does not have: the fast path leaves such routes to Linux.
        table("203.0.113.1", object("203.0.113.0", 24, 99), FastDecision.pass(Stat.EXC_ROUTE_TYPE), true,
                redirect(MAC_A, GW1), false);
    }

    @Test
    void localAndLinuxOnlyDestinations() {
        table("10.0.0.1", route(2, "10.0.0.1", 32, null, A),
                FastDecision.pass(Stat.EXC_LOCAL), true,
                FastDecision.pass(Stat.EXC_NO_ROUTE), false,
                redirect(MAC_A, GW1), false);
        table("10.0.0.255", route(3, "10.0.0.255", 32, null, A), // broadcast: any exception
                FastDecision.pass(Stat.EXC_NO_NEIGH), true,
                FastDecision.pass(Stat.EXC_LOCAL), true,
                FastDecision.pass(null), false,            // no counter moved
                FastDecision.drop(Stat.DROP_BLACKHOLE), false,
                redirect(MAC_A, GW1), false);
    }

    @Test
    void lookupErrorsAreTheirExceptionsOrDrops() {
        table("192.0.2.1", KernelDecision.error(KernelDecision.ENETUNREACH),
                FastDecision.pass(Stat.EXC_NO_ROUTE), true, FastDecision.pass(Stat.EXC_ROUTE_TYPE), false,
                redirect(MAC_A, GW1), false);
        for (int errno : new int[] {KernelDecision.EHOSTUNREACH, KernelDecision.EACCES}) {
            table("192.0.2.1", KernelDecision.error(errno),
                    FastDecision.pass(Stat.EXC_ROUTE_TYPE), true, FastDecision.pass(Stat.EXC_NO_ROUTE), false);
        }
        table("192.0.2.1", KernelDecision.error(KernelDecision.EINVAL),
                FastDecision.drop(Stat.DROP_BLACKHOLE), true, FastDecision.pass(Stat.EXC_ROUTE_TYPE), false,
                redirect(MAC_A, GW1), false);
        table("127.0.0.5", KernelDecision.martian(),
                FastDecision.pass(Stat.EXC_LOCAL), true, FastDecision.drop(Stat.DROP_BLACKHOLE), false,
                redirect(MAC_A, GW1), false);
    }

    @Test
    void kernelAnswersThatContradictEachOtherMatchNothing() {
        KernelDecision k = route(1, "192.0.2.0", 24, "10.0.0.1", A);
        KernelDecision contradicted = k.withNote(k.route(), "the chosen path is not the route's", false);
        table("192.0.2.7", contradicted, redirect(MAC_A, GW1), false);
        assertTrue(DecisionComparison.mismatch(packet("192.0.2.7"), contradicted, redirect(MAC_A, GW1), context)
                .contains("the kernel's answers disagree"));
    }

    @Test
    void aMismatchNamesThePacketAndBothDecisions() {
        String m = DecisionComparison.mismatch(packet("192.0.2.7"), route(1, "192.0.2.0", 24, "10.0.0.1", A),
                FastDecision.pass(Stat.EXC_NO_NEIGH), context);
        assertEquals("UDP 10.0.0.9:1000 > 192.0.2.7:2000 in porta (route): kernel unicast 192.0.2.0/24 via 10.0.0.1"
                + " dev porta, expected redirect smac 02:00:00:00:00:0a dmac 02:00:00:00:00:01 [via 10.0.0.1 dev porta];"
                + " fast path pass no_neigh", m);
    }

    @Test
    void theIpv6AnswerOfASharedNexthopObjectIsReplacedByTheDumpsLongestMatch() {
        NexthopObject v6a = new NexthopObject(41, AF_INET6, A, a("2001:db8::a"), false, List.of(), 4, 0);
        NexthopObject v6b = new NexthopObject(42, AF_INET6, B, a("2001:db8::b"), false, List.of(), 4, 0);
        Map<Integer, NexthopObject> objects = Map.of(41, v6a, 42, v6b, 43, group(43, 41, 42));
        Route named = new Route(AF_INET6, 254, 1, 4, 0, 32, a("2400:1::"), null, 0, 1024, List.of(), 42);
        Route matching = new Route(AF_INET6, 254, 1, 4, 0, 32, a("2400:2::"), null, 0, 1024, List.of(), 43);
        KernelRoutes routes6 = new KernelRoutes(List.of(named, matching), AF_INET6);
        TestPacket p = new TestPacket(a("2400:2::5"), a("2001:db8::9"), A, "porta", 1, 2, "route");
        Route chosenB = new Route(AF_INET6, 254, 1, 4, 0, 128, a("2400:2::5"), a("2001:db8::b"), B, 1024, List.of(), 0);
        KernelDecision k = KernelDecisions.corrected(p, KernelDecision.of(named), chosenB, routes6, objects);
        assertTrue(k.consistent());
        assertEquals(matching, k.route());
        Route elsewhere = new Route(AF_INET6, 254, 1, 4, 0, 128, a("2400:2::5"), a("2001:db8::c"), B, 1024, List.of(), 0);
        assertFalse(KernelDecisions.corrected(p, KernelDecision.of(named), elsewhere, routes6, objects).consistent());
        // An answer that names the matching route stays as it is.
        TestPacket q = new TestPacket(a("2400:1::5"), a("2001:db8::9"), A, "porta", 1, 2, "route");
        assertEquals(KernelDecision.of(named), KernelDecisions.corrected(q, KernelDecision.of(named), chosenB, routes6, objects));
    }

    @Test
    void theLongestMatchOfTheDumpPrefersLongerPrefixesAndLowerMetrics() {
        Route wide = new Route(AF_INET, 254, 1, 4, 0, 8, a("10.0.0.0"), null, A, 0, List.of(), 0);
        Route narrow = new Route(AF_INET, 254, 6, 4, 0, 24, a("10.1.2.0"), null, 0, 0, List.of(), 0);
        Route narrowBetter = new Route(AF_INET, 254, 1, 4, 0, 24, a("10.1.2.0"), null, B, 0, List.of(), 0);
        Route narrowWorse = new Route(AF_INET, 254, 1, 4, 0, 24, a("10.1.2.0"), null, B, 100, List.of(), 0);
        Route otherTable = new Route(AF_INET, 100, 1, 4, 0, 32, a("10.1.2.3"), null, B, 0, List.of(), 0);
        KernelRoutes routes = new KernelRoutes(List.of(wide, narrowWorse, narrow, otherTable), AF_INET);
        assertEquals(narrow, routes.lookup(a("10.1.2.3")));
        assertEquals(wide, routes.lookup(a("10.9.9.9")));
        assertNull(routes.lookup(a("11.0.0.1")));
        assertEquals(narrowBetter, new KernelRoutes(List.of(narrowWorse, narrowBetter), AF_INET).lookup(a("10.1.2.3")));
    }

    @Test
    void theFramesAreWhatTheSamplerMeantAndARightRewriteIsRecognised() {
        for (String[] addresses : new String[][] {{"10.0.0.9", "192.0.2.7"}, {"2001:db8::9", "2400:2::5"}}) {
            TestPacket p = new TestPacket(a(addresses[1]), a(addresses[0]), A, "porta", 4000, 53, "route");
            byte[] in = p.frame(MAC_A);
            boolean v4 = p.ipv4();
            if (v4) assertEquals(0, TestPacket.checksum(in, 14, 20, 0), "a valid IPv4 header checksum");
            byte[] out = in.clone();
            int ttl = v4 ? 22 : 21;
            out[ttl]--;
            if (v4) { // as the program does: the checksum recomputed
                out[24] = 0;
                out[25] = 0;
                int c = TestPacket.checksum(out, 14, 20, 0);
                out[24] = (byte) (c >> 8);
                out[25] = (byte) c;
            }
            System.arraycopy(GW1, 0, out, 0, 6);
            System.arraycopy(MAC_B, 0, out, 6, 6);
            assertNull(FastPathDecisions.rewrite(in, out));
            assertNotNull(FastPathDecisions.rewrite(in, in.clone()), "TTL not decremented");
            byte[] changed = out.clone();
            changed[changed.length - 1] ^= 1;
            assertNotNull(FastPathDecisions.rewrite(in, changed), "payload changed");
            if (v4) {
                byte[] badSum = out.clone();
                badSum[25] ^= 1;
                assertNotNull(FastPathDecisions.rewrite(in, badSum), "bad checksum");
            }
        }
    }
}
