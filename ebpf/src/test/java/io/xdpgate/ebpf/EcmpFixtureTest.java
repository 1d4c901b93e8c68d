package io.xdpgate.ebpf;

import static io.xdpgate.ebpf.Frames.ip;
import static io.xdpgate.ebpf.Frames.mac;
import static io.xdpgate.ebpf.Frames6.v6;
import static io.xdpgate.ebpf.XdpFixtureTest.EGRESS;
import static io.xdpgate.ebpf.XdpFixtureTest.GW;
import static io.xdpgate.ebpf.XdpFixtureTest.GW2;
import static io.xdpgate.ebpf.XdpFixtureTest.HOST;
import static io.xdpgate.ebpf.XdpFixtureTest.LO;
import static io.xdpgate.ebpf.XdpFixtureTest.ROUTER;
import static io.xdpgate.ebpf.XdpFixtureTest.VRF;
import static io.xdpgate.ebpf.XdpFixtureTest.v4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Routes through nexthop groups (ECMP) through BPF_PROG_TEST_RUN, VRF 7, lo an up port: the flow hash
 * spreads flows by weight, a flow always takes one path, the frame leaves as the chosen nexthop alone
 * would send it, and a member that cannot be used hands its flows to Linux without moving them.
 */
class EcmpFixtureTest {
    static final int NH_A = 1;
    static final int NH_B = 3;
    static final byte[] EGRESS_B = mac(7); // the source MAC of nexthop B, so that the whole rewrite is B's
    static final int GROUP = 5;
    static final int SEED = 0x5eed1234;
    static final int DST4 = ip(198, 51, 100, 7);
    static final String DST6 = "2001:db8:100::7";
    static final int TCP = 6;
    static final int UDP = 17;
    static final int SCTP = 132;
    static final int ICMP = 1;

    private Path root;
    private FastPathProgram prog;
    private FastPathMaps maps;

    @BeforeEach
    void load() throws Exception {
        root = Privileged.freshPinRoot();
        prog = FastPathProgram.load(root, VRF);
        maps = FastPathMaps.open(root);
        maps.putPort(VRF, LO, new Port(ROUTER, Port.UP, 1500));
        maps.putNexthop(NH_A, Nexthop.resolved(LO, 1500, GW, EGRESS));
        maps.putNexthop(NH_B, Nexthop.resolved(LO, 1500, GW2, EGRESS_B));
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (maps != null) {
            maps.close();
        }
        if (prog != null) {
            prog.close();
        }
        Privileged.removePinRoot(root);
    }

    /** Group GROUP of A and B with these weights, and 198.51.100.0/24 and 2001:db8:100::/48 through it. */
    private NexthopGroup group(int weightA, int weightB) throws Exception {
        NexthopGroup g = NexthopGroup.of(SEED, new int[] {NH_A, NH_B}, new int[] {weightA, weightB});
        maps.putNexthopGroup(GROUP, g);
        maps.putRoute4(VRF, v4(ip(198, 51, 100, 0)), 24, Route.group(GROUP));
        maps.putRoute6(VRF, v6("2001:db8:100::"), 48, Route.group(GROUP));
        return g;
    }

    private static Frames tcp4(int sport) {
        return Frames.ipv4().dmac(ROUTER).smac(HOST).dst(DST4).protocol(TCP).ports(sport, 80);
    }

    private static Frames6 tcp6(int sport) {
        return Frames6.ipv6().dmac(ROUTER).smac(HOST).dst(DST6).nextHeader(TCP).ports(sport, 443);
    }

    private XdpTestRun.Result run(byte[] frame) throws Exception {
        return XdpTestRun.run(prog, frame, LO, 1);
    }

