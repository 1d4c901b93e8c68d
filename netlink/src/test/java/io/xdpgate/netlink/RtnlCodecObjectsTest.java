package io.xdpgate.netlink;

import static io.xdpgate.netlink.Rtnl.*;
import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Decoding of each rtnetlink object from hand-assembled messages. */
class RtnlCodecObjectsTest {
    private final List<RtnlEvent> events = new ArrayList<>();

    private ParseResult parse(NlBuilder m) throws NetlinkProtocolException {
        return RtnlCodec.parse(m.build(), events::add);
    }

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void linkCarriesNameKindMacMtuFlagsOperStateAndMaster() throws Exception {
        NlBuilder m = new NlBuilder().begin(RTM_NEWLINK, 0, 0, 0)
                .u8(AF_UNSPEC)                               // ifi_family
                .u8(0)                                       // __ifi_pad
                .u16(1)                                      // ifi_type ARPHRD_ETHER
                .u32(7)                                      // ifi_index
                .u32(IFF_UP | IFF_LOWER_UP | IFF_RUNNING)    // ifi_flags
                .u32(0)                                      // ifi_change
                .attrString(IFLA_IFNAME, "xgveth0")
                .attr(IFLA_ADDRESS, new byte[] {2, 0, 0, 0, 0, 9})
                .attrU32(IFLA_MTU, 1500)
                .attrU8(IFLA_OPERSTATE, IF_OPER_UP)
                .attrU32(IFLA_MASTER, 3)
                .attr(99, new byte[] {1, 2, 3});             // unknown attribute: skipped
        int info = m.open(IFLA_LINKINFO | NLA_F_NESTED);
        m.attrString(IFLA_INFO_KIND, "veth");
        m.close(info).end();

        ParseResult r = parse(m);

        assertEquals(1, r.messages());
        Link link = (Link) events.get(0).object();
        assertFalse(events.get(0).deleted());
        assertEquals(new Link(7, "xgveth0", "veth", new byte[] {2, 0, 0, 0, 0, 9}, 1500,
                IFF_UP | IFF_LOWER_UP | IFF_RUNNING, IF_OPER_UP, 3), link);
        assertTrue(link.isUp());
    }

    @Test
    void linkWithoutCarrierIsNotUp() {
        assertFalse(new Link(1, "x", null, null, 1500, IFF_UP, IF_OPER_DOWN, 0).isUp());
    }

    @Test
    void bridgePortMessagesAreIgnoredNotMistakenForLinkDeletes() throws Exception {
        NlBuilder m = new NlBuilder().begin(RTM_DELLINK, 0, 0, 0)
                .u8(AF_BRIDGE).u8(0).u16(1)  // ifi_family AF_BRIDGE, pad, ifi_type
                .u32(7).u32(0).u32(0)        // ifi_index, ifi_flags, ifi_change
                .attrU32(IFLA_MASTER, 3).end();

        ParseResult r = parse(m);

        assertTrue(events.isEmpty());
        assertEquals(1, r.ignored());
    }

    @Test
    void addressPrefersIfaLocalAndTakesIfaFlags() throws Exception {
        NlBuilder m = new NlBuilder().begin(RTM_NEWADDR, 0, 0, 0)
                .u8(AF_INET)           // ifa_family
                .u8(24)                // ifa_prefixlen
                .u8(IFA_F_SECONDARY)   // ifa_flags (8-bit copy)
                .u8(RT_SCOPE_UNIVERSE) // ifa_scope
                .u32(7)                // ifa_index
                .attrAddress(IFA_ADDRESS, "10.8.0.99")  // the peer on point-to-point links
                .attrAddress(IFA_LOCAL, "10.8.0.1")
                .attrString(IFA_LABEL, "xgveth0")
                .attrU32(IFA_FLAGS, IFA_F_SECONDARY | IFA_F_NOPREFIXROUTE)
                .end();

        parse(m);

        assertEquals(new Address(AF_INET, 7, 24, ip("10.8.0.1"), RT_SCOPE_UNIVERSE,
                IFA_F_SECONDARY | IFA_F_NOPREFIXROUTE), events.get(0).object());
    }

    @Test
    void ipv6AddressFallsBackToIfaAddress() throws Exception {
        NlBuilder m = new NlBuilder().begin(RTM_DELADDR, 0, 0, 0)
                .u8(AF_INET6).u8(64).u8(IFA_F_PERMANENT).u8(RT_SCOPE_LINK) // family, prefixlen, flags, scope
                .u32(4)                                                    // ifa_index
                .attrAddress(IFA_ADDRESS, "fe80::1").end();

        parse(m);

        assertTrue(events.get(0).deleted());
        assertEquals(new Address(AF_INET6, 4, 64, ip("fe80::1"), RT_SCOPE_LINK, IFA_F_PERMANENT),
                events.get(0).object());
    }

