package io.xdpgate.fastpath;

import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.ebpf.FastPathProgram;
import io.xdpgate.ebpf.Nexthop;
import io.xdpgate.ebpf.NexthopGroup;
import io.xdpgate.ebpf.Port;
import io.xdpgate.ebpf.Route;
import io.xdpgate.ebpf.XdpTestRun;
import io.xdpgate.fpc.FpcGroupMember;
import io.xdpgate.fpc.FpcNeighbour;
import io.xdpgate.fpc.FpcNexthop;
import io.xdpgate.fpc.FpcNexthopGroup;
import io.xdpgate.fpc.FpcNexthopObject;
import io.xdpgate.fpc.FpcRoute;
import io.xdpgate.fpc.FpcRouteType;
import io.xdpgate.fpc.FpcStatus;
import io.xdpgate.fpc.FpcSyncBegin;
import io.xdpgate.fpc.FpcSyncEnd;
import io.xdpgate.fpc.FpcVrf;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ECMP: multipath routes and routes through kernel nexthop groups, forwarded through xg_nhg groups that
 * routes with the same paths share, against the real maps.
 */
class EcmpRouteTest extends ForwardingStateFixture {

    private static final String A = "10.1.0.2";
    private static final String B = "10.1.0.3";
    private static final String C = "10.1.0.4";
    private static final String D = "10.1.0.5";

    /** One path out of the port: a gateway (null: connected) and a weight. */
    private FpcNexthop hop(String gw, int weight) throws Exception {
        return new FpcNexthop(ifindex, gw == null ? null : InetAddress.getByName(gw), weight);
    }

    private static FpcRoute multipath(boolean add, String prefix, int len, FpcNexthop... hops) throws Exception {
        return new FpcRoute(add, VRF, 254, InetAddress.getByName(prefix), len, FpcRouteType.UNICAST, List.of(hops));
    }

    private static FpcRoute through(boolean add, String prefix, int len, int object) throws Exception {
        return new FpcRoute(add, VRF, 254, InetAddress.getByName(prefix), len, FpcRouteType.UNICAST, List.of(), object);
    }

    private FpcNexthopObject object(boolean add, int id, String gw) throws Exception {
        return new FpcNexthopObject(add, VRF, id, ifindex, InetAddress.getByName(gw), false);
    }

    /** Members as id, weight, id, weight... */
    private static FpcNexthopGroup group(int id, int... idsAndWeights) {
        List<FpcGroupMember> members = new ArrayList<>();
        for (int i = 0; i < idsAndWeights.length; i += 2) members.add(new FpcGroupMember(idsAndWeights[i], idsAndWeights[i + 1]));
        return new FpcNexthopGroup(true, VRF, id, members);
    }

    private FpcNeighbour neighbour(String address, byte[] mac) throws Exception {
        return new FpcNeighbour(true, VRF, ifindex, InetAddress.getByName(address), 0x02, mac, false);
    }

    /** The slot that a single-path route via gw would take: written here as 10.200.x/24 via gw. */
    private int slotOfGateway(String gw) throws Exception {
        String prefix = "10.200." + (InetAddress.getByName(gw).getAddress()[3] & 0xff) + ".0";
        ok(multipath(true, prefix, 24, hop(gw, 1)));
        return route(prefix, 24).nexthopId();
    }

    /** The group the route for this prefix forwards through. */
    private NexthopGroup groupOf(String prefix, int len) throws Exception {
        Route r = route(prefix, len);
        assertTrue(r != null && r.isGroup(), prefix + "/" + len + ": " + r);
        return maps.nexthopGroup(r.groupId());
    }

    private int groupIdOf(String prefix, int len) throws Exception {
        Route r = route(prefix, len);
        assertTrue(r != null && r.isGroup(), prefix + "/" + len + ": " + r);
        return r.groupId();
    }

