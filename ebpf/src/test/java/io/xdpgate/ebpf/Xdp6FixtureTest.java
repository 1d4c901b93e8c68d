package io.xdpgate.ebpf;

import static io.xdpgate.ebpf.Frames6.v6;
import static io.xdpgate.ebpf.XdpFixtureTest.EGRESS;
import static io.xdpgate.ebpf.XdpFixtureTest.GW;
import static io.xdpgate.ebpf.XdpFixtureTest.GW2;
import static io.xdpgate.ebpf.XdpFixtureTest.HOST;
import static io.xdpgate.ebpf.XdpFixtureTest.LO;
import static io.xdpgate.ebpf.XdpFixtureTest.NEIGH;
import static io.xdpgate.ebpf.XdpFixtureTest.NH_CONNECTED;
import static io.xdpgate.ebpf.XdpFixtureTest.NH_GW;
import static io.xdpgate.ebpf.XdpFixtureTest.NH_GW2;
import static io.xdpgate.ebpf.XdpFixtureTest.ROUTER;
import static io.xdpgate.ebpf.XdpFixtureTest.VRF;
import static io.xdpgate.ebpf.XdpFixtureTest.assertOnlyCounter;
import static io.xdpgate.ebpf.XdpFixtureTest.port;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.xdpgate.ebpf.XdpFixtureTest.Fixture;
import io.xdpgate.ebpf.XdpFixtureTest.Setup;
import java.net.Inet6Address;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The IPv6 path through BPF_PROG_TEST_RUN, in the style of {@link XdpFixtureTest}
 * (same program, VRF 7, lo an up port): every verdict and exception reason.
 */
class Xdp6FixtureTest {
    static final String GW_DST = "2001:db8:100::7"; // in 2001:db8:100::/48, via the gateway
    static final String NEIGH_DST = "2001:db8:2::9"; // in 2001:db8:2::/64, connected

    /** An up port, a resolved gateway nexthop and 2001:db8:100::/48 through it. */
    static Setup base() {
        return port().then(m -> {
            m.putNexthop(NH_GW, Nexthop.resolved(LO, 1500, GW, EGRESS));
            m.putRoute6(VRF, v6("2001:db8:100::"), 48, Route.unicast(NH_GW));
        });
    }

    /** base plus 2001:db8:2::/64 connected through nexthop 2. */
    static Setup connected() {
        return base().then(m -> {
            m.putNexthop(NH_CONNECTED, Nexthop.connected(LO, 1500, EGRESS));
            m.putRoute6(VRF, v6("2001:db8:2::"), 64, Route.unicast(NH_CONNECTED));
        });
    }

    static Setup neighbour(String address, byte[] mac) {
        return m -> m.putNeighbour6(VRF, LO, v6(address), new Neighbour(mac, 0x02, false));
    }

    static Setup route(String prefix, int len, int type) {
        return m -> m.putRoute6(VRF, v6(prefix), len, new Route(type, 0));
    }

    static Frames6 to(String dst) {
        return Frames6.ipv6().dmac(ROUTER).smac(HOST).dst(dst);
    }

    /** The frame the gateway receives: MACs rewritten, hop limit one less, nothing else changed. */
    static Frames6 fromRouter(byte[] dmac, String dst) {
        return Frames6.ipv6().dmac(dmac).smac(EGRESS).dst(dst);
    }

