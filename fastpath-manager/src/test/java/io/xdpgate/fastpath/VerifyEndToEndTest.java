package io.xdpgate.fastpath;

import io.xdpgate.ctl.CtlMain;
import io.xdpgate.ebpf.Route;
import io.xdpgate.fpc.FpcAddress;
import io.xdpgate.fpc.FpcGroupMember;
import io.xdpgate.fpc.FpcLink;
import io.xdpgate.fpc.FpcMessage;
import io.xdpgate.fpc.FpcNeighbour;
import io.xdpgate.fpc.FpcNexthop;
import io.xdpgate.fpc.FpcNexthopGroup;
import io.xdpgate.fpc.FpcNexthopObject;
import io.xdpgate.fpc.FpcPolicyRouting;
import io.xdpgate.fpc.FpcRoute;
import io.xdpgate.fpc.FpcRouteType;
import io.xdpgate.fpc.FpcSyncEnd;
import io.xdpgate.netlink.Address;
import io.xdpgate.netlink.Link;
import io.xdpgate.netlink.Neighbour;
import io.xdpgate.netlink.NexthopGroupMember;
import io.xdpgate.netlink.NexthopObject;
import io.xdpgate.netlink.RouteNexthop;
import io.xdpgate.netlink.RtnlEvent;
import io.xdpgate.netlink.RtnlMonitor;
import io.xdpgate.netlink.RtnlObject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real namespace with IPv6 and nexthop objects, dumped and turned into FPC messages the way the
 * cache manager does, applied to the manager; then {@code xdpgate ctl verify} compares that kernel
 * with the pinned maps.
 */
class VerifyEndToEndTest extends ForwardingStateFixture {