    @Test
    void multipathRouteForwardsThroughAGroupWhoseBucketsFollowTheWeightsAndWhoseSlotsAreShared() throws Exception {
        ok(neighbour(A, GW_MAC));
        ok(multipath(true, "10.9.0.0", 16, hop(B, 1), hop(A, 3)));
        NexthopGroup g = groupOf("10.9.0.0", 16);
        assertTrue(g.isValid());
        assertEquals(state.groupSeed(), g.seed());
        int a = slotOfGateway(A);
        int b = slotOfGateway(B);
        assertEquals(Map.of(a, 96, b, 32), g.bucketsBySlot(), "the members' own slots, shared with single-path routes");
        assertEquals(a, g.bucket(0), "paths in canonical order: 10.1.0.2 before 10.1.0.3, whatever the sender's order");
        assertEquals(Nexthop.VALID | Nexthop.RESOLVED, maps.nexthop(a).flags());
        assertArrayEquals(GW_MAC, maps.nexthop(a).dmac());
        assertEquals(Nexthop.VALID, maps.nexthop(b).flags());
        assertEquals(2, state.nexthopSlots());
        assertEquals(1, state.nexthopGroups());

        ok(neighbour(B, OTHER_MAC)); // a member's gateway resolves: its slot is rewritten, the group stays
        assertArrayEquals(OTHER_MAC, maps.nexthop(b).dmac());
        assertEquals(g, groupOf("10.9.0.0", 16));
    }

    @Test
    void routesWithTheSamePathsAndWeightsShareOneGroupClearedAfterTheLastOfThem() throws Exception {
        ok(multipath(true, "10.9.0.0", 16, hop(A, 1), hop(B, 1)));
        ok(multipath(true, "10.10.0.0", 16, hop(B, 2), hop(A, 2))); // the same paths, the same ratio
        ok(multipath(true, "10.11.0.0", 16, hop(A, 1), hop(B, 2))); // other weights: another group
        ok(multipath(true, "2001:db8:9::", 48, hop(A, 1), hop(B, 1))); // an IPv6 route through the same paths
        int shared = groupIdOf("10.9.0.0", 16);
        assertEquals(shared, groupIdOf("10.10.0.0", 16));
        assertEquals(shared, groupIdOf("2001:db8:9::", 48));
        int other = groupIdOf("10.11.0.0", 16);
        assertNotEquals(shared, other);
        assertEquals(2, state.nexthopGroups());
        assertEquals(2, state.nexthopSlots(), "both groups hold the same two slots");
        int[] slots = maps.nexthopGroup(shared).bucketsBySlot().keySet().stream().mapToInt(Integer::intValue).toArray();

        ok(multipath(false, "10.9.0.0", 16));
        ok(multipath(false, "2001:db8:9::", 48));
        assertTrue(maps.nexthopGroup(shared).isValid(), "still used by 10.10/16");
        ok(multipath(false, "10.10.0.0", 16));
        assertFalse(maps.nexthopGroup(shared).isValid(), "cleared with its last route");
        for (int s : slots) assertEquals(Nexthop.VALID, maps.nexthop(s).flags(), "still held by the other group");
        ok(multipath(false, "10.11.0.0", 16));
        assertFalse(maps.nexthopGroup(other).isValid());
        for (int s : slots) assertEquals(0, maps.nexthop(s).flags(), "released after the group");
        assertEquals(0, state.nexthopGroups());
        assertEquals(0, state.nexthopSlots());
    }

    @Test
    void aRouteWhosePathsChangeMovesToTheGroupOfItsNewPaths() throws Exception {
        ok(multipath(true, "10.9.0.0", 16, hop(A, 1), hop(B, 1)));
        int first = groupIdOf("10.9.0.0", 16);
        ok(multipath(true, "10.9.0.0", 16, hop(A, 1), hop(B, 1), hop(C, 2)));
        int second = groupIdOf("10.9.0.0", 16);
        assertNotEquals(first, second);
        assertFalse(maps.nexthopGroup(first).isValid(), "the old group went with its only route");
        assertEquals(List.of(32, 32, 64), List.copyOf(maps.nexthopGroup(second).bucketsBySlot().values()));
        assertEquals(3, state.nexthopSlots());

        ok(multipath(true, "10.9.0.0", 16, hop(A, 1)));
        Route single = route("10.9.0.0", 16);
        assertFalse(single.isGroup(), "one path: one slot");
        assertEquals(Nexthop.VALID, maps.nexthop(single.nexthopId()).flags());
        assertFalse(maps.nexthopGroup(second).isValid());
        assertEquals(0, state.nexthopGroups());
        assertEquals(1, state.nexthopSlots());

        // The same path twice is one path with the sum of its weights: A 1 + 5, connected 2 + 2, so 6:4.
        ok(multipath(true, "10.9.0.0", 16, hop(A, 1), hop(A, 5), hop(null, 2), hop(null, 2)));
        NexthopGroup merged = groupOf("10.9.0.0", 16);
        assertEquals(2, merged.bucketsBySlot().size());
        assertEquals(77, merged.bucketsBySlot().get(single.nexthopId()), "A keeps its slot: 128 * 6/10 rounded up");
        assertEquals(Nexthop.VALID | Nexthop.CONNECTED, maps.nexthop(merged.bucket(0)).flags(), "connected first");
        assertEquals(2, state.nexthopSlots());
    }