    /** The nexthop the program chose, known by the destination MAC of a forwarded frame. */
    private static int chosen(XdpTestRun.Result r) {
        assertEquals(XdpTestRun.XDP_REDIRECT, r.verdict());
        byte[] dmac = Arrays.copyOf(r.output(), 6);
        if (Arrays.equals(dmac, GW)) {
            return NH_A;
        }
        if (Arrays.equals(dmac, GW2)) {
            return NH_B;
        }
        throw new AssertionError("forwarded to an unknown MAC " + Macs.format(dmac));
    }

    private static byte[] dmacOf(int nh) {
        return nh == NH_A ? GW : GW2;
    }

    private static byte[] smacOf(int nh) {
        return nh == NH_A ? EGRESS : EGRESS_B;
    }

    @Test
    void sixtyFourTcpFlowsSpreadOverTwoEqualNexthopsEachFlowAlwaysOneWay() throws Exception {
        NexthopGroup g = group(1, 1);
        int[] perNexthop = new int[4];
        for (int sport = 40000; sport < 40064; sport++) {
            byte[] in = tcp4(sport).build();
            XdpTestRun.Result first = run(in);
            int nh = chosen(first);
            perNexthop[nh]++;
            assertEquals(g.bucket(FlowHash.bucket(in, SEED)), nh, "port " + sport + ": the bucket of its flow hash");
            assertArrayEquals(Frames.ipv4().dmac(dmacOf(nh)).smac(smacOf(nh)).dst(DST4).protocol(TCP)
                    .ports(sport, 80).ttl(63).build(), first.output(), "port " + sport + ": the frame nexthop " + nh
                    + " alone would send");
            XdpFixtureTest.assertValidIpv4Checksum(first.output());
            assertArrayEquals(first.output(), run(in).output(), "port " + sport + ": the same flow again, the same way");
        }
        assertTrue(perNexthop[NH_A] >= 20 && perNexthop[NH_B] >= 20,
                "at least 30% of 64 flows on each: " + perNexthop[NH_A] + " / " + perNexthop[NH_B]);
        Map<Stat, Counter> stats = maps.stats();
        assertEquals(128, stats.get(Stat.FORWARDED).packets());
        assertEquals(128, stats.get(Stat.FORWARDED_ECMP).packets(), "every one of them through a group");
        assertEquals(stats.get(Stat.FORWARDED).bytes(), stats.get(Stat.FORWARDED_ECMP).bytes());
    }

    @Test
    void weightsThreeToOneGiveThreeQuartersOfAThousandFlowsToTheHeavierNexthop() throws Exception {
        NexthopGroup g = group(3, 1);
        assertEquals(Map.of(NH_A, 96, NH_B, 32), g.bucketsBySlot());
        int[] perNexthop = new int[4];
        Random random = new Random(7);
        for (int i = 0; i < 1000; i++) {
            perNexthop[chosen(run(tcp4(1024 + random.nextInt(60000)).src(routableSource(random)).build()))]++;
        }
        double share = perNexthop[NH_A] / 1000.0;
        assertTrue(share > 0.70 && share < 0.80, "3:1 gives 75% to A, got " + perNexthop[NH_A] + " / " + perNexthop[NH_B]);
        assertTrue(perNexthop[NH_B] > 0);
    }

    @Test
    void ipv6FlowsSpreadAndLeaveAsTheChosenNexthopSendsThem() throws Exception {
        NexthopGroup g = group(1, 1);
        int[] perNexthop = new int[4];
        for (int sport = 50000; sport < 50064; sport++) {
            byte[] in = tcp6(sport).build();
            XdpTestRun.Result first = run(in);
            int nh = chosen(first);
            perNexthop[nh]++;
            assertEquals(g.bucket(FlowHash.bucket(in, SEED)), nh, "port " + sport);
            assertArrayEquals(Frames6.ipv6().dmac(dmacOf(nh)).smac(smacOf(nh)).dst(DST6).nextHeader(TCP)
                    .ports(sport, 443).hopLimit(63).build(), first.output(), "port " + sport);
            assertArrayEquals(first.output(), run(in).output(), "port " + sport + ": the same flow again");
        }
        assertTrue(perNexthop[NH_A] >= 20 && perNexthop[NH_B] >= 20, perNexthop[NH_A] + " / " + perNexthop[NH_B]);
        Random random = new Random(8);
        g = group(3, 1);
        Arrays.fill(perNexthop, 0);
        for (int i = 0; i < 1000; i++) {
            perNexthop[chosen(run(tcp6(1024 + random.nextInt(60000)).src("2001:db8:1::" + Integer.toHexString(
                    random.nextInt(0xffff))).build()))]++;
        }
        assertTrue(perNexthop[NH_A] > 700 && perNexthop[NH_A] < 800, "IPv6, 3:1: " + perNexthop[NH_A] + " / "
                + perNexthop[NH_B]);
    }

