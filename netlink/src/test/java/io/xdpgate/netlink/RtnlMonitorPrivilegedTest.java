package io.xdpgate.netlink;

import static io.xdpgate.netlink.Rtnl.*;
import static org.junit.jupiter.api.Assertions.*;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RtnlMonitor against a real kernel, inside a namespace of its own with a veth pair (needs root). */
class RtnlMonitorPrivilegedTest {
    private TestNamespace ns;
    private RtnlMonitor monitor;

    @BeforeEach
    void createNamespace() throws Exception {
        Privileged.requireRoot();
        ns = new TestNamespace();
        ns.ip("link", "add", "xgva", "type", "veth", "peer", "name", "xgvb");
        ns.ip("link", "set", "xgva", "up");
        ns.ip("link", "set", "xgvb", "up");
        ns.ip("addr", "add", "10.8.0.1/24", "dev", "xgva");
    }

    @AfterEach
    void cleanUp() throws Exception {
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

    private Recorder startMonitor(RtnlMonitor.Options options) throws Exception {
        Recorder recorder = new Recorder(true);
        monitor = RtnlMonitor.start(options, recorder);
        recorder.awaitSyncEnds(1, 10_000);
        return recorder;
    }

    private Link link(Recorder r, String name) {
        return r.objects(Link.class).stream().map(Link.class::cast).filter(l -> name.equals(l.name())).findFirst()
                .orElseThrow(() -> new AssertionError("no link " + name));
    }

    @Test
    void initialDumpHasTheVethAndItsAddress() throws Exception {
        Recorder r = startMonitor(RtnlMonitor.Options.defaults(ns.name));

        Link veth = link(r, "xgva");
        assertEquals("veth", veth.kind());
        assertNotNull(veth.mac());
        assertEquals(1500, veth.mtu());
        assertTrue((veth.flags() & IFF_UP) != 0);
        assertNotNull(link(r, "lo"));
        assertTrue(r.objects(Address.class).contains(new Address(AF_INET, veth.ifindex(), 24,
                InetAddress.getByName("10.8.0.1"), RT_SCOPE_UNIVERSE, IFA_F_PERMANENT)));
        assertTrue(r.objects(Route.class).stream().map(Route.class::cast).anyMatch(rt ->
                rt.table() == RT_TABLE_LOCAL && rt.type() == RTN_LOCAL), "routes of all tables are delivered");
        assertEquals(0, monitor.overruns());
        assertTrue(monitor.messagesByType().get("RTM_NEWLINK") >= 3);
        assertNull(threadNamed("rtnl-" + ns.name), "no thread of its own: monitors share a few");
    }

    @Test
    void withRouteTablesADumpHoldsTheirRoutesTheLocalOnesFirstAndNoOthers() throws Exception {
        ns.ip("route", "add", "198.51.100.0/24", "via", "10.8.0.2");
        ns.ip("route", "add", "203.0.113.0/24", "via", "10.8.0.2", "table", "100");
        ns.ip("route", "add", "local", "192.0.2.0/28", "dev", "lo", "table", "local"); // configured (AnyIP)
        ns.ip("-6", "route", "add", "2001:db8:9::/48", "dev", "xgva", "table", "100");

        Recorder r = startMonitor(RtnlMonitor.Options.defaults(ns.name)
                .withRouteTables(RT_TABLE_LOCAL, RT_TABLE_MAIN));

        List<Route> routes = r.objects(Route.class).stream().map(Route.class::cast).toList();
        assertTrue(routes.stream().anyMatch(rt -> rt.table() == RT_TABLE_MAIN && rt.dstLength() == 24
                && rt.dst().getHostAddress().equals("198.51.100.0")), routes.toString());
        assertTrue(routes.stream().anyMatch(Route::isConfiguredLocal), routes.toString());
        assertTrue(routes.stream().allMatch(rt -> rt.table() == RT_TABLE_LOCAL || rt.table() == RT_TABLE_MAIN),
                "table 100 is not dumped: " + routes);
        List<Integer> tables = r.arrivals(Route.class).stream().map(o -> ((Route) o).table()).toList();
        assertEquals(tables.stream().sorted(java.util.Comparator.reverseOrder()).toList(), tables,
                "both families' local routes (255) come before the main ones (254)");
    }

    @Test
    void withRouteTablesANamespaceWithoutAnIpv4LocalTableStillSyncs() throws Exception {
        // The kernel creates IPv4's local table with a namespace's first address: a fresh namespace has none,
        // and a dump asking for it fails with ENOENT ("ipv4: FIB table does not exist").
        try (TestNamespace bare = new TestNamespace()) {
            Recorder r = new Recorder(true);
            monitor = RtnlMonitor.start(RtnlMonitor.Options.defaults(bare.name)
                    .withRouteTables(RT_TABLE_LOCAL, RT_TABLE_MAIN), r);
            r.awaitSyncEnds(1, 10_000);
            assertEquals(0, monitor.errors());
            bare.ip("link", "set", "lo", "up");
            monitor.requestResync();
            r.awaitSyncEnds(2, 10_000);
            assertTrue(r.objects(Route.class).stream().map(Route.class::cast).anyMatch(rt ->
                    rt.table() == RT_TABLE_LOCAL && rt.dst().isLoopbackAddress()), "once lo is up, its local route");
            assertEquals(0, monitor.errors());
            monitor.close();
            monitor = null;
        }
    }

    private static String threadNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).filter(name::equals)
                .findFirst().orElse(null);
    }

    @Test
    void socketsOpenedLaterGoWhereTheFirstOnesLive() throws Exception {
        // From a thread of the root namespace, by a handle on the socket's namespace (SIOCGSKNS): how a
        // monitor replaces its sockets after an overrun or an error, on a worker in whatever namespace.
        try (NetlinkSocket first = NetworkNamespace.call(ns.name, () -> NetlinkSocket.open(1 << 16))) {
            List<String> names = NetworkNamespace.callWhere(first, () -> {
                try (NetlinkSocket second = NetlinkSocket.open(1 << 20)) {
                    return linkNames(second);
                }
            });
            assertTrue(names.contains("xgva") && names.contains("xgvb"), names.toString());
            try (NetlinkSocket here = NetlinkSocket.open(1 << 20)) {
                assertFalse(linkNames(here).contains("xgva"), "the calling thread stayed where it was");
            }
        }
    }

    @Test
    void afterAnErrorTheMonitorBacksOffReopensInItsNamespaceAndResyncs() throws Exception {
        RtnlMonitorObserverTest.Calls calls = new RtnlMonitorObserverTest.Calls();
        Recorder r = startMonitor(RtnlMonitor.Options.defaults(ns.name).withObserver(calls));

        // An unexpected failure, as a turn meets one (there is no way to make the kernel fail on purpose).
        Method failed = RtnlMonitor.class.getDeclaredMethod("failed", Exception.class);
        failed.setAccessible(true);
        Field turns = RtnlMonitor.class.getDeclaredField("turns");
        turns.setAccessible(true);
        long before = System.nanoTime();
        ((SerialExecutor) turns.get(monitor)).execute(() -> {
            try {
                failed.invoke(monitor, new NetlinkException("injected by the test", 0));
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        });
        r.awaitSyncEnds(2, 10_000);
        long millis = (System.nanoTime() - before) / 1_000_000;

        assertEquals(1, monitor.errors());
        assertEquals(1, monitor.resyncs());
        synchronized (calls) {
            assertEquals(List.of("error"), calls.resyncs);
        }
        assertTrue(millis >= 90, "reopened after " + millis + " ms, before the backoff");
        // The new sockets are in the namespace: its veth was dumped again, and its changes still arrive.
        assertTrue(r.objects(Link.class).stream().anyMatch(o -> "xgva".equals(((Link) o).name())));
        long change = System.nanoTime();
        ns.ip("route", "add", "10.10.0.0/16", "via", "10.8.0.2");
        InetAddress dst = InetAddress.getByName("10.10.0.0");
        r.await(e -> !e.deleted() && e.object() instanceof Route rt && rt.dst().equals(dst), change, 2_000);
    }

    @Test
    void aDumpOfManyRoutesComesInDatagramsOfUpTo32KiB() throws Exception {
        ns.batch(routes(3_000));
        List<Integer> sizes = new ArrayList<>();
        int[] routes = {0};
        try (NetlinkSocket socket = NetworkNamespace.call(ns.name, () -> NetlinkSocket.open(1 << 20))) {
            RtnlDumper dumper = new RtnlDumper(socket, null, () -> false, datagram -> sizes.add(datagram.limit()));
            assertFalse(dumper.dump(RTM_GETROUTE, AF_INET, e -> routes[0] += e.object() instanceof Route ? 1 : 0));
        }
        assertTrue(routes[0] >= 3_000, routes[0] + " routes dumped");
        // The kernel sizes a dump's datagrams after the largest read asked for (capped near 32 KiB): a
        // receiver that peeks with zero bytes first gets datagrams of one page, eight times as many.
        int largest = sizes.stream().mapToInt(Integer::intValue).max().orElse(0);
        assertTrue(largest > 16 * 1024, "largest datagram " + largest + " bytes, " + sizes.size() + " datagrams");
        int total = sizes.stream().mapToInt(Integer::intValue).sum();
        assertTrue(sizes.size() <= total / (16 * 1024) + 1, sizes.size() + " datagrams for " + total + " bytes");
    }

    @Test
    void eachDatagramsEventsAreFollowedByItsEnd() throws Exception {
        ns.batch(routes(2_000));
        Recorder r = startMonitor(RtnlMonitor.Options.defaults(ns.name));
        assertEquals(0, r.eventsSinceDatagramEnd(), "the dump's last events were not closed by onDatagramEnd");
        long dumped = r.datagramEnds();
        assertTrue(dumped >= 2 && dumped < 2_000 / 10, dumped + " datagram ends for a dump of 2,000 routes");

        long change = System.nanoTime();
        ns.ip("route", "add", "10.11.0.0/16", "via", "10.8.0.2");
        InetAddress dst = InetAddress.getByName("10.11.0.0");
        r.await(e -> !e.deleted() && e.object() instanceof Route rt && rt.dst().equals(dst), change, 2_000);
        long deadline = System.currentTimeMillis() + 2_000;
        while (r.eventsSinceDatagramEnd() != 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(0, r.eventsSinceDatagramEnd(), "a live change was not closed by onDatagramEnd");
        assertTrue(r.datagramEnds() > dumped);
    }

    /** {@code ip -batch} lines adding {@code n} /32 routes through the veth's neighbour. */
    private static List<String> routes(int n) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lines.add("route add 10.60." + (i / 250) + "." + (i % 250) + "/32 via 10.8.0.2");
        }
        return lines;
    }

    private static List<String> linkNames(NetlinkSocket socket) throws Exception {
        List<String> names = new ArrayList<>();
        RtnlDumper dumper = new RtnlDumper(socket, null, () -> false);
        dumper.dump(RTM_GETLINK, AF_UNSPEC, e -> names.add(((Link) e.object()).name()));
        return names;
    }

    @Test
    void routeAddAndDeleteArriveAsEventsWithin100Ms() throws Exception {
        Recorder r = startMonitor(RtnlMonitor.Options.defaults(ns.name));
        InetAddress dst = InetAddress.getByName("10.9.0.0");
        InetAddress gateway = InetAddress.getByName("10.8.0.2");

        long before = System.nanoTime();
        ns.ip("route", "add", "10.9.0.0/16", "via", "10.8.0.2");
        Recorder.Timed added = r.await(e -> !e.deleted() && e.object() instanceof Route rt
                && rt.dst().equals(dst) && rt.dstLength() == 16, before, 2_000);
        long latencyMillis = (added.nanos() - before) / 1_000_000;

        Route route = (Route) added.event().object();
        assertEquals(gateway, route.gateway());
        assertEquals(RT_TABLE_MAIN, route.table());
        assertEquals(RTN_UNICAST, route.type());
        assertEquals(link(r, "xgva").ifindex(), route.oif());
        assertTrue(latencyMillis < 100, "route event after " + latencyMillis + " ms (ip command included)");

        long beforeDelete = System.nanoTime();
        ns.ip("route", "del", "10.9.0.0/16", "via", "10.8.0.2");
        r.await(e -> e.deleted() && e.object() instanceof Route rt && rt.dst().equals(dst), beforeDelete, 2_000);
    }

    @Test
    void rulesOfBothFamiliesAreDumpedAnnouncedAndDumpedAgainOnResync() throws Exception {
        Recorder r = startMonitor(RtnlMonitor.Options.defaults(ns.name));
        PolicyRules rules = new PolicyRules();
        for (RtnlObject o : r.objects(Rule.class)) rules.apply((Rule) o, false);
        assertEquals(5, rules.size(), "a fresh namespace: 3 IPv4 and 2 IPv6 rules, " + r.objects(Rule.class));
        assertEquals(0, rules.differingFamilies(true));

        long before = System.nanoTime();
        ns.ip("rule", "add", "from", "10.8.0.0/24", "table", "100", "pref", "1000");
        Recorder.Timed added = r.await(e -> !e.deleted() && e.object() instanceof Rule rule && rule.priority() == 1000,
                before, 2_000);
        rules.apply((Rule) added.event().object(), false);
        assertEquals(PolicyRules.IPV4, rules.differingFamilies(true));
        ns.ip("-6", "rule", "add", "from", "2001:db8:5::/48", "table", "100", "pref", "1000");
        r.await(e -> !e.deleted() && e.object() instanceof Rule rule && rule.family() == AF_INET6, before, 2_000);
        assertTrue(monitor.messagesByType().get("RTM_NEWRULE") >= 7, monitor.messagesByType().toString());

        monitor.requestResync();
        r.awaitSyncEnds(2, 10_000);
        long resynced = r.objects(Rule.class).size();
        assertEquals(7, resynced, "the resync's dump holds every rule once");

        long beforeDelete = System.nanoTime();
        ns.ip("rule", "del", "pref", "1000");
        Recorder.Timed deleted = r.await(e -> e.deleted() && e.object() instanceof Rule rule
                && rule.family() == AF_INET && rule.priority() == 1000, beforeDelete, 2_000);
        assertEquals(added.event().object(), deleted.event().object(), "the deletion names the added rule");
        assertTrue(monitor.messagesByType().get("RTM_DELRULE") >= 1);
    }

    @Test
    void withoutIpv6OnlyIpv4RulesAreFollowed() throws Exception {
        Recorder r = startMonitor(new RtnlMonitor.Options(ns.name, 1 << 20, false));
        assertEquals(3, r.objects(Rule.class).size(), r.objects(Rule.class).toString());
        long before = System.nanoTime();
        ns.ip("-6", "rule", "add", "from", "2001:db8:5::/48", "table", "100", "pref", "1000");
        ns.ip("route", "add", "10.9.0.0/16", "via", "10.8.0.2");
        r.await(e -> e.object() instanceof Route rt && rt.dstLength() == 16, before, 2_000);
        assertTrue(r.objects(Rule.class).stream().noneMatch(o -> ((Rule) o).family() == AF_INET6));
    }

    @Test
    void permanentNeighbourArrivesWithItsLladdr() throws Exception {
        Recorder r = startMonitor(RtnlMonitor.Options.defaults(ns.name));
        InetAddress address = InetAddress.getByName("10.8.0.3");

        long before = System.nanoTime();
        ns.ip("neigh", "add", "10.8.0.3", "lladdr", "02:00:5e:00:00:03", "dev", "xgva", "nud", "permanent");
        Recorder.Timed t = r.await(e -> !e.deleted() && e.object() instanceof Neighbour n
                && n.address().equals(address), before, 2_000);

        Neighbour n = (Neighbour) t.event().object();
        assertArrayEquals(new byte[] {2, 0, 0x5e, 0, 0, 3}, n.lladdr());
        assertEquals(NUD_PERMANENT, n.state());
        assertEquals(link(r, "xgva").ifindex(), n.ifindex());
        assertTrue(n.usableForForwarding());
    }

    @Test
    void ipv6RoutesAreFollowedWhenAsked() throws Exception {
        Recorder r = startMonitor(RtnlMonitor.Options.defaults(ns.name));
        long before = System.nanoTime();
        ns.ip("-6", "addr", "add", "2001:db8:8::1/64", "dev", "xgva", "nodad");
        ns.ip("-6", "route", "add", "2001:db8:9::/48", "via", "2001:db8:8::2");
        InetAddress dst = InetAddress.getByName("2001:db8:9::");
        r.await(e -> e.object() instanceof Route rt && rt.dst().equals(dst) && rt.family() == AF_INET6
                && !e.deleted(), before, 2_000);
    }

    @Test
    void overrunLeadsToResyncAndTheViewMatchesTheKernel() throws Exception {
        List<RtnlMonitor> self = new ArrayList<>();
        Recorder r = new Recorder(false) {
            @Override
            public void onEvent(RtnlEvent event) {
                // A slow consumer while the burst runs, so that the 4 KiB multicast buffer overflows.
                if (!self.isEmpty() && self.get(0).overruns() == 0 && event.object() instanceof Route) {
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                super.onEvent(event);
            }
        };
        monitor = RtnlMonitor.start(new RtnlMonitor.Options(ns.name, 4096, false), r);
        self.add(monitor);
        r.awaitSyncEnds(1, 10_000);

        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            lines.add("route add 172.16." + (i >> 8) + "." + (i & 0xff) + "/32 via 10.8.0.2");
        }
        ns.batch(lines);
        long expected = routeCount();

        long deadline = System.currentTimeMillis() + 30_000;
        while (!(monitor.resyncs() >= 1 && r.syncEnds() >= 2 && r.quietMillis() > 500
                && r.count("route") == expected)) {
            if (System.currentTimeMillis() > deadline) {
                fail("view has " + r.count("route") + " routes, kernel " + expected + "; resyncs "
                        + monitor.resyncs() + ", overruns " + monitor.overruns() + ", sync ends " + r.syncEnds());
            }
            Thread.sleep(100);
        }
        assertTrue(monitor.overruns() >= 1);
        assertTrue(expected > 20_000);
    }

    /** Routes as `ip -j route show table all` lists them (IPv4, every table). */
    private long routeCount() throws Exception {
        String json = ns.ip("-4", "-j", "route", "show", "table", "all");
        long count = 0;
        for (int at = json.indexOf("\"dst\""); at >= 0; at = json.indexOf("\"dst\"", at + 1)) {
            count++;
        }
        return count;
    }
}
