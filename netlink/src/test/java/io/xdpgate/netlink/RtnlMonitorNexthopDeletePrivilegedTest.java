package io.xdpgate.netlink;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the kernel announces when a nexthop object goes (needs root). Measured on Linux 6.18 and kept
 * here so that a kernel that behaves otherwise is noticed:
 * <ul>
 * <li>RTM_DELNEXTHOP of the object; the IPv4 routes through it are flushed with <b>no</b> RTM_DELROUTE;
 * <li>IPv6 routes through it get an RTM_DELROUTE, after the RTM_DELNEXTHOP, only while
 *     net.ipv4.nexthop_compat_mode is 1 (the default);
 * <li>a group it belonged to is announced again without it (RTM_NEWNEXTHOP), and the routes through the
 *     group stay; a group left empty is deleted (RTM_DELNEXTHOP) and its IPv4 routes are flushed silently;
 * <li>replacing an object announces, in compat mode, every route through it again (RTM_NEWROUTE).
 * </ul>
 */
class RtnlMonitorNexthopDeletePrivilegedTest {
    private TestNamespace ns;
    private RtnlMonitor monitor;
    private final Events events = new Events();

    /** Every event after the first dump, in order. */
    static final class Events implements RtnlMonitor.Listener {
        private final List<RtnlEvent> live = new ArrayList<>();
        private long ends;

        @Override
        public void onSyncBegin(long epoch) {}

        @Override
        public synchronized void onEvent(RtnlEvent event) {
            if (ends > 0) {
                live.add(event);
                notifyAll();
            }
        }

        @Override
        public synchronized void onSyncEnd(long epoch) {
            ends++;
            notifyAll();
        }

        synchronized void awaitFirstDump() throws InterruptedException {
            long deadline = System.currentTimeMillis() + 10_000;
            while (ends == 0) {
                assertTrue(System.currentTimeMillis() < deadline, "no first dump");
                wait(100);
            }
        }

        /** Index of the first event from {@code from} matching {@code p}, waiting up to 2 s for it. */
        synchronized int await(int from, Predicate<RtnlEvent> p) throws InterruptedException {
            long deadline = System.currentTimeMillis() + 2_000;
            while (true) {
                for (int i = from; i < live.size(); i++) {
                    if (p.test(live.get(i))) {
                        return i;
                    }
                }
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    fail("no matching event; live events: " + live.subList(from, live.size()));
                }
                wait(left);
            }
        }

        /** Waits 300 ms without a new event, then returns everything from {@code from}. */
        List<RtnlEvent> quietSince(int from) throws InterruptedException {
            int size;
            do {
                size = size();
                Thread.sleep(300);
            } while (size() != size);
            synchronized (this) {
                return List.copyOf(live.subList(from, live.size()));
            }
        }