    @Test
    void aMemberThatCannotBeUsedHandsItsFlowsToLinuxWhileTheOthersStillForward() throws Exception {
        group(1, 1);
        int[] nexthopOf = new int[64];
        for (int i = 0; i < 64; i++) {
            nexthopOf[i] = chosen(run(tcp4(40000 + i).build()));
        }
        assertTrue(Arrays.stream(nexthopOf).anyMatch(n -> n == NH_B) && Arrays.stream(nexthopOf).anyMatch(n -> n == NH_A));
        IntFunction<String> scenario = i -> "flow " + i + " of nexthop " + nexthopOf[i];

        maps.clearNexthop(NH_B); // egress no longer a port
        long passed = 0;
        for (int i = 0; i < 64; i++) {
            byte[] in = tcp4(40000 + i).build();
            XdpTestRun.Result r = run(in);
            if (nexthopOf[i] == NH_B) {
                assertEquals(XdpTestRun.XDP_PASS, r.verdict(), scenario.apply(i) + ": never moved to A");
                assertArrayEquals(in, r.output(), scenario.apply(i) + ": to Linux unmodified");
                passed++;
            } else {
                assertEquals(NH_A, chosen(r), scenario.apply(i) + ": still forwarded");
            }
        }
        assertEquals(passed, maps.stats().get(Stat.EXC_NOT_PORT).packets());

        maps.putNexthop(NH_B, new Nexthop(LO, Nexthop.VALID, 1500, new byte[6], EGRESS_B, false)); // gateway unresolved
        for (int i = 0; i < 64; i++) {
            XdpTestRun.Result r = run(tcp4(40000 + i).build());
            assertEquals(nexthopOf[i] == NH_B ? XdpTestRun.XDP_PASS : XdpTestRun.XDP_REDIRECT, r.verdict(),
                    scenario.apply(i));
        }
        assertEquals(passed, maps.stats().get(Stat.EXC_NO_NEIGH).packets(), "Linux resolves B's gateway");
    }

    @Test
    void ttlAndMtuAreThoseOfTheChosenNexthop() throws Exception {
        group(1, 1);
        maps.putNexthop(NH_B, Nexthop.resolved(LO, 576, GW2, EGRESS_B));
        int mtu = 0;
        int forwarded = 0;
        for (int i = 0; i < 64; i++) {
            byte[] big = tcp4(40000 + i).payload(600).build();
            int nh = chosen(run(tcp4(40000 + i).build()));
            XdpTestRun.Result r = run(big);
            if (nh == NH_B) {
                assertEquals(XdpTestRun.XDP_PASS, r.verdict(), "over B's MTU");
                mtu++;
            } else {
                assertEquals(NH_A, chosen(r), "within A's MTU");
                forwarded++;
            }
        }
        assertTrue(mtu > 0 && forwarded > 0);
        assertEquals(mtu, maps.stats().get(Stat.EXC_MTU).packets());
        assertEquals(XdpTestRun.XDP_PASS, run(tcp4(40000).ttl(1).build()).verdict());
        assertEquals(XdpTestRun.XDP_PASS, run(tcp6(40000).hopLimit(1).build()).verdict());
        assertEquals(2, maps.stats().get(Stat.EXC_TTL).packets(), "Linux sends time exceeded, whatever the member");
    }