    static List<Fixture> fixtures() {
        List<Fixture> f = new ArrayList<>(List.of(
                new Fixture("forwarded via a resolved gateway: MACs rewritten, hop limit 64 -> 63",
                        base(), to(GW_DST).build(), XdpTestRun.XDP_REDIRECT, Stat.FORWARDED,
                        fromRouter(GW, GW_DST).hopLimit(63).build()),
                new Fixture("forwarded with Ethernet padding beyond the payload length, padding kept",
                        base(), to(GW_DST).payload(2).padding(4).build(), XdpTestRun.XDP_REDIRECT, Stat.FORWARDED,
                        fromRouter(GW, GW_DST).payload(2).padding(4).hopLimit(63).build()),
                new Fixture("forwarded with no payload at all (next header 59)",
                        base(), to(GW_DST).nextHeader(59).payload(0).build(), XdpTestRun.XDP_REDIRECT,
                        Stat.FORWARDED, fromRouter(GW, GW_DST).nextHeader(59).payload(0).hopLimit(63).build()),
                new Fixture("forwarded: ICMPv6 echo request is not ND",
                        base(), to(GW_DST).icmp(128).build(), XdpTestRun.XDP_REDIRECT, Stat.FORWARDED,
                        fromRouter(GW, GW_DST).icmp(128).hopLimit(63).build()),
                new Fixture("forwarded: ICMPv6 type 138 (router renumbering) is not ND",
                        base(), to(GW_DST).icmp(138).build(), XdpTestRun.XDP_REDIRECT, Stat.FORWARDED,
                        fromRouter(GW, GW_DST).icmp(138).hopLimit(63).build()),
                new Fixture("forwarded: a fragment header is not read (routers forward fragments)",
                        base(), to(GW_DST).nextHeader(44).build(), XdpTestRun.XDP_REDIRECT, Stat.FORWARDED,
                        fromRouter(GW, GW_DST).nextHeader(44).hopLimit(63).build()),
                new Fixture("forwarded to a connected neighbour from xg_neigh6, hop limit 2 -> 1",
                        connected().then(neighbour(NEIGH_DST, NEIGH)),
                        to(NEIGH_DST).hopLimit(2).build(), XdpTestRun.XDP_REDIRECT, Stat.FORWARDED,
                        fromRouter(NEIGH, NEIGH_DST).hopLimit(1).build()),
                new Fixture("forwarded at exactly the egress MTU (40 + payload = 1280)",
                        base().then(m -> m.putNexthop(NH_GW, Nexthop.resolved(LO, 1280, GW, EGRESS))),
                        to(GW_DST).payload(1240).build(), XdpTestRun.XDP_REDIRECT, Stat.FORWARDED,
                        fromRouter(GW, GW_DST).payload(1240).hopLimit(63).build()),
                new Fixture("local address (xg_local6)",
                        base().then(m -> m.putLocal6(VRF, v6(GW_DST), LO)),
                        to(GW_DST).build(), XdpTestRun.XDP_PASS, Stat.EXC_LOCAL, null),
                new Fixture("local route",
                        base().then(route("2001:db8:ff::", 64, Route.LOCAL)),
                        to("2001:db8:ff::1").build(), XdpTestRun.XDP_PASS, Stat.EXC_LOCAL, null),
                new Fixture("no route",
                        base(), to("2001:db8:200::1").build(), XdpTestRun.XDP_PASS, Stat.EXC_NO_ROUTE, null),
                new Fixture("no route: an IPv4 route does not match an IPv6 destination",
                        port().then(m -> m.putRoute4(VRF, XdpFixtureTest.v4(0), 0, Route.unicast(NH_GW))),
                        to(GW_DST).build(), XdpTestRun.XDP_PASS, Stat.EXC_NO_ROUTE, null),
                new Fixture("no neighbour: gateway nexthop not resolved",
                        base().then(m -> m.putNexthop(NH_GW, new Nexthop(LO, Nexthop.VALID, 1500, new byte[6], EGRESS,
                                false))),
                        to(GW_DST).build(), XdpTestRun.XDP_PASS, Stat.EXC_NO_NEIGH, null),
                new Fixture("no neighbour: connected destination without an xg_neigh6 entry",
                        connected(), to(NEIGH_DST).build(), XdpTestRun.XDP_PASS, Stat.EXC_NO_NEIGH, null),
                new Fixture("no neighbour: the xg_neigh6 entry is on another interface",
                        connected().then(m -> m.putNeighbour6(VRF, LO + 1, v6(NEIGH_DST),
                                new Neighbour(NEIGH, 2, false))),
                        to(NEIGH_DST).build(), XdpTestRun.XDP_PASS, Stat.EXC_NO_NEIGH, null),
                new Fixture("no neighbour: connected neighbour with a multicast MAC is never used",
                        connected().then(neighbour(NEIGH_DST, new byte[] {0x33, 0x33, 0, 0, 0, 1})),
                        to(NEIGH_DST).build(), XdpTestRun.XDP_PASS, Stat.EXC_NO_NEIGH, null),
                new Fixture("hop limit 1 expires: Linux sends time exceeded",
                        base(), to(GW_DST).hopLimit(1).build(), XdpTestRun.XDP_PASS, Stat.EXC_TTL, null),
                new Fixture("hop limit 0",
                        base(), to(GW_DST).hopLimit(0).build(), XdpTestRun.XDP_PASS, Stat.EXC_TTL, null),
                new Fixture("hop-by-hop options header",
                        base(), to(GW_DST).nextHeader(Frames6.NEXT_HOPOPTS).build(), XdpTestRun.XDP_PASS,
                        Stat.EXC_IPV6_HBH, null),
                new Fixture("multicast destination ff0e::101 (unicast MAC)",
                        base(), to("ff0e::101").build(), XdpTestRun.XDP_PASS, Stat.EXC_MULTICAST, null),
                new Fixture("multicast destination ff02::1 with its 33:33 MAC",
                        base(), to("ff02::1").dmac(new byte[] {0x33, 0x33, 0, 0, 0, 1}).build(),
                        XdpTestRun.XDP_PASS, Stat.EXC_MULTICAST, null),
                new Fixture("link-local destination fe80::1",
                        base(), to("fe80::1").build(), XdpTestRun.XDP_PASS, Stat.EXC_LOCAL, null),
                new Fixture("link-local destination at the top of fe80::/10 (febf::1)",
                        base(), to("febf::1").build(), XdpTestRun.XDP_PASS, Stat.EXC_LOCAL, null),
                new Fixture("link-local source to a routed destination",
                        base(), to(GW_DST).src("fe80::2").build(), XdpTestRun.XDP_PASS, Stat.EXC_LOCAL, null),
                new Fixture("fec0::1 is not link-local: looked up, no route",
                        base(), to("fec0::1").build(), XdpTestRun.XDP_PASS, Stat.EXC_NO_ROUTE, null),
                new Fixture("larger than the egress MTU: Linux sends packet too big",
                        base().then(m -> m.putNexthop(NH_GW, Nexthop.resolved(LO, 1280, GW, EGRESS))),
                        to(GW_DST).payload(1241).build(), XdpTestRun.XDP_PASS, Stat.EXC_MTU, null),
                new Fixture("blackhole route drops",
                        base().then(route("2001:db8:dead::", 48, Route.BLACKHOLE)),
                        to("2001:db8:dead::1").build(), XdpTestRun.XDP_DROP, Stat.DROP_BLACKHOLE, null),
                new Fixture("unreachable route",
                        base().then(route("2001:db8:dead::", 48, Route.UNREACHABLE)),
                        to("2001:db8:dead::1").build(), XdpTestRun.XDP_PASS, Stat.EXC_ROUTE_TYPE, null),
                new Fixture("prohibit route",
                        base().then(route("2001:db8:dead::", 48, Route.PROHIBIT)),
                        to("2001:db8:dead::1").build(), XdpTestRun.XDP_PASS, Stat.EXC_ROUTE_TYPE, null),
                new Fixture("ingress is not a port",
                        base().then(m -> m.deletePort(VRF, LO)),
                        to(GW_DST).build(), XdpTestRun.XDP_PASS, Stat.EXC_NOT_PORT, null),
                new Fixture("nexthop not valid (egress not a port)",
                        base().then(m -> m.clearNexthop(NH_GW)),
                        to(GW_DST).build(), XdpTestRun.XDP_PASS, Stat.EXC_NOT_PORT, null),
                new Fixture("malformed: IPv6 header truncated",
                        base(), to(GW_DST).truncate(14 + 39).build(), XdpTestRun.XDP_PASS, Stat.EXC_MALFORMED, null),
                new Fixture("malformed: payload length beyond the frame",
                        base(), to(GW_DST).payloadLength(27).build(), XdpTestRun.XDP_PASS, Stat.EXC_MALFORMED, null),
                new Fixture("malformed: version 4 under the IPv6 ethertype",
                        base(), to(GW_DST).version(4).build(), XdpTestRun.XDP_PASS, Stat.EXC_MALFORMED, null),
                new Fixture("malformed: an IPv4 packet under the IPv6 ethertype",
                        base(), XdpFixtureTest.to(XdpFixtureTest.GW_DST).ethertype(Frames6.ETH_P_IPV6).build(),
                        XdpTestRun.XDP_PASS, Stat.EXC_MALFORMED, null),
                new Fixture("malformed: ICMPv6 shorter than its 4-byte header",
                        base(), to(GW_DST).icmp(135).payloadLength(3).build(), XdpTestRun.XDP_PASS,
                        Stat.EXC_MALFORMED, null)));
        // Every Neighbour Discovery type, to a global unicast address that is routed and not local.
        int[] nd = {133, 134, 135, 136, 137};
        String[] names = {"router solicitation", "router advertisement", "neighbour solicitation",
            "neighbour advertisement", "redirect"};
        for (int i = 0; i < nd.length; i++) {
            f.add(new Fixture("ND " + names[i] + " (type " + nd[i] + ") to a routed global address",
                    base(), to(GW_DST).icmp(nd[i]).hopLimit(255).build(), XdpTestRun.XDP_PASS, Stat.EXC_ND, null));
        }
        f.add(new Fixture("ND to a solicited-node multicast address is a multicast exception first",
                base(), to("ff02::1:ff00:7").dmac(new byte[] {0x33, 0x33, -1, 0, 0, 7}).icmp(135).hopLimit(255)
                        .build(), XdpTestRun.XDP_PASS, Stat.EXC_MULTICAST, null));
        f.add(new Fixture("ND from a link-local source is a local exception first",
                base(), to(GW_DST).src("fe80::2").icmp(136).hopLimit(255).build(), XdpTestRun.XDP_PASS,
                Stat.EXC_LOCAL, null));
        return f;
    }