    @Test
    void kernelGroupOfSeveralMembersFollowsItsMembersAndTheirWeights() throws Exception {
        ok(object(true, 1, A));
        ok(object(true, 2, B));
        ok(object(true, 3, C));
        ok(group(10, 1, 1, 2, 1));
        ok(through(true, "10.9.0.0", 16, 10));
        ok(multipath(true, "10.10.0.0", 16, hop(B, 1), hop(A, 1)));
        int shared = groupIdOf("10.9.0.0", 16);
        assertEquals(shared, groupIdOf("10.10.0.0", 16), "a kernel group and a multipath route over the same paths");
        int a = slotOfGateway(A);
        int b = slotOfGateway(B);
        int c = slotOfGateway(C);

        ok(group(10, 1, 1, 2, 1, 3, 2)); // a member more
        assertEquals(Map.of(a, 32, b, 32, c, 64), groupOf("10.9.0.0", 16).bucketsBySlot());
        assertEquals(shared, groupIdOf("10.10.0.0", 16), "the multipath route keeps its group");
        assertTrue(maps.nexthopGroup(shared).isValid());

        ok(group(10, 1, 3, 2, 1, 3, 4)); // other weights: 3/8, 1/8, 4/8
        assertEquals(Map.of(a, 48, b, 16, c, 64), groupOf("10.9.0.0", 16).bucketsBySlot());
        assertEquals(2, state.nexthopGroups(), "the group of the previous weights is gone");

        ok(object(true, 2, D)); // a member moves to another gateway
        int d = slotOfGateway(D);
        assertEquals(Map.of(a, 48, d, 16, c, 64), groupOf("10.9.0.0", 16).bucketsBySlot());

        ok(object(false, 3, C)); // a member is gone: the whole group is left to Linux, no flow moves
        assertEquals(new Route(Route.UNREACHABLE, 0), route("10.9.0.0", 16));
        ok(object(true, 3, C));
        assertEquals(Map.of(a, 48, d, 16, c, 64), groupOf("10.9.0.0", 16).bucketsBySlot(), "back when it is");

        ok(new FpcNexthopObject(true, VRF, 3, 0, null, true)); // a blackhole in a group: not expressible
        assertEquals(new Route(Route.UNREACHABLE, 0), route("10.9.0.0", 16));

        ok(object(true, 3, C));
        ok(new FpcNexthopGroup(false, VRF, 10, List.of()));
        assertEquals(new Route(Route.UNREACHABLE, 0), route("10.9.0.0", 16), "the group itself is gone");
        assertEquals(1, state.nexthopGroups(), "only the multipath route's");
    }

    @Test
    void whatAGroupCannotExpressIsLeftToLinux() throws Exception {
        FpcNexthop[] many = new FpcNexthop[129];
        for (int i = 0; i < many.length; i++) many[i] = hop("10.2." + (i / 200) + "." + (i % 200 + 1), 1);
        ok(multipath(true, "10.9.0.0", 16, many));
        assertEquals(new Route(Route.UNREACHABLE, 0), route("10.9.0.0", 16), "129 paths, 128 buckets");
        assertEquals(0, state.nexthopSlots());

        ok(multipath(true, "10.9.0.0", 16, Arrays.copyOf(many, 128)));
        assertEquals(128, groupOf("10.9.0.0", 16).bucketsBySlot().size(), "128 paths: one bucket each");
        assertEquals(128, state.nexthopSlots());

        ok(multipath(true, "10.9.0.0", 16, hop(A, 1000), hop(B, 1)));
        int a = slotOfGateway(A);
        assertEquals(Map.of(a, 128), groupOf("10.9.0.0", 16).bucketsBySlot(), "a share under half a bucket: none");
        assertEquals(1, state.nexthopSlots(), "and no slot for it");

        ok(multipath(true, "10.9.0.0", 16, hop(A, 1), new FpcNexthop(0, InetAddress.getByName(B), 1)));
        assertEquals(new Route(Route.UNREACHABLE, 0), route("10.9.0.0", 16), "a path without egress");
        assertEquals(0, state.nexthopGroups());
    }