    @Test
    void aClearedOrUnknownGroupIsAnException() throws Exception {
        group(1, 1);
        maps.clearNexthopGroup(GROUP);
        byte[] in = tcp4(40000).build();
        assertEquals(XdpTestRun.XDP_PASS, run(in).verdict());
        assertEquals(XdpTestRun.XDP_PASS, run(tcp6(40000).build()).verdict());
        maps.putRoute4(VRF, v4(ip(198, 51, 100, 0)), 24, Route.group(MapLayouts.NHG_MAX + 1)); // beyond the array
        assertEquals(XdpTestRun.XDP_PASS, run(in).verdict());
        assertEquals(3, maps.stats().get(Stat.EXC_NOT_PORT).packets());
        assertEquals(0, maps.stats().get(Stat.FORWARDED).packets());
    }

    /**
     * A group whose 128 buckets are 128 nexthops, each with its own destination MAC: the output frame
     * says exactly which bucket the program picked.
     */
    private void probeGroup(int seed) throws Exception {
        int[] slots = new int[NexthopGroup.BUCKETS];
        for (int b = 0; b < slots.length; b++) {
            slots[b] = 100 + b;
            maps.putNexthop(100 + b, Nexthop.resolved(LO, 1500, new byte[] {2, 0, 0, 0, 1, (byte) b}, EGRESS));
        }
        maps.putNexthopGroup(GROUP, new NexthopGroup(NexthopGroup.VALID, seed, slots));
        maps.putRoute4(VRF, v4(ip(198, 51, 100, 0)), 24, Route.group(GROUP));
        maps.putRoute6(VRF, v6("2001:db8:100::"), 48, Route.group(GROUP));
    }

    /** A random IPv4 source outside 0.0.0.0/8 and 127.0.0.0/8, which the fast path leaves to Linux. */
    private static int routableSource(Random random) {
        int a = random.nextInt();
        return (a >>> 24) == 0 || (a >>> 24) == 127 ? a ^ 0x40000000 : a;
    }

    private int bucketOf(byte[] frame) throws Exception {
        XdpTestRun.Result r = run(frame);
        assertEquals(XdpTestRun.XDP_REDIRECT, r.verdict());
        byte[] out = r.output();
        assertEquals(1, out[4], "a probe nexthop's MAC");
        return out[5] & 0xff;
    }

