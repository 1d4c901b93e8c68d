package io.xdpgate.netlink;

import static io.xdpgate.netlink.Rtnl.*;
import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every object the codec dumps agrees with what iproute2 (`ip -j ...`) prints for it, in a namespace filled
 * with real `ip` commands: veth, bridge and VXLAN links, IPv4 and IPv6 addresses, routes of every common type
 * in several tables, neighbours, nexthop objects and groups (needs root).
 */
class RtnlIproute2AgreementPrivilegedTest {
    private static TestNamespace ns;
    private static TestNamespace peer;

    @BeforeAll
    static void build() throws Exception {
        Privileged.requireRoot();
        ns = new TestNamespace();
        try {
            peer = new TestNamespace();
            ns.batch(List.of(
                    "link set lo up",
                    "link add xgva type veth peer name xgvb",
                    "link set xgva address 02:00:00:00:0a:01",
                    "link set xgva up",
                    "link set xgvb up mtu 1400",
                    "link add xgbr type bridge",
                    "link set xgbr up",
                    "link add xgvc type veth peer name xgvd",
                    "link set xgvd master xgbr",
                    "link set xgvd up",
                    "link add xgve type veth peer name xgvf netns " + peer.name,
                    "addr add 10.8.0.1/24 dev xgva",
                    "addr add 10.8.1.1/24 dev xgva",
                    "addr add 10.7.0.1/16 dev xgbr",
                    "addr add 2001:db8:8::1/64 dev xgva nodad",
                    // VXLAN devices stay down: no traffic, so no neighbour resolution races the comparison.
                    "link add xgvx type vxlan id 42 local 10.8.0.1 remote 10.8.0.9 dstport 4789 dev xgva ttl 64",
                    "link add xgvy type vxlan id 43 group 239.1.1.1 dev xgva dstport 0 nolearning",
                    "link add xgvz type vxlan id 44 local 2001:db8:8::1 remote 2001:db8:8::9 dstport 4790",
                    "nexthop add id 1 via 10.8.0.2 dev xgva",
                    "nexthop add id 2 via 10.8.0.3 dev xgva proto static",
                    "nexthop add id 3 dev xgva",
                    "nexthop add id 4 blackhole",
                    "nexthop add id 5 via 2001:db8:8::2 dev xgva",
                    "nexthop add id 6 via 10.8.1.9 dev xgva onlink",
                    "nexthop add id 10 group 1,3/2,5",
                    "nexthop add id 11 group 1/2 type resilient buckets 8",
                    "route add 10.9.0.0/16 via 10.8.0.2 metric 20 table 1000",
                    "route add 10.11.0.0/16 dev xgva",
                    "route add blackhole 10.12.0.0/16",
                    "route add unreachable 10.13.0.0/16 metric 5",
                    "route add prohibit 10.14.0.0/16 table 1001",
                    "route add 10.10.0.0/16 nexthop via 10.8.0.2 weight 1 nexthop via 10.8.0.3 weight 3",
                    "route add 10.20.0.0/16 nhid 10",
                    "route add 10.21.0.0/16 nhid 4",
                    "route add default via 10.8.0.254 proto static",
                    "route add 2001:db8:9::/48 via 2001:db8:8::2 metric 7",
                    "route add 2001:db8:a::/48 nhid 5",
                    "route add blackhole 2001:db8:b::/48",
                    "route add 2001:db8:c::/48 nexthop via 2001:db8:8::2 weight 2 nexthop via 2001:db8:8::3 weight 4",
                    "route add 2001:db8:d::/48 via 2001:db8:8::2 table 1000",
                    "neigh add 10.8.0.3 lladdr 02:00:5e:00:00:03 dev xgva nud permanent",
                    "neigh replace 10.8.0.2 lladdr 02:00:5e:00:00:02 dev xgva nud reachable",
                    "neigh add 2001:db8:8::2 lladdr 02:00:5e:00:00:12 dev xgva nud permanent"));
        } catch (Exception | Error e) {
            cleanUp();
            throw e;
        }
    }

    @AfterAll
    static void cleanUp() throws Exception {
        try {
            if (peer != null) {
                peer.close();
            }
        } finally {
            if (ns != null) {
                ns.close();
            }
            peer = null;
            ns = null;
        }
    }