    @Test
    void syncEndSweepsRoutesThroughGroupsAndTheGroupsWithThem() throws Exception {
        ok(multipath(true, "10.9.0.0", 16, hop(A, 1), hop(B, 1)));
        ok(multipath(true, "10.10.0.0", 16, hop(C, 1), hop(D, 1)));
        ok(new FpcSyncEnd(1));
        int kept = groupIdOf("10.9.0.0", 16);
        int stale = groupIdOf("10.10.0.0", 16);

        ok(new FpcSyncBegin(2));
        ok(new FpcVrf(true, VRF, netns));
        ok(link(UP));
        ok(multipath(true, "10.9.0.0", 16, hop(B, 1), hop(A, 1)));
        assertTrue(maps.nexthopGroup(stale).isValid(), "nothing is swept before SYNC_END");
        ok(new FpcSyncEnd(2));

        assertEquals(kept, groupIdOf("10.9.0.0", 16), "refreshed in place: the same group");
        assertEquals(null, route("10.10.0.0", 16));
        assertFalse(maps.nexthopGroup(stale).isValid());
        assertEquals(1, state.nexthopGroups());
        assertEquals(2, state.nexthopSlots());
    }

    @Test
    void restartedManagerAdoptsGroupsUntouchedKeepsTheSeedAndItsResyncRewritesThem() throws Exception {
        ok(neighbour(A, GW_MAC));
        ok(neighbour(B, OTHER_MAC));
        ok(object(true, 1, C));
        ok(object(true, 2, D));
        ok(group(10, 1, 1, 2, 3));
        ok(multipath(true, "10.9.0.0", 16, hop(A, 1), hop(B, 1)));
        ok(multipath(true, "10.10.0.0", 16, hop(A, 1), hop(B, 1)));
        ok(through(true, "10.11.0.0", 16, 10));
        ok(new FpcSyncEnd(1));
        int shared = groupIdOf("10.9.0.0", 16);
        int kernelGroup = groupIdOf("10.11.0.0", 16);
        NexthopGroup before = maps.nexthopGroup(shared);
        NexthopGroup beforeKernel = maps.nexthopGroup(kernelGroup);
        int seed = state.groupSeed();
        maps.putNexthopGroup(kernelGroup + 10, before); // a group no route names: a crash's leftover

        restart();
        assertEquals(before, maps.nexthopGroup(shared), "adoption rewrites nothing");
        assertEquals(beforeKernel, maps.nexthopGroup(kernelGroup));
        for (int s : before.bucketsBySlot().keySet()) assertEquals(Nexthop.VALID | Nexthop.RESOLVED, maps.nexthop(s).flags());
        assertFalse(maps.nexthopGroup(kernelGroup + 10).isValid(), "the leftover is cleared");
        assertEquals(seed, state.groupSeed(), "new groups hash as the adopted ones: flows keep their paths");
        assertEquals(2, state.nexthopGroups());
        assertEquals(4, state.nexthopSlots());

        ok(new FpcSyncBegin(2));
        ok(new FpcVrf(true, VRF, netns));
        ok(link(UP));
        ok(neighbour(A, GW_MAC));
        ok(neighbour(B, OTHER_MAC));
        ok(multipath(true, "10.9.0.0", 16, hop(A, 1), hop(B, 1)));
        int rewritten = groupIdOf("10.9.0.0", 16);
        assertNotEquals(shared, rewritten, "a new group: the adopted one is still 10.10/16's");
        NexthopGroup after = maps.nexthopGroup(rewritten);
        assertEquals(seed, after.seed());
        for (int bkt = 0; bkt < NexthopGroup.BUCKETS; bkt++) {
            assertArrayEquals(maps.nexthop(before.bucket(bkt)).dmac(), maps.nexthop(after.bucket(bkt)).dmac(),
                    "bucket " + bkt + " goes to the same gateway as before the restart");
        }
        assertTrue(maps.nexthopGroup(shared).isValid(), "10.10/16 still forwards through it until SYNC_END");
        ok(new FpcSyncEnd(2));

        assertEquals(null, route("10.10.0.0", 16));
        assertEquals(null, route("10.11.0.0", 16));
        assertFalse(maps.nexthopGroup(shared).isValid(), "the adopted group went with its last adopted route");
        assertFalse(maps.nexthopGroup(kernelGroup).isValid());
        for (int s : beforeKernel.bucketsBySlot().keySet()) assertEquals(0, maps.nexthop(s).flags(), "its slots too");
        assertEquals(1, state.nexthopGroups());
        assertEquals(2, state.nexthopSlots());
    }

