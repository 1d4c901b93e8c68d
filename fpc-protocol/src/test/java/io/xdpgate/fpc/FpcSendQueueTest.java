package io.xdpgate.fpc;

import static io.xdpgate.fpc.FpcTestSupport.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FpcSendQueueTest {
    private static final byte[] MAC = FpcTestSupport.mac("02:00:00:00:00:01");

    static FpcRoute route(boolean add, int i) {
        InetAddress prefix = ip("10." + (i >> 16 & 0xff) + "." + (i >> 8 & 0xff) + "." + (i & 0xff));
        return new FpcRoute(add, 0, 254, prefix, 32, FpcRouteType.UNICAST, List.of(new FpcNexthop(2, ip("192.0.2.1"), 1)));
    }

    static FpcLink link(boolean add, int vrf, int ifindex, String name) {
        return new FpcLink(add, vrf, ifindex, name, "veth", MAC, 1500, 0x1043, 6, 0);
    }

    static FpcNeighbour neighbour(boolean add, int ifindex, String address) {
        return new FpcNeighbour(add, 0, ifindex, ip(address), 2, MAC, false);
    }

    static FpcAddress address(boolean add, int ifindex, String address, int length) {
        return new FpcAddress(add, 0, ifindex, length, ip(address));
    }

    static List<FpcMessage> pollAll(FpcSendQueue q) {
        List<FpcMessage> out = new ArrayList<>();
        for (FpcMessage m; (m = q.poll()) != null; ) {
            out.add(m);
        }
        return out;
    }

    /** A server recording what it applies and a client connected to it, over a socket in {@code dir}. */
    private static final class Peers implements AutoCloseable {
        final FpcRecorder rec = new FpcRecorder();
        final FpcServer server;
        final FpcClient client;

        Peers(Path dir) throws Exception {
            this(dir, 0);
        }

        /** With a server whose HELLO announces {@code capabilities}. */
        Peers(Path dir, long capabilities) throws Exception {
            rec.capabilities = capabilities;
            Path socket = dir.resolve("fpc.sock");
            server = FpcServer.start(new FpcServer.Options(socket, FpcServer.Options.defaults().allowedUids(),
                    Duration.ofSeconds(3)), rec.appliers());
            client = FpcClient.start(new FpcClient.Options(socket, "queue test", Duration.ofSeconds(3)), rec.session());
            rec.awaitConnected();
        }

        @Override
        public void close() {
            client.close();
            server.close();
        }
    }

    @Test
    void keysFollowTheIdentityFieldsOnly() {
        assertEquals(FpcSendQueue.key(link(true, 1, 7, "eth0")), FpcSendQueue.key(link(false, 1, 7, "renamed")));
        assertTrue(!FpcSendQueue.key(link(true, 1, 7, "eth0")).equals(FpcSendQueue.key(link(true, 2, 7, "eth0"))),
                "an ifindex is only unique inside its VRF");
        assertEquals(FpcSendQueue.key(address(true, 7, "192.0.2.1", 24)), FpcSendQueue.key(address(false, 7, "192.0.2.1", 24)));
        assertTrue(!FpcSendQueue.key(address(true, 7, "192.0.2.1", 24)).equals(FpcSendQueue.key(address(true, 7, "192.0.2.1", 25))));
        assertEquals(FpcSendQueue.key(neighbour(true, 7, "192.0.2.9")),
                FpcSendQueue.key(new FpcNeighbour(false, 0, 7, ip("192.0.2.9"), 0x20, new byte[0], true)));
        FpcRoute a = route(true, 5);
        FpcRoute otherTable = new FpcRoute(true, 0, 100, a.prefix(), 32, FpcRouteType.UNICAST, List.of());
        FpcRoute blackhole = new FpcRoute(false, 0, 254, a.prefix(), 32, FpcRouteType.BLACKHOLE, List.of());
        assertTrue(!FpcSendQueue.key(a).equals(FpcSendQueue.key(otherTable)));
        assertEquals(FpcSendQueue.key(a), FpcSendQueue.key(blackhole), "type and nexthops are not part of the key");
        assertEquals(FpcSendQueue.key(new FpcVrf(true, 3, "blue")), FpcSendQueue.key(new FpcVrf(false, 3, "")));
        assertEquals(FpcSendQueue.key(new FpcPolicyRouting(true, 3, 1)), FpcSendQueue.key(new FpcPolicyRouting(false, 3, 0)));
        assertTrue(!FpcSendQueue.key(new FpcPolicyRouting(true, 3, 1)).equals(FpcSendQueue.key(new FpcVrf(true, 3, "blue"))),
                "a key apart from the VRF's");
    }

    @Test
    void policyRoutingGoesWithItsVrfBeforeTheLinksAndCoalescesByVrf() {
        FpcSendQueue q = new FpcSendQueue();
        FpcVrf vrf = new FpcVrf(true, 3, "blue");
        FpcLink port = link(true, 3, 7, "eth0");
        FpcRoute r = route(true, 1);
        q.offer(r);
        q.offer(vrf);
        q.offer(port);
        q.offer(new FpcPolicyRouting(true, 3, FpcPolicyRouting.IPV4));
        q.offer(new FpcPolicyRouting(false, 3, 0)); // the rules went back: the change of direction replaces the add
        FpcPolicyRouting again = new FpcPolicyRouting(true, 3, FpcPolicyRouting.IPV4 | FpcPolicyRouting.IPV6);
        q.offer(again);
        assertEquals(List.of(vrf, again, port, r), pollAll(q), "in the VRF lane, after the VRF, before its ports");
        FpcPolicyRouting back = new FpcPolicyRouting(false, 3, 0);
        q.offer(port);
        q.offer(back);
        assertEquals(List.of(back, port), pollAll(q), "a DEL too goes before the links");
        FpcVrf fresh = new FpcVrf(true, 4, "red");
        FpcPolicyRouting defaults = new FpcPolicyRouting(false, 4, 0);
        q.offer(new FpcVrf(false, 5, "gone"));
        q.offer(fresh);
        q.offer(defaults);
        assertEquals(List.of(new FpcVrf(false, 5, "gone"), fresh, defaults), pollAll(q),
                "a new VRF's first DEL (its rules are the defaults) never overtakes its VRF_ADD");
    }

    @Test
    void aMillionAlternatingChangesToAThousandKeysLeaveTheLastStateOfEach() {
        FpcSendQueue q = new FpcSendQueue();
        Map<Object, FpcMessage> last = new HashMap<>();
        FpcRoute[][] routes = new FpcRoute[2][1000];
        for (int k = 0; k < 1000; k++) {
            routes[0][k] = route(false, k);
            routes[1][k] = route(true, k);
        }
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 1_000_000; i++) {
            int k = i % 1000;
            // alternating add/del per key, with an irregular phase so both end states occur
            FpcRoute r = routes[(i / 1000 + (random.nextInt(5) == 0 ? 1 : 0)) & 1][k];
            q.offer(r);
            last.put(FpcSendQueue.key(r), r);
            assertTrue(q.size() <= 1000);
        }
        assertEquals(1000, q.size());
        List<FpcMessage> out = pollAll(q);
        assertEquals(1000, out.size());
        for (FpcMessage m : out) {
            assertEquals(last.get(FpcSendQueue.key(m)), m);
        }
        long adds = out.stream().filter(m -> ((FpcRoute) m).add()).count();
        assertTrue(adds > 0 && adds < 1000, adds + " adds: both end states are covered");
        // deletes are sent before adds
        int firstAdd = out.indexOf(out.stream().filter(m -> ((FpcRoute) m).add()).findFirst().orElseThrow());
        assertTrue(out.subList(firstAdd, out.size()).stream().allMatch(m -> ((FpcRoute) m).add()));
        assertEquals(0, q.size());
    }

    @Test
    void dependencyOrderAddsForwardDeletesBackward() {
        FpcSendQueue q = new FpcSendQueue();
        FpcRoute routeAdd = route(true, 1);
        FpcRoute routeDel = route(false, 2);
        FpcLink linkAdd = link(true, 3, 7, "eth0");
        FpcLink linkDel = link(false, 3, 8, "eth1");
        FpcVrf vrfAdd = new FpcVrf(true, 3, "blue");
        FpcVrf vrfDel = new FpcVrf(false, 4, "red");
        FpcAddress addrAdd = address(true, 7, "192.0.2.10", 24);
        FpcAddress addrDel = address(false, 8, "198.51.100.10", 24);
        FpcNeighbour neighAdd = neighbour(true, 7, "192.0.2.1");
        FpcNeighbour neighDel = neighbour(false, 8, "198.51.100.1");
        // offered in an unhelpful order
        for (FpcMessage m : List.of(routeAdd, neighAdd, vrfDel, addrAdd, linkDel, routeDel, linkAdd, neighDel, vrfAdd, addrDel)) {
            q.offer(m);
        }
        assertEquals(List.of(routeDel, neighDel, addrDel, linkDel, vrfDel, vrfAdd, linkAdd, addrAdd, neighAdd, routeAdd),
                pollAll(q));
        // first offered, first sent within a lane
        List<FpcMessage> routes = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            routes.add(route(true, (i * 37) % 100));
        }
        routes.forEach(q::offer);
        assertEquals(routes, pollAll(q));
    }

    @Test
    void nexthopsGoBetweenNeighboursAndRoutesAndControlsAfterLinks() {
        FpcSendQueue q = new FpcSendQueue();
        FpcRoute routeAdd = new FpcRoute(true, 0, 254, ip("10.2.0.0"), 16, FpcRouteType.UNICAST, List.of(), 100);
        FpcRoute routeDel = route(false, 2);
        FpcLink linkAdd = link(true, 0, 7, "eth0");
        FpcLink linkDel = link(false, 0, 8, "eth1");
        FpcNeighbour neighAdd = neighbour(true, 7, "192.0.2.1");
        FpcNeighbour neighDel = neighbour(false, 8, "198.51.100.1");
        FpcAddress addrAdd = address(true, 7, "192.0.2.10", 24);
        FpcNexthopObject nhAdd = new FpcNexthopObject(true, 0, 10, 7, ip("192.0.2.1"), false);
        FpcNexthopObject nhDel = new FpcNexthopObject(false, 0, 20, 8, null, false);
        FpcNexthopGroup groupAdd = new FpcNexthopGroup(true, 0, 100, List.of(new FpcGroupMember(10, 1)));
        FpcNexthopGroup groupDel = new FpcNexthopGroup(false, 0, 200, List.of());
        FpcControl enable = new FpcControl(FpcControlType.PORT_ENABLE, 0, 7, 0);
        FpcControl mtu = new FpcControl(FpcControlType.SET_MTU, 0, 7, 9000);
        // offered in an unhelpful order
        for (FpcMessage m : List.of(routeAdd, mtu, groupAdd, nhAdd, neighAdd, nhDel, addrAdd, groupDel, enable, linkDel,
                routeDel, linkAdd, neighDel)) {
            q.offer(m);
        }
        assertEquals(List.of(routeDel, groupDel, nhDel, neighDel, linkDel, linkAdd, mtu, enable, addrAdd, neighAdd,
                nhAdd, groupAdd, routeAdd), pollAll(q));
    }

    @Test
    void nexthopKeysAndControlsThatNeverCoalesce() {
        FpcNexthopObject nh = new FpcNexthopObject(true, 1, 10, 7, ip("192.0.2.1"), false);
        assertEquals(FpcSendQueue.key(nh), FpcSendQueue.key(new FpcNexthopObject(false, 1, 10, 0, null, true)));
        assertTrue(!FpcSendQueue.key(nh).equals(FpcSendQueue.key(new FpcNexthopObject(true, 2, 10, 7, null, false))));
        FpcNexthopGroup g = new FpcNexthopGroup(true, 1, 10, List.of(new FpcGroupMember(11, 1)));
        assertEquals(FpcSendQueue.key(g), FpcSendQueue.key(new FpcNexthopGroup(false, 1, 10, List.of())));
        assertTrue(!FpcSendQueue.key(g).equals(FpcSendQueue.key(nh)), "a group is not the nexthop object with its id");
        FpcRoute viaGroup = new FpcRoute(true, 0, 254, ip("10.0.0.0"), 8, FpcRouteType.UNICAST, List.of(), 10);
        assertEquals(FpcSendQueue.key(viaGroup), FpcSendQueue.key(new FpcRoute(false, 0, 254, ip("10.0.0.0"), 8,
                FpcRouteType.UNICAST, List.of())), "the nexthop id is not part of the route key");

        FpcSendQueue q = new FpcSendQueue();
        FpcNexthopObject v1 = new FpcNexthopObject(true, 1, 10, 7, ip("192.0.2.1"), false);
        FpcNexthopObject v2 = new FpcNexthopObject(true, 1, 10, 7, ip("192.0.2.2"), false);
        FpcNexthopObject gone = new FpcNexthopObject(false, 1, 10, 7, null, false);
        q.offer(v1);
        q.offer(v2);
        assertEquals(1, q.size(), "last writer wins");
        q.offer(gone);
        FpcControl off = new FpcControl(FpcControlType.CAPTURE_OFF, 1, 7, 0);
        FpcControl on = new FpcControl(FpcControlType.CAPTURE_ON, 1, 7, 0);
        q.offer(on);
        q.offer(off);
        q.offer(on);
        assertEquals(4, q.size(), "control requests do not coalesce, even equal ones");
        assertEquals(List.of(gone, on, off, on), pollAll(q));
    }

    @Test
    void clearKeepsControlRequestsInOrder() {
        FpcSendQueue q = new FpcSendQueue();
        FpcControl a = new FpcControl(FpcControlType.PORT_DISABLE, 0, 7, 0);
        FpcControl b = new FpcControl(FpcControlType.PORT_ENABLE, 0, 7, 0);
        q.offer(a);
        q.offer(route(true, 1));
        q.offerBarrier(new FpcSyncBegin(1));
        q.offer(b);
        q.offer(link(true, 0, 7, "eth0"));
        q.clear();
        assertEquals(2, q.size());
        assertEquals(List.of(a, b), pollAll(q));
        q.offer(a);
        q.close();
        assertEquals(0, q.size(), "close drops everything");
    }

    @Test
    void linksOvertakeABurstOfNexthops() {
        FpcSendQueue q = new FpcSendQueue();
        for (int i = 1; i <= 10_000; i++) {
            q.offer(new FpcNexthopObject(false, 0, i, 7, null, false));
        }
        for (int i = 0; i < 10; i++) {
            q.poll();
        }
        FpcLink down = link(false, 0, 7, "eth0");
        FpcControl disable = new FpcControl(FpcControlType.PORT_DISABLE, 0, 9, 0);
        q.offer(down);
        q.offer(disable);
        List<FpcMessage> out = pollAll(q);
        int at = out.indexOf(down);
        assertTrue(at >= 0 && at <= FpcSendQueue.ROUTE_RUN, "link delete sent after " + at + " nexthops");
        assertEquals(disable, out.get(at + 1), "then the control request");
        assertEquals(10_000 - 10 + 2, out.size());
    }

    @Test
    void aChangeOfDirectionTakesItsNewPlace() {
        FpcSendQueue q = new FpcSendQueue();
        q.offer(link(true, 0, 1, "a"));
        q.offer(link(true, 0, 2, "b"));
        q.offer(route(true, 1));
        q.offer(link(false, 0, 1, "a")); // the add of link 1 becomes a delete: it goes first now
        q.offer(route(false, 1)); // and the route add becomes a delete
        assertEquals(3, q.size());
        assertEquals(List.of(route(false, 1), link(false, 0, 1, "a"), link(true, 0, 2, "b")), pollAll(q));
    }

    @Test
    void aLinkOfferedBehindAHundredThousandRoutesGoesFirst() {
        FpcSendQueue q = new FpcSendQueue();
        for (int i = 0; i < 100_000; i++) {
            q.offer(route(true, i));
        }
        for (int i = 0; i < 10; i++) {
            assertTrue(q.poll() instanceof FpcRoute);
        }
        FpcLink up = link(true, 0, 7, "eth0");
        q.offer(up);
        assertEquals(up, q.poll(), "a link add ranks before route adds");

        // Deletes: route deletes rank first, but the priority lane lets the link through within ROUTE_RUN routes.
        FpcSendQueue d = new FpcSendQueue();
        for (int i = 0; i < 100_000; i++) {
            d.offer(route(false, i));
        }
        for (int i = 0; i < 10; i++) {
            d.poll();
        }
        FpcLink down = link(false, 0, 7, "eth0");
        FpcNeighbour gone = neighbour(false, 7, "192.0.2.1");
        d.offer(down);
        d.offer(gone);
        List<FpcMessage> out = pollAll(d);
        int at = out.indexOf(gone);
        assertTrue(at >= 0 && at <= FpcSendQueue.ROUTE_RUN, "neighbour delete sent after " + at + " routes");
        assertEquals(down, out.get(at + 1), "then the link, in dependency order");
        assertEquals(100_000 - 10 + 2, out.size());
    }

    @Test
    void barriersAreNeverCrossed() {
        FpcSendQueue q = new FpcSendQueue();
        FpcRoute r1 = route(true, 1);
        FpcRoute r1Again = new FpcRoute(true, 0, 254, r1.prefix(), 32, FpcRouteType.BLACKHOLE, List.of());
        FpcLink l = link(true, 0, 7, "eth0");
        q.offer(r1);
        CompletableFuture<Long> begin = q.offerBarrier(new FpcSyncBegin(2));
        q.offer(r1Again); // same key, but after the barrier: no coalescing with r1
        q.offer(l); // ranks before routes, but not before the barrier
        q.offer(new FpcSyncEnd(2));
        q.offer(route(false, 1));
        assertEquals(6, q.size());
        assertEquals(List.of(r1, new FpcSyncBegin(2), l, r1Again, new FpcSyncEnd(2), route(false, 1)), pollAll(q));
        assertTrue(begin.isDone());
        assertThrows(IllegalArgumentException.class, () -> q.offer(new FpcKeepalive()));
        assertThrows(IllegalArgumentException.class, () -> q.offerBarrier(route(true, 1)));
    }

    @Test
    void offeringAListQueuesExactlyWhatOfferingEachWouldInTheSameOrder() {
        List<FpcMessage> mixed = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            mixed.add(route(true, i % 120)); // coalesces with itself
            if (i % 7 == 0) mixed.add(route(false, i % 120)); // a change of direction
            if (i % 50 == 0) mixed.add(link(true, 0, i, "eth" + i)); // the priority lane
            if (i == 150) mixed.add(new FpcSyncBegin(9)); // a barrier in the middle of the list
            if (i % 60 == 0) mixed.add(neighbour(i % 120 == 0, 3, "10.0.0." + (i % 250)));
        }
        mixed.add(new FpcSyncEnd(9));
        FpcSendQueue one = new FpcSendQueue();
        mixed.forEach(one::offer);
        FpcSendQueue all = new FpcSendQueue();
        all.offerAll(mixed.subList(0, 100));
        all.offerAll(mixed.subList(100, mixed.size()));
        assertEquals(one.size(), all.size());
        assertEquals(pollAll(one), pollAll(all));
    }

    @Test
    void aDumpsRouteAddsGoLastInTheirOrderUncoalescedAndCounted() {
        FpcSendQueue q = new FpcSendQueue();
        FpcRoute r1 = route(true, 1);
        FpcRoute r2 = route(true, 2);
        FpcRoute r1Redone = new FpcRoute(true, 0, 254, r1.prefix(), 32, FpcRouteType.BLACKHOLE, List.of());
        FpcLink l = link(true, 0, 7, "eth0");
        FpcNeighbour n = neighbour(true, 7, "10.0.0.9");
        FpcRoute otherVrf = new FpcRoute(true, 3, 254, ip("10.9.9.0"), 24, FpcRouteType.BLACKHOLE, List.of());
        q.offerAll(List.of(new FpcSyncBegin(4), l, r1, r2, n, r1Redone, route(false, 5)), true);
        q.offer(otherVrf); // another namespace's live change, in the same epoch
        q.offerAll(List.of(new FpcSyncEnd(4)), true);
        assertEquals(9, q.size());
        assertEquals(List.of(new FpcSyncBegin(4), route(false, 5), l, n, otherVrf, r1, r2, r1Redone, new FpcSyncEnd(4)),
                pollAll(q));
        assertEquals(0, q.size());
    }

    @Test
    void aListLargerThanTheRoomLeftWaitsForTheSenderWithoutHoldingItBack(@TempDir Path tmp) throws Exception {
        try (Peers peers = new Peers(tmp); FpcSendQueue q = new FpcSendQueue(16)) {
            FpcRecorder rec = peers.rec;
            FpcClient client = peers.client;
            q.start(client);
            List<FpcMessage> batch = new ArrayList<>();
            batch.add(new FpcSyncBegin(1));
            for (int i = 0; i < 1_000; i++) {
                batch.add(route(true, i));
            }
            q.offerAll(batch); // 1,000 new keys through a queue of 16: the sender must be woken to make room
            List<FpcMessage> dump = new ArrayList<>();
            for (int i = 1_000; i < 2_000; i++) {
                dump.add(route(true, i));
            }
            q.offerAll(dump, true); // the same through the dump's lane
            CompletableFuture<Long> end = q.offerBarrier(new FpcSyncEnd(1));
            long endSequence = end.get(20, TimeUnit.SECONDS);
            assertTrue(client.awaitAcknowledged(endSequence, Duration.ofSeconds(20)));
            List<FpcMessage> applied = new ArrayList<>(rec.applied);
            assertEquals(2_002, applied.size());
            assertEquals(batch, applied.subList(0, 1_001));
            assertEquals(dump, applied.subList(1_001, 2_001));
        }
    }

    @Test
    void aFullQueueHoldsNewKeysButNotCoalescingChanges() throws Exception {
        FpcSendQueue q = new FpcSendQueue(10);
        for (int i = 0; i < 10; i++) {
            q.offer(route(true, i));
        }
        q.offer(route(false, 3)); // coalesces: no wait
        CountDownLatch done = new CountDownLatch(1);
        Thread producer = new Thread(() -> {
            q.offer(route(true, 99));
            done.countDown();
        });
        producer.start();
        assertTrue(!done.await(200, TimeUnit.MILLISECONDS), "a new key waits for room");
        assertEquals(route(false, 3), q.poll());
        assertTrue(done.await(5, TimeUnit.SECONDS));
        assertEquals(10, q.size());
        q.close();
        q.offer(route(true, 1000)); // dropped, never blocks after close
        assertNull(q.poll());
    }

    @Test
    void theSenderThreadDeliversInOrderAndTheLinkOvertakesTheRoutes(@TempDir Path tmp) throws Exception {
        try (Peers peers = new Peers(tmp); FpcSendQueue q = new FpcSendQueue()) {
            FpcRecorder rec = peers.rec;
            FpcClient client = peers.client;
            int routes = 100_000;
            q.offer(new FpcSyncBegin(1));
            for (int i = 0; i < routes; i++) {
                q.offer(route(false, i));
            }
            q.start(client);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (rec.applied.size() < 1000 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            FpcLink down = link(false, 0, 7, "eth0");
            q.offer(down);
            CompletableFuture<Long> end = q.offerBarrier(new FpcSyncEnd(1));
            long endSequence = end.get(20, TimeUnit.SECONDS);
            assertTrue(endSequence > 0);
            assertTrue(client.awaitAcknowledged(endSequence, Duration.ofSeconds(20)));
            List<FpcMessage> applied = new ArrayList<>(rec.applied);
            assertEquals(routes + 3, applied.size());
            assertEquals(new FpcSyncBegin(1), applied.get(0));
            assertEquals(new FpcSyncEnd(1), applied.get(applied.size() - 1));
            int at = applied.indexOf(down);
            assertTrue(at < routes / 2, "the link was applied at position " + at + " of " + applied.size());
            assertEquals(0, q.size());
        }
    }

    @Test
    void everySentChangeIsTimedUntilTheReportCoveringItAndCoalescingKeepsTheOldestOfferTime(@TempDir Path tmp)
            throws Exception {
        List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        try (Peers peers = new Peers(tmp); FpcSendQueue q = new FpcSendQueue()) {
            FpcRecorder rec = peers.rec;
            FpcClient client = peers.client;
            q.observeSyncLatency(latencies::add);
            long began = System.nanoTime();
            q.offer(new FpcSyncBegin(1));
            q.offer(route(true, 0)); // the oldest change of its key...
            Thread.sleep(300);
            q.offer(route(false, 0)); // ...reversed...
            q.offer(route(true, 0)); // ...and reversed again: one message, timed from the first offer
            int fresh = 99;
            for (int i = 1; i <= fresh; i++) {
                q.offer(route(true, i));
            }
            long freshOffered = System.nanoTime();
            q.start(client);
            long endSequence = q.offerBarrier(new FpcSyncEnd(1)).get(20, TimeUnit.SECONDS);
            assertTrue(client.awaitAcknowledged(endSequence, Duration.ofSeconds(20)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (latencies.size() < fresh + 1 && System.nanoTime() < deadline) {
                Thread.sleep(5); // the queue hears of the report right after the client
            }
            long elapsed = System.nanoTime() - began;
            Thread.sleep(100); // nothing more may come: barriers are not timed
            List<Long> got = new ArrayList<>(latencies);
            assertEquals(fresh + 1, got.size(), "one latency per sent change, none for the barriers: " + got);
            long sinceFresh = System.nanoTime() - freshOffered;
            long oldest = java.util.Collections.max(got);
            assertTrue(oldest >= TimeUnit.MILLISECONDS.toNanos(300) && oldest <= elapsed,
                    "the coalesced change counts from its first offer: " + oldest + " ns");
            assertEquals(1, got.stream().filter(l -> l >= TimeUnit.MILLISECONDS.toNanos(300)).count(), got.toString());
            for (long l : got) {
                assertTrue(l > 0 && (l == oldest || l <= sinceFresh), "implausible latency " + l + " ns");
            }
            assertEquals(0, q.syncLatencyDropped());
            assertEquals(fresh + 3, rec.applied.size());
        }
    }

    @Test
    void aDumpIsNotTimedButAChangeOfferedMeanwhileIs(@TempDir Path tmp) throws Exception {
        List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        try (Peers peers = new Peers(tmp); FpcSendQueue q = new FpcSendQueue()) {
            q.observeSyncLatency(latencies::add);
            q.offer(new FpcSyncBegin(1));
            q.offerAll(dumpOf(100), true);
            q.offer(route(false, 500)); // a live change of another key while the dump waits
            q.offer(new FpcVrf(true, 0, "renamed")); // a live change coalescing onto a dumped message
            q.start(peers.client);
            long endSequence = q.offerBarrier(new FpcSyncEnd(1)).get(20, TimeUnit.SECONDS);
            assertTrue(peers.client.awaitAcknowledged(endSequence, Duration.ofSeconds(20)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (latencies.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(100); // nothing more may come
            assertEquals(2, latencies.size(), "the two live changes only: " + latencies);
            assertEquals(104, peers.rec.applied.size()); // the barriers, the VRF once, 100 routes, the delete
        }
    }

    /** A VRF's dump: its VRF_ADD, then {@code routes} route adds. */
    private static List<FpcMessage> dumpOf(int routes) {
        List<FpcMessage> dump = new ArrayList<>();
        dump.add(new FpcVrf(true, 0, ""));
        for (int i = 0; i < routes; i++) dump.add(route(true, i));
        return dump;
    }

    /** A dump of 5,000 routes and four live changes, sent to a server announcing {@code capabilities}. */
    private static List<FpcMessage> sentOnce(Path dir, long capabilities, List<Long> latencies) throws Exception {
        try (Peers peers = new Peers(dir, capabilities); FpcSendQueue q = new FpcSendQueue()) {
            q.observeSyncLatency(latencies::add);
            q.offer(new FpcSyncBegin(1));
            q.offerAll(dumpOf(5000), true);
            q.offer(route(false, 9000)); // live changes: a delete, then adds of other keys
            for (int i = 9001; i <= 9003; i++) q.offer(route(true, i));
            q.start(peers.client);
            long endSequence = q.offerBarrier(new FpcSyncEnd(1)).get(20, TimeUnit.SECONDS);
            assertTrue(peers.client.awaitAcknowledged(endSequence, Duration.ofSeconds(20)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (latencies.size() < 4 && System.nanoTime() < deadline) Thread.sleep(5);
            return new ArrayList<>(peers.rec.applied);
        }
    }

    @Test
    void aServerThatTakesRouteListsGetsRunsOfRouteAddsInListsInTheirOrder(@TempDir Path tmp) throws Exception {
        List<Long> singleLatencies = java.util.Collections.synchronizedList(new ArrayList<>());
        List<FpcMessage> singles = sentOnce(Files.createDirectory(tmp.resolve("singles")), 0, singleLatencies);
        assertTrue(singles.stream().noneMatch(m -> m instanceof FpcRouteList), "no lists without the capability");
        assertEquals(5007, singles.size());

        List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        List<FpcMessage> applied = sentOnce(Files.createDirectory(tmp.resolve("lists")), FpcHello.ROUTE_ADD_LISTS, latencies);
        List<FpcMessage> flat = new ArrayList<>();
        List<Integer> listSizes = new ArrayList<>();
        for (FpcMessage m : applied) {
            if (m instanceof FpcRouteList l) {
                listSizes.add(l.routes().size());
                flat.addAll(l.routes());
            } else {
                flat.add(m);
            }
        }
        assertTrue(flat.equals(singles), "the same messages in the same order, some in lists");
        // Every route add in a list: at most one batch of the queue's sender each, which the client sends at once.
        assertEquals(5003, listSizes.stream().mapToInt(Integer::intValue).sum());
        assertTrue(listSizes.stream().allMatch(n -> n <= FpcSendQueue.BATCH), listSizes.toString());
        assertEquals(4 + listSizes.size(), applied.size(), "the barriers, the VRF and the delete alone");
        assertEquals(4, latencies.size(), "each live change timed, those sent in a list too");
        assertEquals(4, singleLatencies.size());
    }

    @Test
    void latencyRecordsAreBoundedAndAReportThatCameFirstIsNotMissed() {
        FpcSyncLatencyRecords records = new FpcSyncLatencyRecords(2);
        List<Long> told = new ArrayList<>();
        records.sent(1, 100, told::add);
        records.sent(2, 200, told::add);
        records.sent(3, 300, told::add); // full: the oldest record goes
        assertEquals(1, records.dropped());
        records.acknowledged(2, 1_000, told::add);
        assertEquals(List.of(800L), told);
        assertEquals(1, records.size());
        records.acknowledged(5, 2_000, told::add);
        assertEquals(List.of(800L, 1_700L), told);
        long before = System.nanoTime();
        records.sent(4, before, told::add); // already covered by the report of 5: told at once
        assertEquals(3, told.size());
        assertTrue(told.get(2) >= 0 && told.get(2) < TimeUnit.SECONDS.toNanos(10));
        assertEquals(0, records.size());
    }
}