    /** The codec's view: one dump per type, as the monitor makes them. */
    private static List<RtnlObject> dump(int type, int... families) throws Exception {
        return NetworkNamespace.call(ns.name, () -> {
            List<RtnlObject> objects = new ArrayList<>();
            try (NetlinkSocket s = NetlinkSocket.open(1 << 20)) {
                RtnlDumper dumper = new RtnlDumper(s, new NetlinkMessageCounter(), () -> false);
                for (int family : families) {
                    assertFalse(dumper.dump(type, family, e -> objects.add(e.object())), "NLM_F_DUMP_INTR");
                }
            }
            return objects;
        });
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> of(List<RtnlObject> objects, Class<T> type) {
        return (List<T>) objects.stream().filter(type::isInstance).toList();
    }

    private static List<Map<String, Object>> ipJson(String... args) throws Exception {
        return Json.array(ns.ip(args));
    }

    private static Map<String, Integer> ifindexByName() throws Exception {
        Map<String, Integer> byName = new HashMap<>();
        for (Map<String, Object> l : ipJson("-j", "link")) {
            byName.put((String) l.get("ifname"), num(l.get("ifindex")));
        }
        return byName;
    }

    private static int num(Object o) {
        return o instanceof Long l ? l.intValue() : Integer.parseInt((String) o);
    }

    private static InetAddress ip(Object s) throws Exception {
        return InetAddress.getByName((String) s);
    }

    private static byte[] mac(Object s) {
        return s == null ? null : HexFormat.ofDelimiter(":").parseHex((String) s);
    }

    private static final Map<String, Integer> OPER_STATES = Map.of("UNKNOWN", IF_OPER_UNKNOWN, "NOTPRESENT",
            IF_OPER_NOTPRESENT, "DOWN", IF_OPER_DOWN, "LOWERLAYERDOWN", IF_OPER_LOWERLAYERDOWN, "TESTING",
            IF_OPER_TESTING, "DORMANT", IF_OPER_DORMANT, "UP", IF_OPER_UP);
    private static final Map<String, Integer> LINK_FLAGS = Map.of("UP", IFF_UP, "BROADCAST", IFF_BROADCAST,
            "LOOPBACK", IFF_LOOPBACK, "NOARP", IFF_NOARP, "MULTICAST", IFF_MULTICAST, "LOWER_UP", IFF_LOWER_UP,
            "POINTOPOINT", IFF_POINTOPOINT, "MASTER", IFF_MASTER, "SLAVE", IFF_SLAVE);

    @Test
    void linksAgreeWithIpLink() throws Exception {
        List<Link> links = of(dump(RTM_GETLINK, AF_UNSPEC), Link.class);
        Map<String, Integer> index = ifindexByName();
        List<Map<String, Object>> json = ipJson("-j", "link");
        assertEquals(json.size(), links.size());
        for (Map<String, Object> j : json) {
            int ifindex = num(j.get("ifindex"));
            Link l = links.stream().filter(x -> x.ifindex() == ifindex).findFirst().orElseThrow();
            String what = "link " + j.get("ifname");
            assertEquals(j.get("ifname"), l.name(), what);
            assertEquals(num(j.get("mtu")), l.mtu(), what);
            assertArrayEquals(mac(j.get("address")), l.mac(), what);
            assertEquals(OPER_STATES.get((String) j.get("operstate")), l.operState(), what);
            Set<String> flags = new TreeSet<>(((List<?>) j.get("flags")).stream().map(Object::toString).toList());
            for (Map.Entry<String, Integer> f : LINK_FLAGS.entrySet()) {
                assertEquals(flags.contains(f.getKey()), (l.flags() & f.getValue()) != 0, what + " flag " + f.getKey());
            }
            assertEquals(j.containsKey("master") ? index.get((String) j.get("master")) : 0, l.master(), what);
            if (j.containsKey("link")) {            // the peer, in this namespace
                assertEquals(index.get((String) j.get("link")), l.link(), what);
                assertEquals(-1, l.linkNetnsid(), what);
            } else if (j.containsKey("link_index")) { // the peer, in the namespace link_netnsid names
                assertEquals(num(j.get("link_index")), l.link(), what);
                assertEquals(num(j.get("link_netnsid")), l.linkNetnsid(), what);
            } else {
                assertEquals(0, l.link(), what);
            }
        }
        assertTrue(links.stream().anyMatch(l -> l.linkNetnsid() >= 0), "the veth into the peer namespace");
    }

    @Test
    void vxlanParametersAgreeWithIpDetailedLink() throws Exception {
        List<Link> links = of(dump(RTM_GETLINK, AF_UNSPEC), Link.class);
        Map<String, Integer> index = ifindexByName();
        for (String name : List.of("xgvx", "xgvy", "xgvz")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> data = (Map<String, Object>) ((Map<String, Object>) ipJson("-j", "-d", "link", "show",
                    "dev", name).get(0).get("linkinfo")).get("info_data");
            VxlanInfo v = links.stream().filter(l -> name.equals(l.name())).findFirst().orElseThrow().vxlan();
            assertNotNull(v, name);
            assertEquals(num(data.get("id")), v.vni(), name);
            assertEquals(num(data.get("port")), v.port(), name);
            Object local = data.containsKey("local") ? data.get("local") : data.get("local6");
            assertEquals(local == null ? null : ip(local), v.local(), name);
            Object group = data.get("remote") != null ? data.get("remote") : data.get("remote6") != null
                    ? data.get("remote6") : data.get("group") != null ? data.get("group") : data.get("group6");
            assertEquals(group == null ? null : ip(group), v.group(), name);
            assertEquals(data.containsKey("link") ? index.get((String) data.get("link")) : 0, v.underlayIfindex(), name);
            assertEquals(num(data.get("ttl")), v.ttl(), name);
            assertEquals(data.get("learning"), v.learning(), name);
        }
        assertEquals(8472, links.stream().filter(l -> "xgvy".equals(l.name())).findFirst().orElseThrow().vxlan().port(),
                "dstport 0: the kernel's default");
    }

    private static final Map<String, Integer> SCOPES = Map.of("global", RT_SCOPE_UNIVERSE, "site", RT_SCOPE_SITE,
            "link", RT_SCOPE_LINK, "host", RT_SCOPE_HOST, "nowhere", RT_SCOPE_NOWHERE);

    @Test
    void addressesAgreeWithIpAddr() throws Exception {
        List<Address> addresses = of(dump(RTM_GETADDR, AF_INET, AF_INET6), Address.class);
        int count = 0;
        for (Map<String, Object> link : ipJson("-j", "addr")) {
            for (Object o : (List<?>) link.get("addr_info")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> a = (Map<String, Object>) o;
                count++;
                Address expected = new Address("inet".equals(a.get("family")) ? AF_INET : AF_INET6,
                        num(link.get("ifindex")), num(a.get("prefixlen")), ip(a.get("local")),
                        SCOPES.get((String) a.get("scope")), 0);
                assertTrue(addresses.stream().anyMatch(x -> x.family() == expected.family()
                        && x.ifindex() == expected.ifindex() && x.prefixLength() == expected.prefixLength()
                        && x.address().equals(expected.address()) && x.scope() == expected.scope()),
                        "ip addr lists " + expected + "; codec: " + addresses);
            }
        }
        assertEquals(count, addresses.size());
    }

    private static final Map<String, Integer> ROUTE_TYPES = Map.of("unicast", RTN_UNICAST, "local", RTN_LOCAL,
            "broadcast", RTN_BROADCAST, "anycast", RTN_ANYCAST, "multicast", RTN_MULTICAST, "blackhole",
            RTN_BLACKHOLE, "unreachable", RTN_UNREACHABLE, "prohibit", RTN_PROHIBIT, "throw", RTN_THROW);
    private static final Map<String, Integer> PROTOCOLS = Map.of("unspec", RTPROT_UNSPEC, "redirect",
            RTPROT_REDIRECT, "kernel", RTPROT_KERNEL, "boot", RTPROT_BOOT, "static", RTPROT_STATIC);

    private static int table(Object t) {
        return t == null ? RT_TABLE_MAIN : "main".equals(t) ? RT_TABLE_MAIN : "local".equals(t) ? RT_TABLE_LOCAL
                : Integer.parseInt((String) t);
    }

    private static int protocol(Object p) {
        // iproute2 leaves out "boot", the protocol of routes added without one.
        return p == null ? RTPROT_BOOT : PROTOCOLS.getOrDefault((String) p, -1);
    }

    @Test
    void routesAgreeWithIpRouteShowTableAll() throws Exception {
        // The kernel adds a local route for each IPv6 link-local address once its duplicate address
        // detection ends, about a second after its link came up: between the codec's dump and ip's.
        untilTheyAgree(5, 500, this::compareRoutes);
    }

    private interface Comparison {
        void run() throws Exception;
    }

    /** Runs the comparison up to {@code attempts} times, {@code pauseMillis} apart, until it passes; else its last failure. */
    private static void untilTheyAgree(int attempts, long pauseMillis, Comparison comparison) throws Exception {
        AssertionError last = null;
        for (int attempt = 0; attempt < attempts; attempt++) {
            try {
                comparison.run();
                return;
            } catch (AssertionError e) {
                last = e;
                Thread.sleep(pauseMillis);
            }
        }
        throw last;
    }

    private void compareRoutes() throws Exception {
        List<Route> routes = of(dump(RTM_GETROUTE, AF_INET, AF_INET6), Route.class);
        Map<String, Integer> index = ifindexByName();
        List<Map<String, Object>> json = ipJson("-j", "route", "show", "table", "all");
        assertEquals(json.size(), routes.size(), "ip lists " + json.size() + " routes, the codec " + routes.size());
        assertEquals(ipJson("-6", "-j", "route", "show", "table", "all").size(),
                routes.stream().filter(r -> r.family() == AF_INET6).count());
        for (Map<String, Object> j : json) {
            String dst = (String) j.get("dst");
            boolean v6 = dst.contains(":");
            InetAddress prefix = "default".equals(dst) ? null : ip(dst.split("/")[0]);
            int length = "default".equals(dst) ? 0 : dst.contains("/") ? Integer.parseInt(dst.split("/")[1]) : v6 ? 128 : 32;
            int table = table(j.get("table"));
            int metric = j.containsKey("metric") ? num(j.get("metric")) : 0;
            int oif = j.containsKey("dev") ? index.get((String) j.get("dev")) : 0;
            String what = "route " + j;
            List<Route> matches = routes.stream().filter(r -> r.family() == (v6 ? AF_INET6 : AF_INET)
                    && r.table() == table && r.dstLength() == length && r.priority() == metric && r.oif() == oif
                    && (prefix == null ? r.dst().isAnyLocalAddress() : r.dst().equals(prefix))).toList();
            assertEquals(1, matches.size(), what + " matches " + matches);
            Route r = matches.get(0);
            assertEquals(ROUTE_TYPES.get((String) j.getOrDefault("type", "unicast")), r.type(), what);
            assertEquals(protocol(j.get("protocol")), r.protocol(), what);
            assertEquals(j.containsKey("scope") ? SCOPES.get((String) j.get("scope")) : RT_SCOPE_UNIVERSE, r.scope(), what);
            assertEquals(j.containsKey("gateway") ? ip(j.get("gateway")) : null, r.gateway(), what);
            assertEquals(j.containsKey("nhid") ? num(j.get("nhid")) : 0, r.nhId(), what);
            List<RouteNexthop> paths = new ArrayList<>();
            if (j.get("nexthops") instanceof List<?> hops) {
                for (Object o : hops) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> h = (Map<String, Object>) o;
                    paths.add(new RouteNexthop(index.get((String) h.get("dev")),
                            h.containsKey("gateway") ? ip(h.get("gateway")) : null,
                            h.containsKey("weight") ? num(h.get("weight")) : 1));
                }
            }
            assertEquals(paths, r.multipath(), what);
        }
        assertTrue(routes.stream().anyMatch(r -> r.table() == 1000 && r.priority() == 20));
        assertTrue(routes.stream().anyMatch(r -> r.type() == RTN_PROHIBIT && r.table() == 1001));
    }