    /** A fresh manager (nothing written yet) with this group capacity and flow hash seed, in generation 1. */
    private void restartEmpty(int groupCapacity, int seed) throws Exception {
        state.close();
        state = new ForwardingState(options(), FastPathMaps.open(pinRoot), 65536, groupCapacity, seed);
        applier = new ConnectionApplier(state);
        ok(new FpcSyncBegin(1));
        ok(new FpcVrf(true, VRF, netns));
        ok(link(UP));
    }

    @Test
    void aFullGroupTableLeavesTheRouteToLinuxAndTakesNothing() throws Exception {
        restartEmpty(2, 1); // group 1 only
        ok(multipath(true, "10.9.0.0", 16, hop(A, 1), hop(B, 1)));
        assertEquals(1, groupIdOf("10.9.0.0", 16));
        assertEquals(FpcStatus.NO_SPACE, applier.apply(multipath(true, "10.10.0.0", 16, hop(C, 1), hop(D, 1))));
        assertEquals(new Route(Route.UNREACHABLE, 0), route("10.10.0.0", 16));
        assertEquals(2, state.nexthopSlots(), "no slot taken for the route left to Linux");
        assertEquals(1L, state.ignoredCounts().get("nexthop_table_full"));

        ok(multipath(false, "10.9.0.0", 16));
        ok(multipath(true, "10.10.0.0", 16, hop(C, 1), hop(D, 1)));
        assertEquals(1, groupIdOf("10.10.0.0", 16), "the freed group is used again");
    }

    @Test
    void framesOfAMultipathRouteReachEveryPathAsTheProgramHashesThem() throws Exception {
        restartEmpty(ForwardingState.GROUP_CAPACITY, 0x5eed); // a known seed: the spread of 64 flows is fixed
        assertEquals(0x5eed, state.groupSeed());
        ok(neighbour(A, GW_MAC));
        ok(neighbour(B, OTHER_MAC));
        ok(multipath(true, "10.9.0.0", 16, hop(A, 1), hop(B, 1)));
        maps.putPort(VRF, 1, new Port(PORT_MAC, Port.UP, 1500)); // lo of this thread's namespace, ingress of the runs
        try (FastPathProgram program = FastPathProgram.load(pinRoot, VRF)) {
            int toA = 0;
            int toB = 0;
            for (int sport = 30000; sport < 30064; sport++) {
                XdpTestRun.Result r = XdpTestRun.run(program, udpFrame(sport), 1, 1);
                assertEquals(XdpTestRun.XDP_REDIRECT, r.verdict());
                byte[] dmac = Arrays.copyOf(r.output(), 6);
                if (Arrays.equals(dmac, GW_MAC)) toA++;
                else if (Arrays.equals(dmac, OTHER_MAC)) toB++;
                assertArrayEquals(r.output(), XdpTestRun.run(program, udpFrame(sport), 1, 1).output(), "one flow, one path");
            }
            assertEquals(64, toA + toB);
            assertTrue(toA >= 20 && toB >= 20, toA + " / " + toB);
        }
    }

    /** An Ethernet/IPv4/UDP frame to 10.9.0.7 from source port sport (header checksum left 0: not checked). */
    private static byte[] udpFrame(int sport) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 8 + 18);
        b.put(PORT_MAC).put(new byte[] {2, 0, 0, 0, 0, 9}).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) 46).putShort((short) 1).putShort((short) 0x4000);
        b.put((byte) 64).put((byte) 17).putShort((short) 0);
        b.put(new byte[] {10, 1, 0, 100}).put(new byte[] {10, 9, 0, 7});
        b.putShort((short) sport).putShort((short) 53).putShort((short) 26).putShort((short) 0);
        return b.array();
    }
}