    @Test
    void theProgramPicksTheBucketOfTheFlowHashThatTheHeaderSpecifies() throws Exception {
        probeGroup(SEED);
        Random random = new Random(11);
        int[] protocols = {TCP, UDP, SCTP, ICMP, 47};
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            int proto = protocols[random.nextInt(protocols.length)];
            int sport = random.nextInt(65536);
            int dport = random.nextInt(65536);
            byte[] v4 = tcp4(0).protocol(proto).ports(sport, dport).src(routableSource(random)).dst(ip(198, 51, 100,
                    random.nextInt(256))).build();
            int b = bucketOf(v4);
            assertEquals(FlowHash.bucket(v4, SEED), b, "IPv4 protocol " + proto);
            seen.add(b);
            byte[] v6 = tcp6(0).nextHeader(proto).ports(sport, dport).src("2001:db8:" + Integer.toHexString(
                    random.nextInt(0xffff)) + "::" + Integer.toHexString(random.nextInt(0xffff))).build();
            assertEquals(FlowHash.bucket(v6, SEED), bucketOf(v6), "IPv6 next header " + proto);
        }
        assertTrue(seen.size() > 100, "300 flows reach most of the 128 buckets: " + seen.size());
    }

    @Test
    void thePortsCountForTcpUdpAndSctpOnlyAndOnlyWhenThePacketHoldsThem() throws Exception {
        probeGroup(SEED);
        for (int proto : new int[] {TCP, UDP, SCTP}) {
            Set<Integer> buckets = new HashSet<>();
            for (int sport = 1000; sport < 1016; sport++) {
                buckets.add(bucketOf(tcp4(sport).protocol(proto).build()));
            }
            assertTrue(buckets.size() > 4, "protocol " + proto + ": 16 source ports spread: " + buckets);
        }
        Set<Integer> icmp = new HashSet<>();
        for (int sport = 1000; sport < 1016; sport++) {
            icmp.add(bucketOf(tcp4(sport).protocol(ICMP).build()));
            icmp.add(bucketOf(tcp6(sport).nextHeader(58).ports(sport, 0).build()) + 1000);
        }
        assertEquals(2, icmp.size(), "ICMP: addresses and protocol only, one bucket per family");
        byte[] shortUdp = tcp4(1000).protocol(UDP).payload(3).build(); // three bytes: no ports
        assertEquals(FlowHash.bucket(shortUdp, SEED), bucketOf(shortUdp));
        byte[] shortUdp6 = tcp6(1000).nextHeader(UDP).payload(3).build();
        assertEquals(FlowHash.bucket(shortUdp6, SEED), bucketOf(shortUdp6));
    }

    @Test
    void allFragmentsOfADatagramTakeThePathOfItsAddressesAndProtocol() throws Exception {
        probeGroup(SEED);
        byte[] noPorts = tcp4(0).protocol(UDP).ports(0, 0).build();
        int expected = FlowHash.bucket(noPorts, SEED);
        Set<Integer> buckets = new HashSet<>();
        buckets.add(bucketOf(tcp4(40000).protocol(UDP).fragment(0, true).build())); // the first: ports not used
        for (int i = 1; i < 20; i++) {
            buckets.add(bucketOf(tcp4(40000 + i * 7919).protocol(UDP).fragment(i * 185, i < 19).build()));
        }
        assertEquals(Set.of(expected), buckets, "IPv4: every fragment in the bucket of (addresses, protocol)");

        byte[] noPorts6 = tcp6(0).nextHeader(UDP).ports(0, 0).build();
        int expected6 = FlowHash.bucket(noPorts6, SEED);
        Set<Integer> buckets6 = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            byte[] frag = tcp6(40000 + i * 7919).fragment(UDP, i * 185, i < 19).build();
            buckets6.add(bucketOf(frag));
            assertEquals(FlowHash.bucket(frag, SEED), bucketOf(frag));
        }
        assertEquals(Set.of(expected6), buckets6, "IPv6: the protocol inside the fragment header, no ports");
    }

    @Test
    void theSeedOfTheGroupChangesWhichFlowsShareABucket() throws Exception {
        probeGroup(SEED);
        int[] before = new int[32];
        for (int i = 0; i < before.length; i++) {
            before[i] = bucketOf(tcp4(40000 + i).build());
        }
        probeGroup(SEED + 1);
        int moved = 0;
        for (int i = 0; i < before.length; i++) {
            byte[] in = tcp4(40000 + i).build();
            int b = bucketOf(in);
            assertEquals(FlowHash.bucket(in, SEED + 1), b);
            if (b != before[i]) {
                moved++;
            }
        }
        assertTrue(moved > 16, "another seed, another spread: " + moved + " of 32 flows moved");
    }

    @Test
    void aGroupAndASingleNexthopRouteShareTheNexthop() throws Exception {
        group(1, 1);
        maps.putRoute4(VRF, v4(ip(203, 0, 113, 0)), 24, Route.unicast(NH_B));
        XdpTestRun.Result r = run(Frames.ipv4().dmac(ROUTER).smac(HOST).dst(ip(203, 0, 113, 1)).build());
        assertEquals(NH_B, chosen(r));
        assertEquals(1, maps.stats().get(Stat.FORWARDED).packets());
        assertEquals(0, maps.stats().get(Stat.FORWARDED_ECMP).packets(), "not through a group");
        assertTrue(maps.nexthopUsed(NH_B) > 0, "the use of the nexthop is recorded");
    }
}