    @TestFactory
    Stream<DynamicTest> ipv6FixturesThroughProgTestRun() {
        return fixtures().stream().map(f -> dynamicTest(f.description(), () -> XdpFixtureTest.run(f)));
    }

    @Test
    void ipv6RouteOfVrf7IsInvisibleToTheProgramOfVrf8() throws Exception {
        Path root = Privileged.freshPinRoot();
        try (FastPathProgram p7 = FastPathProgram.load(root, 7); FastPathProgram p8 = FastPathProgram.load(root, 8);
                FastPathMaps maps = FastPathMaps.open(root)) {
            base().apply(maps);
            maps.putPort(8, LO, new Port(ROUTER, Port.UP, 1500));
            maps.putLocal6(7, v6("2001:db8:100::8"), LO);
            byte[] frame = to(GW_DST).build();
            assertEquals(XdpTestRun.XDP_PASS, XdpTestRun.run(p8, frame, LO, 1).verdict());
            assertOnlyCounter(maps.stats(), Stat.EXC_NO_ROUTE, frame.length);
            assertEquals(XdpTestRun.XDP_PASS, XdpTestRun.run(p8, to("2001:db8:100::8").build(), LO, 1).verdict());
            assertEquals(2, maps.stats().get(Stat.EXC_NO_ROUTE).packets(), "VRF 7's local address is not VRF 8's");
            XdpTestRun.Result r7 = XdpTestRun.run(p7, frame, LO, 1);
            assertEquals(XdpTestRun.XDP_REDIRECT, r7.verdict(), "the same maps, seen by VRF 7");
            assertArrayEquals(fromRouter(GW, GW_DST).hopLimit(63).build(), r7.output());
        } finally {
            Privileged.removePinRoot(root);
        }
    }