    /** struct rtmsg for the route tests. */
    private static NlBuilder rtmsg(NlBuilder m, int family, int dstLen, int table, int type, int flags) {
        return m.u8(family)        // rtm_family
                .u8(dstLen)         // rtm_dst_len
                .u8(0)              // rtm_src_len
                .u8(0)              // rtm_tos
                .u8(table)          // rtm_table
                .u8(RTPROT_STATIC)  // rtm_protocol
                .u8(RT_SCOPE_UNIVERSE) // rtm_scope
                .u8(type)           // rtm_type
                .u32(flags);        // rtm_flags
    }

    @Test
    void routeViaGatewayTakesTableFromRtaTable() throws Exception {
        NlBuilder m = rtmsg(new NlBuilder().begin(RTM_NEWROUTE, 0, 0, 0), AF_INET, 16, RT_TABLE_COMPAT, RTN_UNICAST, 0)
                .attrU32(RTA_TABLE, 1000)     // table ids above 255 only fit in RTA_TABLE
                .attrAddress(RTA_DST, "10.9.0.0")
                .attrAddress(RTA_GATEWAY, "10.8.0.2")
                .attrU32(RTA_OIF, 7)
                .attrU32(RTA_PRIORITY, 20)
                .end();

        parse(m);

        assertEquals(new Route(AF_INET, 1000, RTN_UNICAST, RTPROT_STATIC, RT_SCOPE_UNIVERSE, 16, ip("10.9.0.0"),
                ip("10.8.0.2"), 7, 20, List.of(), 0), events.get(0).object());
    }

    @Test
    void defaultRouteWithoutRtaDstHasAnyAddress() throws Exception {
        NlBuilder m = rtmsg(new NlBuilder().begin(RTM_DELROUTE, 0, 0, 0), AF_INET6, 0, RT_TABLE_MAIN, RTN_UNICAST, 0)
                .attrU32(RTA_NH_ID, 42).end();

        parse(m);

        Route route = (Route) events.get(0).object();
        assertTrue(events.get(0).deleted());
        assertEquals(ip("::"), route.dst());
        assertNull(route.gateway());
        assertEquals(42, route.nhId());
        assertEquals(RT_TABLE_MAIN, route.table());
    }

    @Test
    void multipathRouteListsEveryPathWithWeight() throws Exception {
        NlBuilder m = rtmsg(new NlBuilder().begin(RTM_NEWROUTE, 0, 0, 0), AF_INET, 8, RT_TABLE_MAIN, RTN_UNICAST, 0)
                .attrAddress(RTA_DST, "10.0.0.0");
        int mp = m.open(RTA_MULTIPATH);
        int p1 = m.rtnh(0, 0, 7);                    // weight 1 on ifindex 7
        m.attrAddress(RTA_GATEWAY, "10.8.0.2").close(p1);
        int p2 = m.rtnh(0, 2, 8);                    // weight 3 on ifindex 8, via an IPv6 next hop (RTA_VIA)
        byte[] via = ByteBuffer.allocate(18).order(java.nio.ByteOrder.nativeOrder())
                .putShort((short) AF_INET6)              // rtvia_family
                .put(NlBuilder.ip("fe80::2"))            // rtvia_addr
                .array();
        m.attr(RTA_VIA, via).close(p2);
        m.close(mp).end();

        parse(m);

        Route route = (Route) events.get(0).object();
        assertEquals(List.of(new RouteNexthop(7, ip("10.8.0.2"), 1), new RouteNexthop(8, ip("fe80::2"), 3)),
                route.multipath());
        assertEquals(0, route.oif());
    }

    @Test
    void clonedRoutesAreTheCacheAndIgnored() throws Exception {
        NlBuilder m = rtmsg(new NlBuilder().begin(RTM_NEWROUTE, 0, 0, 0), AF_INET6, 128, RT_TABLE_MAIN, RTN_UNICAST,
                RTM_F_CLONED).attrAddress(RTA_DST, "2001:db8::1").end();

        assertEquals(1, parse(m).ignored());
        assertTrue(events.isEmpty());
    }

    @Test
    void neighbourCarriesLladdrStateAndFlags() throws Exception {
        NlBuilder m = new NlBuilder().begin(RTM_NEWNEIGH, 0, 0, 0)
                .u8(AF_INET)          // ndm_family
                .u8(0).u16(0)         // ndm_pad1, ndm_pad2
                .u32(7)               // ndm_ifindex
                .u16(NUD_REACHABLE)   // ndm_state
                .u8(NTF_ROUTER)       // ndm_flags
                .u8(RTN_UNICAST)      // ndm_type
                .attrAddress(NDA_DST, "10.8.0.3")
                .attr(NDA_LLADDR, new byte[] {2, 0, 0, 0, 0, 3})
                .end();

        parse(m);

        Neighbour n = (Neighbour) events.get(0).object();
        assertEquals(new Neighbour(AF_INET, 7, ip("10.8.0.3"), new byte[] {2, 0, 0, 0, 0, 3}, NUD_REACHABLE,
                NTF_ROUTER), n);
        assertTrue(n.isRouter());
        assertTrue(n.usableForForwarding());
    }