    private static final Map<String, Integer> NUD = Map.of("INCOMPLETE", NUD_INCOMPLETE, "REACHABLE", NUD_REACHABLE,
            "STALE", NUD_STALE, "DELAY", NUD_DELAY, "PROBE", NUD_PROBE, "FAILED", NUD_FAILED, "NOARP", NUD_NOARP,
            "PERMANENT", NUD_PERMANENT);

    @Test
    void neighboursAgreeWithIpNeigh() throws Exception {
        untilTheyAgree(3, 200, this::compareNeighbours); // a neighbour may change state between the two reads
    }

    private void compareNeighbours() throws Exception {
        List<Neighbour> neighbours = of(dump(RTM_GETNEIGH, AF_INET, AF_INET6), Neighbour.class);
        List<Map<String, Object>> json = ipJson("-j", "neigh");
        Map<String, Integer> index = ifindexByName();
        // `ip neigh` leaves out NOARP entries unless asked.
        List<Neighbour> shown = neighbours.stream().filter(n -> (n.state() & NUD_NOARP) == 0).toList();
        assertEquals(json.size(), shown.size(), "ip: " + json + "; codec: " + shown);
        for (Map<String, Object> j : json) {
            int state = ((List<?>) j.get("state")).stream().mapToInt(s -> NUD.get((String) s)).reduce(0, (a, b) -> a | b);
            InetAddress dst = ip(j.get("dst"));
            Neighbour n = shown.stream().filter(x -> x.address().equals(dst) && x.ifindex() == index.get((String) j.get("dev")))
                    .findFirst().orElseThrow(() -> new AssertionError("no neighbour " + j));
            assertEquals(state, n.state(), "neighbour " + j);
            assertArrayEquals(mac(j.get("lladdr")), n.lladdr(), "neighbour " + j);
            assertEquals(j.containsKey("router"), n.isRouter(), "neighbour " + j);
        }
        assertTrue(shown.stream().anyMatch(n -> n.state() == NUD_REACHABLE && n.usableForForwarding()));
    }