    @Test
    void longestPrefixMatchPrefersTheSlash64OverTheSlash48() throws Exception {
        Path root = Privileged.freshPinRoot();
        try (FastPathProgram p = FastPathProgram.load(root, VRF); FastPathMaps maps = FastPathMaps.open(root)) {
            base().apply(maps);
            maps.putNexthop(NH_GW2, Nexthop.resolved(LO, 1500, GW2, EGRESS));
            maps.putRoute6(VRF, v6("2001:db8:100:5::"), 64, Route.unicast(NH_GW2));
            String in64 = "2001:db8:100:5::1";
            assertArrayEquals(fromRouter(GW2, in64).hopLimit(63).build(),
                    XdpTestRun.run(p, to(in64).build(), LO, 1).output(), "inside the /64: nexthop 3");
            String in48 = "2001:db8:100:6::1";
            assertArrayEquals(fromRouter(GW, in48).hopLimit(63).build(),
                    XdpTestRun.run(p, to(in48).build(), LO, 1).output(), "outside the /64: the /48, nexthop 1");
            maps.putRoute6(VRF, v6("::"), 0, Route.unicast(NH_GW2));
            String other = "2001:db9::1";
            assertArrayEquals(fromRouter(GW2, other).hopLimit(63).build(),
                    XdpTestRun.run(p, to(other).build(), LO, 1).output(), "anything else: the default route");
        } finally {
            Privileged.removePinRoot(root);
        }
    }