    private void run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip", "-n", netns));
        command.addAll(List.of(args));
        TestSupport.sh(command.toArray(String[]::new));
    }

    @Test
    void kernelStateMirroredByTheManagerVerifiesInSyncAndDifferencesAreFound() throws Exception {
        run("link", "set", "lo", "up");
        run("addr", "add", "10.1.0.1/24", "dev", "xga");
        run("addr", "add", "2001:db8:1::1/64", "dev", "xga", "nodad");
        run("neigh", "replace", "10.1.0.2", "lladdr", "02:22:22:22:22:22", "dev", "xga", "nud", "permanent");
        run("-6", "neigh", "replace", "fe80::2", "lladdr", "02:22:22:22:22:22", "dev", "xga", "nud", "reachable");
        run("-6", "neigh", "replace", "2001:db8:1::5", "lladdr", "02:55:55:55:55:55", "dev", "xga", "nud", "stale");
        run("nexthop", "add", "id", "7", "via", "10.1.0.2", "dev", "xga");
        run("nexthop", "add", "id", "8", "via", "fe80::2", "dev", "xga");
        run("nexthop", "add", "id", "9", "blackhole");
        run("nexthop", "add", "id", "20", "group", "7/8");
        run("nexthop", "add", "id", "21", "group", "8");
        run("route", "add", "10.9.0.0/16", "nhid", "7");
        run("route", "add", "10.20.0.0/16", "nhid", "20");
        run("route", "add", "10.21.0.0/16", "nhid", "9");
        run("route", "add", "10.30.0.0/16", "via", "inet6", "fe80::2", "dev", "xga");
        run("-6", "route", "add", "2001:db8:9::/48", "nhid", "8");
        run("-6", "route", "add", "2001:db8:10::/48", "nhid", "21");
        run("-6", "route", "add", "2001:db8:12::/48", "via", "fe80::2", "dev", "xga");
        run("-6", "route", "add", "default", "via", "fe80::2", "dev", "xga");
        run("-6", "route", "add", "blackhole", "2001:db8:66::/48");
        run("route", "add", "10.40.0.0/16", "nexthop", "via", "10.1.0.2", "dev", "xga", "weight", "3",
                "nexthop", "via", "10.1.0.3", "dev", "xga");
        run("-6", "route", "add", "2001:db8:40::/48", "nexthop", "via", "fe80::2", "dev", "xga",
                "nexthop", "via", "fe80::3", "dev", "xga");

        for (RtnlObject o : dump()) {
            FpcMessage m = translate(o);
            if (m != null) ok(m);
        }
        ok(new FpcSyncEnd(1));
        assertEquals(Route.UNICAST, route("2001:db8:9::", 48).type());
        assertTrue(route("10.20.0.0", 16).isGroup(), "a group of two members: ECMP");
        assertTrue(route("10.40.0.0", 16).isGroup(), "a multipath route: ECMP");
        assertTrue(route("2001:db8:40::", 48).isGroup(), "an IPv6 multipath route: ECMP");
        assertEquals(Route.BLACKHOLE, route("10.21.0.0", 16).type());
        assertEquals(ip("10.1.0.2"), maps.nexthopGateway(route("10.9.0.0", 16).nexthopId()),
                "the manager writes the gateway of a slot into xg_nh_gw");
        assertVerify(0, "in sync");

        // The kernel's group takes other weights: the fast path is behind until told, then in sync again.
        run("nexthop", "replace", "id", "20", "group", "7,3/8");
        assertVerify(1, "route 10.20.0.0/16 (nexthop object 20): buckets by slot");
        ok(new FpcNexthopGroup(true, VRF, 20, List.of(new FpcGroupMember(7, 3), new FpcGroupMember(8, 1))));
        assertVerify(0, "in sync");

        maps.putRoute6(VRF, ip6("fe80::"), 64, Route.unicast(1)); // never looked up: ignored on both sides
        assertVerify(0, "in sync");

        maps.deleteRoute6(VRF, ip6("2001:db8:9::"), 48);
        assertVerify(1, "route 2001:db8:9:0:0:0:0:0/48 (nexthop object 8) missing in the fast path");
        ok(new FpcRoute(true, VRF, 254, ip6("2001:db8:9::"), 48, FpcRouteType.UNICAST, List.of(), 8));
        assertVerify(0, "in sync");

        // The kernel's object moves to an unresolved gateway: the fast path is behind until told.
        run("nexthop", "replace", "id", "8", "via", "fe80::3", "dev", "xga");
        assertVerify(1, "route 2001:db8:9:0:0:0:0:0/48 (nexthop object 8): gateway fe80:0:0:0:0:0:0:3 unresolved in the kernel,"
                + " resolved in the fast path");
        ok(new FpcNexthopObject(true, VRF, 8, ifindex, ip6("fe80::3"), false));
        assertVerify(0, "in sync");

        // A policy routing rule: the kernel may forward by table 100, so the port must be down until it goes.
        run("rule", "add", "from", "10.1.0.0/24", "table", "100", "pref", "1000");
        assertVerify(1, "/true (expected down: the policy routing rules are not the kernel's defaults)");
        ok(new FpcPolicyRouting(true, VRF, FpcPolicyRouting.IPV4));
        assertVerify(0, "in sync");
        run("rule", "del", "pref", "1000");
        assertVerify(1, "port xga: kernel mac/mtu/up");
        ok(new FpcPolicyRouting(false, VRF, 0));
        assertVerify(0, "in sync");
    }

    private void assertVerify(int expected, String expectedLine) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int status;
        try {
            status = CtlMain.verify(pinRoot, 100);
        } finally {
            System.setOut(saved);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(expected, status, text);
        assertTrue(text.contains(expectedLine), text);
    }

    /** The namespace's objects, in the FPC dependency order: links, addresses, neighbours, nexthops, groups, routes. */
    private List<RtnlObject> dump() throws Exception {
        List<RtnlObject> objects = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        RtnlMonitor monitor = RtnlMonitor.start(new RtnlMonitor.Options(netns, 1 << 20, true), new RtnlMonitor.Listener() {
            @Override
            public void onSyncBegin(long epoch) {
                if (done.getCount() > 0) objects.clear();
            }

            @Override
            public void onEvent(RtnlEvent e) {
                if (done.getCount() > 0 && !e.deleted()) objects.add(e.object());
            }

            @Override
            public void onSyncEnd(long epoch) {
                done.countDown();
            }
        });
        try {
            assertTrue(done.await(30, TimeUnit.SECONDS), "dump of " + netns);
        } finally {
            monitor.close();
        }
        List<RtnlObject> ordered = new ArrayList<>();
        for (int rank = 0; rank < 6; rank++) {
            for (RtnlObject o : objects) if (rank(o) == rank) ordered.add(o);
        }
        return ordered;
    }

    private static int rank(RtnlObject o) {
        if (o instanceof Link) return 0;
        if (o instanceof Address) return 1;
        if (o instanceof Neighbour) return 2;
        if (o instanceof NexthopObject n) return n.isGroup() ? 4 : 3;
        if (o instanceof io.xdpgate.netlink.Route) return 5;
        return -1;
    }

    /** As the cache manager's translation, nexthop objects included; null for what it does not send. */
    private static FpcMessage translate(RtnlObject o) {
        if (o instanceof Link l) {
            byte[] mac = l.mac() != null && l.mac().length == 6 ? l.mac() : new byte[0];
            return new FpcLink(true, VRF, l.ifindex(), l.name(), l.kind() == null ? "" : l.kind(), mac, l.mtu(),
                    l.flags(), l.operState(), l.master());
        }
        if (o instanceof Address a) return new FpcAddress(true, VRF, a.ifindex(), a.prefixLength(), a.address());
        if (o instanceof Neighbour n) {
            byte[] mac = n.lladdr() != null && n.lladdr().length == 6 ? n.lladdr() : new byte[0];
            boolean usable = mac.length == 6 && n.usableForForwarding();
            return new FpcNeighbour(usable, VRF, n.ifindex(), n.address(), n.state(), mac, n.isRouter());
        }
        if (o instanceof NexthopObject n && n.isGroup()) {
            List<FpcGroupMember> members = new ArrayList<>();
            for (NexthopGroupMember m : n.group()) members.add(new FpcGroupMember(m.id(), m.weight()));
            return new FpcNexthopGroup(true, VRF, n.id(), members);
        }
        if (o instanceof NexthopObject n) return new FpcNexthopObject(true, VRF, n.id(), n.ifindex(), n.gateway(), n.blackhole());
        if (o instanceof io.xdpgate.netlink.Route r && r.table() == 254) {
            FpcRouteType type = switch (r.type()) {
                case 1 -> FpcRouteType.UNICAST;
                case 2 -> FpcRouteType.LOCAL;
                case 6 -> FpcRouteType.BLACKHOLE;
                case 7 -> FpcRouteType.UNREACHABLE;
                case 8 -> FpcRouteType.PROHIBIT;
                default -> null;
            };
            if (type == null) return null;
            List<FpcNexthop> hops = new ArrayList<>();
            int nexthopId = type == FpcRouteType.UNICAST ? r.nhId() : 0;
            if (type == FpcRouteType.UNICAST && nexthopId == 0) {
                if (r.multipath().isEmpty()) hops.add(new FpcNexthop(r.oif(), r.gateway(), 1));
                for (RouteNexthop h : r.multipath()) hops.add(new FpcNexthop(h.ifindex(), h.gateway(), h.weight()));
            }
            return new FpcRoute(true, VRF, r.table(), r.dst(), r.dstLength(), type, hops, nexthopId);
        }
        return null;
    }
}
