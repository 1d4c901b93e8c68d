package io.xdpgate.cachemanager;

import io.xdpgate.fpc.FpcMessage;
import io.xdpgate.fpc.FpcNexthopGroup;
import io.xdpgate.fpc.FpcNexthopObject;
import io.xdpgate.fpc.FpcRoute;
import io.xdpgate.fpc.FpcRouteType;
import io.xdpgate.fpc.FpcSyncBegin;
import io.xdpgate.fpc.FpcSyncEnd;
import io.xdpgate.netlink.RtnlEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

import static io.xdpgate.cachemanager.KernelEvents.add;
import static io.xdpgate.cachemanager.KernelEvents.del;
import static io.xdpgate.cachemanager.KernelEvents.group;
import static io.xdpgate.cachemanager.KernelEvents.ip;
import static io.xdpgate.cachemanager.KernelEvents.object;
import static io.xdpgate.cachemanager.KernelEvents.routeVia;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The order in which the fast path side applies nexthop objects, groups and the routes through them,
 * when everything waits in the send queue at once (a dump, or a burst of changes): objects before the
 * groups and routes that name them; the routes' DELs, the ones the kernel never announces included,
 * before the DELs of their objects.
 */
class NexthopSendOrderTest {

    private static int indexOf(List<FpcMessage> applied, Predicate<FpcMessage> p) {
        for (int i = 0; i < applied.size(); i++) {
            if (p.test(applied.get(i))) return i;
        }
        throw new AssertionError("not applied; applied: " + applied);
    }

    private static Predicate<FpcMessage> route(boolean add, String prefix) {
        return m -> m instanceof FpcRoute r && r.add() == add && r.prefix().equals(ip(prefix));
    }

    private static Predicate<FpcMessage> nexthop(boolean add, int id) {
        return m -> m instanceof FpcNexthopObject n && n.add() == add && n.id() == id;
    }

    private static Predicate<FpcMessage> aGroup(boolean add, int id) {
        return m -> m instanceof FpcNexthopGroup g && g.add() == add && g.id() == id;
    }

    @Test
    void objectsGoBeforeWhatNamesThemAndAreDeletedAfterIt(@TempDir Path tmp) throws Exception {
        try (FpcLoopback fpc = new FpcLoopback(tmp.resolve("fpc.sock"))) {
            StreamTranslator stream = new StreamTranslator(3, () -> fpc.queue.size() == 0);
            // A dump whose objects come in the worst order: routes first, then the group, then its members.
            fpc.queue.offer(new FpcSyncBegin(1, 3));
            for (RtnlEvent e : List.of(add(routeVia("10.3.0.0", 16, 30)), add(routeVia("10.1.0.0", 16, 10)),
                    add(routeVia("10.4.0.0", 16, 31)), add(group(31, 12, 1)), add(group(30, 10, 1, 11, 1)),
                    add(object(12, "10.8.0.4", 7)), add(object(11, "10.8.0.3", 7)), add(object(10, "10.8.0.2", 7)))) {
                assertEquals(false, stream.translate(e, fpc.queue::offer));
            }
            fpc.queue.offer(new FpcSyncEnd(1, 3));
            // Live, still queued with the rest: a new route, then `ip nexthop del id 12`, whose group 31 goes
            // with it and whose route 10.4/16 the kernel flushes without a word.
            assertEquals(false, stream.translate(add(routeVia("10.5.0.0", 16, 11)), fpc.queue::offer));
            assertEquals(false, stream.translate(del(object(12, "10.8.0.4", 7)), fpc.queue::offer));
            fpc.startSending();
            List<FpcMessage> applied = fpc.appliedWhenDone();

            int end = indexOf(applied, m -> m instanceof FpcSyncEnd);
            int lastObject = Math.max(indexOf(applied, nexthop(true, 10)), Math.max(indexOf(applied, nexthop(true, 11)),
                    indexOf(applied, nexthop(true, 12))));
            int firstGroup = Math.min(indexOf(applied, aGroup(true, 30)), indexOf(applied, aGroup(true, 31)));
            int lastGroup = Math.max(indexOf(applied, aGroup(true, 30)), indexOf(applied, aGroup(true, 31)));
            int firstRoute = Math.min(indexOf(applied, route(true, "10.1.0.0")), Math.min(indexOf(applied,
                    route(true, "10.3.0.0")), indexOf(applied, route(true, "10.4.0.0"))));
            assertTrue(lastObject < firstGroup && lastGroup < firstRoute && firstRoute < end, "dump order: " + applied);

            int routeGone = indexOf(applied, route(false, "10.4.0.0"));
            int groupGone = indexOf(applied, aGroup(false, 31));
            int objectGone = indexOf(applied, nexthop(false, 12));
            assertTrue(end < routeGone && routeGone < groupGone && groupGone < objectGone, "live order: " + applied);
            assertTrue(indexOf(applied, route(true, "10.5.0.0")) > end);
        }
    }

    @Test
    void aDeleteRightAfterAChangeNeverOvertakesIt(@TempDir Path tmp) throws Exception {
        try (FpcLoopback fpc = new FpcLoopback(tmp.resolve("fpc.sock"))) {
            StreamTranslator stream = new StreamTranslator(3, () -> fpc.queue.size() == 0);
            for (RtnlEvent e : List.of(add(object(10, "10.8.0.2", 7)), add(object(11, "10.8.0.3", 7)),
                    add(routeVia("10.1.0.0", 16, 10)))) {
                stream.translate(e, m -> { }); // sent long ago
            }
            // `ip route replace 10.1.0.0/16 nhid 11; ip nexthop del id 10`, both queued together, where the
            // queue would send the DEL first. The DEL is left to a dump of the namespace instead.
            stream.translate(add(routeVia("10.1.0.0", 16, 11)), fpc.queue::offer);
            assertTrue(stream.translate(del(object(10, "10.8.0.2", 7)), fpc.queue::offer), "dump again");
            fpc.startSending();
            List<FpcMessage> applied = fpc.appliedWhenDone();
            assertEquals(List.of(new FpcRoute(true, 3, 254, ip("10.1.0.0"), 16, FpcRouteType.UNICAST, List.of(), 11)),
                    applied);

            // Once the queue has run empty, the next delete goes at once, after what was sent.
            assertEquals(false, stream.translate(del(object(11, "10.8.0.3", 7)), fpc.queue::offer));
            applied = fpc.appliedWhenDone();
            assertTrue(indexOf(applied, route(false, "10.1.0.0")) < indexOf(applied, nexthop(false, 11)), applied.toString());
        }
    }
}