    private static final Map<String, Integer> NH_FLAGS = Map.of("dead", RTNH_F_DEAD, "onlink", RTNH_F_ONLINK,
            "linkdown", RTNH_F_LINKDOWN, "offload", RTNH_F_OFFLOAD);

    @Test
    void nexthopObjectsAgreeWithIpNexthop() throws Exception {
        List<NexthopObject> nexthops = of(dump(RTM_GETNEXTHOP, AF_UNSPEC), NexthopObject.class);
        Map<String, Integer> index = ifindexByName();
        List<Map<String, Object>> json = ipJson("-j", "nexthop");
        assertEquals(json.size(), nexthops.size());
        for (Map<String, Object> j : json) {
            String what = "nexthop " + j;
            int id = num(j.get("id"));
            NexthopObject nh = nexthops.stream().filter(x -> x.id() == id).findFirst().orElseThrow();
            assertEquals(j.containsKey("dev") ? index.get((String) j.get("dev")) : 0, nh.ifindex(), what);
            assertEquals(j.containsKey("gateway") ? ip(j.get("gateway")) : null, nh.gateway(), what);
            assertEquals(j.containsKey("blackhole"), nh.blackhole(), what);
            assertEquals(j.containsKey("protocol") ? PROTOCOLS.get((String) j.get("protocol")) : RTPROT_UNSPEC,
                    nh.protocol(), what);
            int flags = ((List<?>) j.get("flags")).stream().mapToInt(f -> NH_FLAGS.get((String) f)).reduce(0, (a, b) -> a | b);
            assertEquals(flags, nh.flags() & (RTNH_F_DEAD | RTNH_F_ONLINK | RTNH_F_LINKDOWN | RTNH_F_OFFLOAD), what);
            List<NexthopGroupMember> group = new ArrayList<>();
            if (j.get("group") instanceof List<?> members) {
                for (Object o : members) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = (Map<String, Object>) o;
                    group.add(new NexthopGroupMember(num(m.get("id")), m.containsKey("weight") ? num(m.get("weight")) : 1));
                }
            }
            assertEquals(group, nh.group(), what);
        }
        assertEquals(Set.of(1, 2, 3, 4, 5, 6, 10, 11), nexthops.stream().map(NexthopObject::id).collect(Collectors.toSet()));
    }
}