        synchronized int size() {
            return live.size();
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        Privileged.requireRoot();
        ns = new TestNamespace();
        ns.ip("link", "set", "lo", "up");
        ns.ip("link", "add", "xgva", "type", "veth", "peer", "name", "xgvb");
        ns.ip("link", "set", "xgva", "up");
        ns.ip("link", "set", "xgvb", "up");
        ns.ip("addr", "add", "10.8.0.1/24", "dev", "xgva");
        ns.ip("-6", "addr", "add", "2001:db8:8::1/64", "dev", "xgva", "nodad");
        ns.ip("nexthop", "add", "id", "10", "via", "10.8.0.2", "dev", "xgva");
        ns.ip("nexthop", "add", "id", "11", "via", "10.8.0.3", "dev", "xgva");
        ns.ip("nexthop", "add", "id", "12", "via", "10.8.0.4", "dev", "xgva");
        ns.ip("-6", "nexthop", "add", "id", "20", "via", "2001:db8:8::2", "dev", "xgva");
        ns.ip("nexthop", "add", "id", "30", "group", "10/11");
        ns.ip("nexthop", "add", "id", "31", "group", "12");
        ns.ip("route", "add", "10.1.0.0/16", "nhid", "10");
        ns.ip("route", "add", "10.3.0.0/16", "nhid", "30");
        ns.ip("route", "add", "10.4.0.0/16", "nhid", "31");
        ns.ip("route", "add", "10.5.0.0/16", "nhid", "11");
        ns.ip("-6", "route", "add", "2001:db8:100::/48", "nhid", "20");
        monitor = RtnlMonitor.start(RtnlMonitor.Options.defaults(ns.name), events);
        events.awaitFirstDump();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (monitor != null) {
                monitor.close();
            }
        } finally {
            if (ns != null) {
                ns.close();
            }
        }
    }

    private static Predicate<RtnlEvent> nexthop(boolean deleted, int id) {
        return e -> e.deleted() == deleted && e.object() instanceof NexthopObject n && n.id() == id;
    }

    private static boolean isRouteTo(RtnlEvent e, String prefix) {
        try {
            return e.object() instanceof Route r && r.dst().equals(InetAddress.getByName(prefix));
        } catch (java.net.UnknownHostException x) {
            throw new AssertionError(x);
        }
    }

    private boolean compatMode() throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", ns.name, "cat", "/proc/sys/net/ipv4/nexthop_compat_mode")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return out.equals("1");
    }

    @Test
    void deletingAnObjectFlushesItsIpv4RoutesWithoutAWord() throws Exception {
        int from = events.size();
        ns.ip("nexthop", "del", "id", "10");
        events.await(from, nexthop(true, 10));
        int group = events.await(from, nexthop(false, 30));
        assertEquals(List.of(new NexthopGroupMember(11, 1)), ((NexthopObject) events.quietSince(group).get(0).object()).group(),
                "the group is announced again without the object");
        List<RtnlEvent> after = events.quietSince(from);
        assertFalse(after.stream().anyMatch(e -> e.object() instanceof Route), "no route event: " + after);
        assertEquals("", ns.ip("route", "show", "10.1.0.0/16").trim(), "yet the route is gone");
        assertFalse(ns.ip("route", "show", "10.3.0.0/16").isBlank(), "the route through the group stays");
    }

    @Test
    void deletingTheLastMemberOfAGroupDeletesTheGroupAndFlushesItsRoutesSilently() throws Exception {
        int from = events.size();
        ns.ip("nexthop", "del", "id", "12");
        int object = events.await(from, nexthop(true, 12));
        int group = events.await(from, nexthop(true, 31));
        assertTrue(object < group, "the member first, then its group");
        List<RtnlEvent> after = events.quietSince(from);
        assertFalse(after.stream().anyMatch(e -> e.object() instanceof Route), "no route event: " + after);
        assertEquals("", ns.ip("route", "show", "10.4.0.0/16").trim());
    }

    @Test
    void ipv6RoutesThroughADeletedObjectAreAnnouncedOnlyInCompatMode() throws Exception {
        boolean compat = compatMode();
        int from = events.size();
        ns.ip("nexthop", "del", "id", "20");
        int object = events.await(from, nexthop(true, 20));
        List<RtnlEvent> after = events.quietSince(from);
        boolean announced = after.stream().anyMatch(e -> e.deleted() && isRouteTo(e, "2001:db8:100::"));
        assertEquals(compat, announced, "compat mode " + compat + ": " + after);
        if (announced) {
            int route = events.await(from, e -> e.deleted() && isRouteTo(e, "2001:db8:100::"));
            assertTrue(object < route, "RTM_DELROUTE comes after RTM_DELNEXTHOP");
        }
        assertEquals("", ns.ip("-6", "route", "show", "2001:db8:100::/48").trim());
    }

    @Test
    void replacingAnObjectAnnouncesItsRoutesAgainInCompatMode() throws Exception {
        boolean compat = compatMode();
        int from = events.size();
        ns.ip("nexthop", "replace", "id", "11", "via", "10.8.0.9", "dev", "xgva");
        events.await(from, nexthop(false, 11));
        List<RtnlEvent> after = events.quietSince(from);
        assertEquals(compat, after.stream().anyMatch(e -> !e.deleted() && isRouteTo(e, "10.5.0.0")), after.toString());
    }
}