    @Test
    void forwardingRecordsTheIpv6NeighbourAndTheGatewayItSendsTo() throws Exception {
        Path root = Privileged.freshPinRoot();
        try (FastPathProgram p = FastPathProgram.load(root, VRF); FastPathMaps maps = FastPathMaps.open(root)) {
            connected().then(neighbour(NEIGH_DST, NEIGH)).apply(maps);
            Inet6Address gateway = v6("fe80::3"); // a link-local gateway, as routers announce them
            maps.putNexthopGateway(NH_GW, VRF, LO, gateway);
            Nexthop before = maps.nexthop(NH_GW);
            XdpTestRun.run(p, to(GW_DST).build(), LO, 1);
            XdpTestRun.run(p, to(NEIGH_DST).build(), LO, 1);
            assertTrue(maps.nexthopUsed(NH_GW) > 0, "gateway recorded: " + maps.neighbourUses());
            assertTrue(maps.neighbourUses().stream().anyMatch(u -> u.address().equals(gateway)), "named by xg_nh_gw");
            assertTrue(maps.neighbourUsed(VRF, LO, v6(NEIGH_DST)) > 0, "IPv6 neighbour recorded: " + maps.neighbourUses());
            assertEquals(2, maps.neighbourUses().size(), "nothing else: " + maps.neighbourUses());
            assertEquals(before, maps.nexthop(NH_GW), "the nexthop value is never written by the fast path");
            assertFalse(maps.neighbour6(VRF, LO, v6(NEIGH_DST)).hit());
        } finally {
            Privileged.removePinRoot(root);
        }
    }

    @Test
    void ipv4AndIpv6RoutesShareANexthop() throws Exception {
        Path root = Privileged.freshPinRoot();
        try (FastPathProgram p = FastPathProgram.load(root, VRF); FastPathMaps maps = FastPathMaps.open(root)) {
            XdpFixtureTest.base().then(base()).apply(maps);
            assertEquals(XdpTestRun.XDP_REDIRECT,
                    XdpTestRun.run(p, XdpFixtureTest.to(XdpFixtureTest.GW_DST).build(), LO, 1).verdict());
            assertEquals(XdpTestRun.XDP_REDIRECT, XdpTestRun.run(p, to(GW_DST).build(), LO, 1).verdict());
            assertEquals(2, maps.stats().get(Stat.FORWARDED).packets());
        } finally {
            Privileged.removePinRoot(root);
        }
    }
}
