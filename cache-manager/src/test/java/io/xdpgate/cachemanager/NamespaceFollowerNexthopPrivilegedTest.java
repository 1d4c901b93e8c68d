package io.xdpgate.cachemanager;

import io.xdpgate.fpc.FpcMessage;
import io.xdpgate.fpc.FpcNexthopGroup;
import io.xdpgate.fpc.FpcNexthopObject;
import io.xdpgate.fpc.FpcRoute;
import io.xdpgate.fpc.FpcSyncBegin;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A follower in a real namespace: nexthop objects and the route deletes the kernel keeps quiet about (needs root). */
class NamespaceFollowerNexthopPrivilegedTest extends FollowerFixture {


    @BeforeEach
    void address() throws Exception {
        vethsUp();
        ns.ip("addr", "add", "10.8.0.1/24", "dev", "xga");
    }

    @Test
    void theRoutesOfADeletedObjectAreDeletedBeforeIt() throws Exception {
        InetAddress prefix = InetAddress.getByName("10.1.0.0");
        int xga = ns.ifindex("xga");
        ns.ip("nexthop", "add", "id", "11", "via", "10.8.0.3", "dev", "xga");
        ns.ip("nexthop", "add", "id", "30", "group", "11,2");
        follow(5, true);
        List<FpcMessage> dump = sent.snapshot();
        assertTrue(dump.contains(new FpcNexthopObject(true, 5, 11, xga, InetAddress.getByName("10.8.0.3"), false)), dump.toString());
        assertTrue(dump.stream().anyMatch(m -> m instanceof FpcNexthopGroup g && g.id() == 30 && g.members().get(0).weight() == 2));

        int from = sent.size();
        ns.ip("nexthop", "add", "id", "10", "via", "10.8.0.2", "dev", "xga");
        ns.ip("route", "add", "10.1.0.0/16", "nhid", "10");
        int added = sent.await(from, m -> m instanceof FpcRoute r && r.add() && r.prefix().equals(prefix), 5_000);
        assertEquals(10, ((FpcRoute) sent.snapshot().get(added)).nexthopId());
        assertTrue(((FpcRoute) sent.snapshot().get(added)).nexthops().isEmpty());

        ns.ip("nexthop", "del", "id", "10"); // the kernel flushes 10.1.0.0/16 without an RTM_DELROUTE
        int routeGone = sent.await(added, m -> m instanceof FpcRoute r && !r.add() && r.prefix().equals(prefix), 5_000);
        int objectGone = sent.await(added, m -> m instanceof FpcNexthopObject n && !n.add() && n.id() == 10, 5_000);
        assertTrue(routeGone < objectGone);
        sent.awaitQuiet(300);
        assertFalse(sent.snapshot().subList(from, sent.size()).stream().anyMatch(m -> m instanceof FpcSyncBegin),
                "no resync was needed");

        // The last member of a group takes the group with it; its route goes first.
        ns.ip("route", "add", "10.3.0.0/16", "nhid", "30");
        from = sent.size();
        ns.ip("nexthop", "del", "id", "11");
        InetAddress viaGroup = InetAddress.getByName("10.3.0.0");
        routeGone = sent.await(from, m -> m instanceof FpcRoute r && !r.add() && r.prefix().equals(viaGroup), 5_000);
        int groupGone = sent.await(from, m -> m instanceof FpcNexthopGroup g && !g.add() && g.id() == 30, 5_000);
        objectGone = sent.await(from, m -> m instanceof FpcNexthopObject n && !n.add() && n.id() == 11, 5_000);
        assertTrue(routeGone < groupGone && groupGone < objectGone, sent.snapshot().subList(from, sent.size()).toString());
    }
}