    @Test
    void bridgeFdbEntriesAreIgnored() throws Exception {
        NlBuilder m = new NlBuilder().begin(RTM_NEWNEIGH, 0, 0, 0)
                .u8(AF_BRIDGE).u8(0).u16(0).u32(7)       // family, pads, ifindex
                .u16(NUD_PERMANENT).u8(NTF_SELF).u8(0)   // state, flags, type
                .attr(NDA_LLADDR, new byte[] {2, 0, 0, 0, 0, 3}).end();

        assertEquals(1, parse(m).ignored());
        assertTrue(events.isEmpty());
    }

    @Test
    void aVxlanDevicesDefaultFdbRemoteIsKeptAsAnAfBridgeNeighbour() throws Exception {
        // bridge fdb append 00:00:00:00:00:00 dev vx0 dst 10.201.1.2
        NlBuilder m = new NlBuilder().begin(RTM_NEWNEIGH, 0, 0, 0)
                .u8(AF_BRIDGE).u8(0).u16(0).u32(9)       // family, pads, ifindex
                .u16(NUD_PERMANENT).u8(NTF_SELF).u8(0)   // state, flags, type
                .attr(NDA_LLADDR, new byte[6]).attr(NDA_DST, new byte[] {10, (byte) 201, 1, 2}).end();

        parse(m);

        assertEquals(1, events.size());
        Neighbour n = (Neighbour) events.get(0).object();
        assertEquals(AF_BRIDGE, n.family());
        assertEquals(9, n.ifindex());
        assertEquals(ip("10.201.1.2"), n.address(), "the remote endpoint");
    }

    @Test
    void anFdbEntryForOneMacIsIgnoredEvenWithADestination() throws Exception {
        NlBuilder m = new NlBuilder().begin(RTM_NEWNEIGH, 0, 0, 0)
                .u8(AF_BRIDGE).u8(0).u16(0).u32(9)
                .u16(NUD_REACHABLE).u8(NTF_SELF).u8(0)
                .attr(NDA_LLADDR, new byte[] {2, 0, 0, 0, 0, 3}).attr(NDA_DST, new byte[] {10, (byte) 201, 1, 2}).end();

        assertEquals(1, parse(m).ignored());
        assertTrue(events.isEmpty());
    }

    @Test
    void neighbourUsabilityFollowsStateAndLladdr() throws Exception {
        byte[] mac = {2, 0, 0, 0, 0, 3};
        InetAddress a = ip("10.8.0.3");
        for (int state : new int[] {NUD_REACHABLE, NUD_STALE, NUD_DELAY, NUD_PROBE, NUD_PERMANENT, NUD_NOARP}) {
            assertTrue(new Neighbour(AF_INET, 1, a, mac, state, 0).usableForForwarding(), "state " + state);
        }
        for (int state : new int[] {NUD_INCOMPLETE, NUD_FAILED, NUD_NONE}) {
            assertFalse(new Neighbour(AF_INET, 1, a, mac, state, 0).usableForForwarding(), "state " + state);
        }
        assertFalse(new Neighbour(AF_INET, 1, a, null, NUD_REACHABLE, 0).usableForForwarding());
        assertFalse(new Neighbour(AF_INET, 1, a, new byte[6], NUD_PERMANENT, 0).usableForForwarding());
        byte[] broadcast = {-1, -1, -1, -1, -1, -1};
        assertFalse(new Neighbour(AF_INET, 1, a, broadcast, NUD_PERMANENT, 0).usableForForwarding());
    }

    @Test
    void recordsCopyTheirMacArrays() {
        byte[] mac = {2, 0, 0, 0, 0, 3};
        Link link = new Link(1, "x", null, mac, 1500, 0, 0, 0);
        mac[0] = 9;
        link.mac()[1] = 9;
        assertArrayEquals(new byte[] {2, 0, 0, 0, 0, 3}, link.mac());
    }

    @Test
    void parseLeavesTheBufferPositionAlone() throws Exception {
        ByteBuffer b = new NlBuilder().begin(NLMSG_DONE, NLM_F_MULTI, 1, 2).u32(0).end().build();
        RtnlCodec.parse(b, events::add);
        assertEquals(0, b.position());
    }
}
