package io.xdpgate.netlink;

import static io.xdpgate.netlink.Rtnl.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bytes the kernel really sent for real `ip` commands (see golden/ip-commands.txt, golden/ip-commands-objects.txt
 * and GoldenCapture).
 */
class RtnlCodecGoldenTest {
    private static final int XGVA = 3;
    private static Map<String, List<byte[]>> datagrams;

    @BeforeAll
    static void load() throws IOException {
        datagrams = new LinkedHashMap<>();
        GoldenDatagrams.read("/golden/ip-commands.txt", datagrams);
        GoldenDatagrams.read("/golden/ip-commands-objects.txt", datagrams);
    }

    private static List<RtnlEvent> parse(String command) throws NetlinkProtocolException {
        // Recorded on a little-endian machine; netlink is host byte order.
        Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "recorded little endian");
        List<RtnlEvent> events = new ArrayList<>();
        for (byte[] d : datagrams.get(command)) {
            RtnlCodec.parse(ByteBuffer.wrap(d).order(ByteOrder.nativeOrder()), events::add);
        }
        return events;
    }

    private static InetAddress ip(String s) throws IOException {
        return InetAddress.getByName(s);
    }

    @Test
    void routeInTable1000WithMetric() throws Exception {
        List<RtnlEvent> events = parse("ip route add 10.9.0.0/16 via 10.8.0.2 metric 20 table 1000");
        assertEquals(List.of(new RtnlEvent(false, new Route(AF_INET, 1000, RTN_UNICAST, RTPROT_BOOT,
                RT_SCOPE_UNIVERSE, 16, ip("10.9.0.0"), ip("10.8.0.2"), XGVA, 20, List.of(), 0))), events);
    }

    @Test
    void weightedMultipathRoute() throws Exception {
        List<RtnlEvent> events = parse(
                "ip route add 10.10.0.0/16 nexthop via 10.8.0.2 weight 1 nexthop via 10.8.0.3 weight 3");
        Route route = (Route) events.get(0).object();
        assertEquals(RT_TABLE_MAIN, route.table());
        assertEquals(ip("10.10.0.0"), route.dst());
        assertNull(route.gateway());
        assertEquals(List.of(new RouteNexthop(XGVA, ip("10.8.0.2"), 1), new RouteNexthop(XGVA, ip("10.8.0.3"), 3)),
                route.multipath());
    }

    @Test
    void permanentNeighbour() throws Exception {
        List<RtnlEvent> events = parse("ip neigh add 10.8.0.3 lladdr 02:00:5e:00:00:03 dev xgva nud permanent");
        assertEquals(List.of(new RtnlEvent(false, new Neighbour(AF_INET, XGVA, ip("10.8.0.3"),
                new byte[] {2, 0, 0x5e, 0, 0, 3}, NUD_PERMANENT, 0))), events);
    }

    @Test
    void addressAndTheRoutesTheKernelAddsForIt() throws Exception {
        List<RtnlEvent> events = parse("ip addr add 10.8.1.1/24 dev xgva");
        assertEquals(new Address(AF_INET, XGVA, 24, ip("10.8.1.1"), RT_SCOPE_UNIVERSE, IFA_F_PERMANENT),
                events.get(0).object());
        // local 10.8.1.1 (table local), 10.8.1.0/24 proto kernel scope link (main), broadcast 10.8.1.255 (local)
        List<Route> routes = events.stream().skip(1).map(e -> (Route) e.object()).toList();
        assertEquals(3, routes.size());
        assertEquals(RTN_LOCAL, routes.get(0).type());
        assertEquals(RT_TABLE_LOCAL, routes.get(0).table());
        assertEquals(RTPROT_KERNEL, routes.get(1).protocol());
        assertEquals(RT_SCOPE_LINK, routes.get(1).scope());
        assertEquals(ip("10.8.1.0"), routes.get(1).dst());
        assertEquals(RTN_BROADCAST, routes.get(2).type());
    }

    @Test
    void nexthopObjectWithGatewayAndDevice() throws Exception {
        assertEquals(List.of(new RtnlEvent(false, new NexthopObject(1, AF_INET, XGVA, ip("10.8.0.2"), false, List.of(),
                RTPROT_UNSPEC, 0))), parse("ip nexthop add id 1 via 10.8.0.2 dev xgva"));
        assertEquals(RTPROT_STATIC, ((NexthopObject) parse("ip nexthop add id 2 via 10.8.0.3 dev xgva proto static")
                .get(0).object()).protocol());
    }

    @Test
    void blackholeNexthopObject() throws Exception {
        assertEquals(List.of(new RtnlEvent(false, new NexthopObject(4, AF_INET, 0, null, true, List.of(), RTPROT_UNSPEC,
                0))), parse("ip nexthop add id 4 blackhole"));
    }

    @Test
    void nexthopGroupWithWeightsAddedAndDeleted() throws Exception {
        List<NexthopGroupMember> members = List.of(new NexthopGroupMember(1, 3), new NexthopGroupMember(2, 255));
        assertEquals(List.of(new RtnlEvent(false, new NexthopObject(10, AF_UNSPEC, 0, null, false, members,
                RTPROT_UNSPEC, 0))), parse("ip nexthop add id 10 group 1,3/2,255"));
        List<RtnlEvent> deleted = parse("ip nexthop del id 10");
        assertEquals(1, deleted.size());
        assertTrue(deleted.get(0).deleted());
        assertEquals(members, ((NexthopObject) deleted.get(0).object()).group());
    }

    @Test
    void routeViaANexthopGroupCarriesTheIdAndTheExpandedPaths() throws Exception {
        Route route = (Route) parse("ip route add 10.20.0.0/16 nhid 10").get(0).object();
        assertEquals(10, route.nhId());
        assertEquals(List.of(new RouteNexthop(XGVA, ip("10.8.0.2"), 3), new RouteNexthop(XGVA, ip("10.8.0.3"), 255)),
                route.multipath());
    }

    private static Link link(String command, String name) throws Exception {
        return parse(command).stream().map(e -> (Link) e.object()).filter(l -> name.equals(l.name())).findFirst()
                .orElseThrow(() -> new AssertionError("no link " + name + " for " + command));
    }

    @Test
    void vxlanLinkWithLocalRemotePortUnderlayAndTtl() throws Exception {
        Link l = link("ip link add xgvx type vxlan id 42 local 10.8.0.1 remote 10.8.0.9 dstport 4789 dev xgva ttl 64",
                "xgvx");
        assertEquals("vxlan", l.kind());
        assertEquals(new VxlanInfo(42, ip("10.8.0.1"), ip("10.8.0.9"), 4789, XGVA, 64, true), l.vxlan());
        assertEquals(1450, l.mtu());
        assertEquals(0, l.link(), "a vxlan device has no IFLA_LINK of its own");
    }

    @Test
    void vxlanWithoutADestinationPortGetsTheKernelDefault8472() throws Exception {
        Link l = link("ip link add xgvy type vxlan id 43 group 239.1.1.1 dev xgva nolearning", "xgvy");
        assertEquals(new VxlanInfo(43, null, ip("239.1.1.1"), 8472, XGVA, 0, false), l.vxlan());
    }

    @Test
    void vethIntoAnotherNamespaceAnnouncesTheNamespaceIdAndTheLinkNamesIt() throws Exception {
        List<RtnlEvent> events = parse("ip link add xgve type veth peer name xgvf netns PEER");
        assertEquals(new RtnlEvent(false, new NetnsId(0, -1, -1)), events.get(0));
        Link xgve = (Link) events.get(1).object();
        assertEquals("xgve", xgve.name());
        assertEquals("veth", xgve.kind());
        assertEquals(0, xgve.linkNetnsid());
        assertEquals(2, xgve.link(), "xgvf is the first link created in the empty peer namespace (after lo)");
        assertNull(xgve.vxlan());
    }
}
