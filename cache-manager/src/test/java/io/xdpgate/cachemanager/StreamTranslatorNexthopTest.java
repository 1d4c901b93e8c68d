package io.xdpgate.cachemanager;

import io.xdpgate.fpc.FpcGroupMember;
import io.xdpgate.fpc.FpcMessage;
import io.xdpgate.fpc.FpcNexthopGroup;
import io.xdpgate.fpc.FpcNexthopObject;
import io.xdpgate.fpc.FpcRoute;
import io.xdpgate.fpc.FpcRouteType;
import io.xdpgate.netlink.Route;
import io.xdpgate.netlink.RtnlEvent;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static io.xdpgate.cachemanager.KernelEvents.add;
import static io.xdpgate.cachemanager.KernelEvents.blackhole;
import static io.xdpgate.cachemanager.KernelEvents.del;
import static io.xdpgate.cachemanager.KernelEvents.group;
import static io.xdpgate.cachemanager.KernelEvents.ip;
import static io.xdpgate.cachemanager.KernelEvents.object;
import static io.xdpgate.cachemanager.KernelEvents.routeVia;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What reaches the fast path when nexthop objects go, the kernel's silences included. */
class StreamTranslatorNexthopTest {

    private boolean drained = true;
    private final StreamTranslator stream = new StreamTranslator(3, () -> drained);
    private final List<FpcMessage> out = new ArrayList<>();

    private boolean feed(RtnlEvent e) {
        return stream.translate(e, out::add);
    }

    private static FpcRoute routeGone(String prefix, int length, int nexthopId) {
        return new FpcRoute(false, 3, 254, ip(prefix), length, FpcRouteType.UNICAST, List.of(), nexthopId);
    }

    private void kernelHas() {
        for (RtnlEvent e : List.of(add(object(10, "10.8.0.2", 7)), add(object(11, "10.8.0.3", 7)),
                add(object(12, "10.8.0.4", 7)), add(group(30, 10, 1, 11, 1)), add(group(31, 12, 1)),
                add(routeVia("10.1.0.0", 16, 10)), add(routeVia("10.2.0.0", 16, 10)), add(routeVia("10.3.0.0", 16, 30)),
                add(routeVia("10.4.0.0", 16, 31)), add(routeVia("10.5.0.0", 16, 11)))) {
            assertFalse(feed(e));
        }
        out.clear();
    }

    @Test
    void deletingAnObjectDeletesItsRoutesFirst() {
        for (RtnlEvent e : List.of(add(object(10, "10.8.0.2", 7)), add(routeVia("10.1.0.0", 16, 10)),
                add(routeVia("10.2.0.0", 16, 10)), add(routeVia("10.9.0.0", 16, 0)))) {
            assertFalse(feed(e));
        }
        out.clear();
        // The kernel flushes 10.1/16 and 10.2/16 with no RTM_DELROUTE.
        assertFalse(feed(del(object(10, "10.8.0.2", 7))));
        assertEquals(3, out.size(), out.toString());
        assertEquals(Set.of(routeGone("10.1.0.0", 16, 10), routeGone("10.2.0.0", 16, 10)), Set.copyOf(out.subList(0, 2)));
        assertEquals(new FpcNexthopObject(false, 3, 10, 7, ip("10.8.0.2"), false), out.get(2));
        assertEquals(0, stream.routesThroughNexthops());
    }

    @Test
    void anObjectAGroupOfSeveralStillNamesIsLeftToADump() {
        kernelHas();
        // The kernel sends RTM_DELNEXTHOP 10, then group 30 without it: a DEL sent now could pass the group.
        assertTrue(feed(del(object(10, "10.8.0.2", 7))), "dump the namespace again");
        assertEquals(List.of(routeGone("10.1.0.0", 16, 10), routeGone("10.2.0.0", 16, 10)).size(), out.size());
        assertTrue(out.stream().allMatch(m -> m instanceof FpcRoute r && !r.add()), "only the route DELs: " + out);
    }

    @Test
    void theLastMemberOfAGroupTakesTheGroupAndItsRoutesWithIt() {
        kernelHas();
        assertFalse(feed(del(object(12, "10.8.0.4", 7))));
        assertEquals(List.of(routeGone("10.4.0.0", 16, 31), new FpcNexthopGroup(false, 3, 31, List.of()),
                new FpcNexthopObject(false, 3, 12, 7, ip("10.8.0.4"), false)), out);
        out.clear();
        assertFalse(feed(del(group(31, 12, 1))), "the kernel's own DEL of the group, later: harmless again");
        assertEquals(List.of(new FpcNexthopGroup(false, 3, 31, List.of(new FpcGroupMember(12, 1)))), out);
    }

    @Test
    void deletingAGroupDeletesItsRoutesFirst() {
        kernelHas();
        assertFalse(feed(del(group(30, 10, 1, 11, 1))));
        assertEquals(List.of(routeGone("10.3.0.0", 16, 30), new FpcNexthopGroup(false, 3, 30,
                List.of(new FpcGroupMember(10, 1), new FpcGroupMember(11, 1)))), out);
        out.clear();
        assertFalse(feed(del(object(10, "10.8.0.2", 7))), "no group names 10 any more");
        assertEquals(3, out.size());
    }

    @Test
    void anObjectARouteJustLeftWaitsForTheQueueOrADump() {
        kernelHas();
        drained = false; // what follows may still wait in the send queue, behind which a DEL would go first
        feed(add(routeVia("10.5.0.0", 16, 30))); // 10.5 leaves 11 for group 30...
        feed(add(group(30, 10, 1))); // ...and group 30 leaves 11 too
        assertFalse(feed(del(group(31, 12, 1))), "31 was left by nothing");
        out.clear();
        assertTrue(feed(del(object(11, "10.8.0.3", 7))));
        assertTrue(out.isEmpty(), "no DEL overtakes them: " + out);
        drained = true; // the queue ran empty: everything before is on its way
        assertFalse(feed(del(object(12, "10.8.0.4", 7))));
        assertEquals(new FpcNexthopObject(false, 3, 12, 7, ip("10.8.0.4"), false), out.get(out.size() - 1));
    }

    @Test
    void aBlackholeObjectThatStartsForwardingUnderRoutesNeedsADump() {
        assertFalse(feed(add(blackhole(5))));
        assertFalse(feed(add(new Route(2, 254, 6, 3, 0, 16, ip("10.10.0.0"), null, 0, 0, List.of(), 5))));
        assertTrue(feed(add(object(5, "10.8.0.2", 7))), "without nexthop_compat_mode the kernel says nothing of its routes");
        assertEquals(new FpcNexthopObject(true, 3, 5, 7, ip("10.8.0.2"), false), out.get(out.size() - 1), "and the object is sent");
        assertFalse(feed(add(blackhole(6))));
        assertFalse(feed(add(object(6, "10.8.0.2", 7))), "no route uses it");
    }

    @Test
    void aDumpStartsFromNothing() {
        kernelHas();
        stream.dumpBegins();
        assertEquals(0, stream.routesThroughNexthops());
        assertFalse(feed(del(object(10, "10.8.0.2", 7))));
        assertEquals(List.of(new FpcNexthopObject(false, 3, 10, 7, ip("10.8.0.2"), false)), out);
    }
}
