package io.xdpgate.netlink;

import static io.xdpgate.netlink.Rtnl.*;
import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Nexthop objects, namespace ids and VXLAN link parameters, from hand-assembled messages. */
class RtnlCodecNexthopNsidVxlanTest {
    private final List<RtnlEvent> events = new ArrayList<>();

    private ParseResult parse(NlBuilder m) throws NetlinkProtocolException {
        return RtnlCodec.parse(m.build(), events::add);
    }

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    static NlBuilder nhmsg(NlBuilder m, int type, int family, int protocol, int flags) {
        return m.begin(type, 0, 0, 0)
                .u8(family)          // nh_family
                .u8(RT_SCOPE_LINK)   // nh_scope
                .u8(protocol)        // nh_protocol
                .u8(0)               // resvd
                .u32(flags);         // nh_flags
    }

    /** struct nexthop_grp entries: id, weight - 1 split into low and high byte, resvd2. */
    static byte[] group(int... idWeight) {
        ByteBuffer g = ByteBuffer.allocate(idWeight.length * 4).order(ByteOrder.nativeOrder());
        for (int i = 0; i < idWeight.length; i += 2) {
            int w = idWeight[i + 1] - 1;
            g.putInt(idWeight[i]);          // id
            g.put((byte) (w & 0xff));       // weight
            g.put((byte) (w >> 8));         // weight_high
            g.putShort((short) 0);          // resvd2
        }
        return g.array();
    }

    @Test
    void singleNexthopObjectCarriesIdDeviceGatewayProtocolAndFlags() throws Exception {
        NlBuilder m = nhmsg(new NlBuilder(), RTM_NEWNEXTHOP, AF_INET, RTPROT_STATIC, RTNH_F_ONLINK)
                .attrU32(NHA_ID, 7)
                .attrU32(NHA_OIF, 3)
                .attrAddress(NHA_GATEWAY, "10.8.0.2")
                .attr(99, new byte[] {1})             // unknown attribute: skipped
                .end();

        parse(m);

        assertEquals(List.of(new RtnlEvent(false, new NexthopObject(7, AF_INET, 3, ip("10.8.0.2"), false,
                List.of(), RTPROT_STATIC, RTNH_F_ONLINK))), events);
    }

    @Test
    void ipv6NexthopAndItsDeletion() throws Exception {
        NlBuilder m = nhmsg(new NlBuilder(), RTM_DELNEXTHOP, AF_INET6, RTPROT_UNSPEC, 0)
                .attrU32(NHA_ID, 5).attrU32(NHA_OIF, 3).attrAddress(NHA_GATEWAY, "2001:db8:8::2").end();

        parse(m);

        assertTrue(events.get(0).deleted());
        assertEquals(ip("2001:db8:8::2"), ((NexthopObject) events.get(0).object()).gateway());
    }

    @Test
    void groupMembersCarryTheirWeightIncludingTheHighByte() throws Exception {
        NlBuilder m = nhmsg(new NlBuilder(), RTM_NEWNEXTHOP, AF_UNSPEC, RTPROT_UNSPEC, 0)
                .attrU32(NHA_ID, 10)
                .attr(NHA_GROUP, group(1, 3, 2, 1, 4, 300))
                .attr(NHA_GROUP_TYPE, new byte[] {0, 0})   // u16 NEXTHOP_GRP_TYPE_MPATH
                .end();

        parse(m);

        NexthopObject nh = (NexthopObject) events.get(0).object();
        assertTrue(nh.isGroup());
        assertEquals(List.of(new NexthopGroupMember(1, 3), new NexthopGroupMember(2, 1),
                new NexthopGroupMember(4, 300)), nh.group());
        assertEquals(0, nh.ifindex());
        assertNull(nh.gateway());
    }

    @Test
    void blackholeNexthop() throws Exception {
        NlBuilder m = nhmsg(new NlBuilder(), RTM_NEWNEXTHOP, AF_UNSPEC, RTPROT_UNSPEC, 0)
                .attrU32(NHA_ID, 4).attr(NHA_BLACKHOLE, new byte[0]).end();

        parse(m);

        assertEquals(new NexthopObject(4, AF_UNSPEC, 0, null, true, List.of(), RTPROT_UNSPEC, 0),
                events.get(0).object());
    }

    @Test
    void fdbNexthopsAndOtherFamiliesAreIgnored() throws Exception {
        NlBuilder m = nhmsg(new NlBuilder(), RTM_NEWNEXTHOP, AF_INET, RTPROT_UNSPEC, 0)
                .attrU32(NHA_ID, 7).attrAddress(NHA_GATEWAY, "10.8.0.6").attr(NHA_FDB, new byte[0]).end();
        nhmsg(m, RTM_NEWNEXTHOP, AF_BRIDGE, RTPROT_UNSPEC, 0).attrU32(NHA_ID, 8).end();

        ParseResult r = parse(m);

        assertTrue(events.isEmpty());
        assertEquals(2, r.ignored());
    }

    @Test
    void namespaceIdAddedAndDeleted() throws Exception {
        NlBuilder m = new NlBuilder().begin(RTM_NEWNSID, 0, 0, 0)
                .u8(AF_UNSPEC).u8(0).u16(0)                     // rtgen_family, alignment padding
                .attrU32(NETNSA_NSID, 3)
                .attrU32(NETNSA_CURRENT_NSID, 9)                // about the request: not part of the object
                .end();
        m.begin(RTM_DELNSID, 0, 0, 0).u32(0).attrU32(NETNSA_NSID, 3).end();
        m.begin(RTM_NEWNSID, 0, 0, 0).u32(0).attrU32(NETNSA_NSID, 4).attrU32(NETNSA_PID, 1234)
                .attrU32(NETNSA_FD, 17).end();

        parse(m);

        assertEquals(List.of(new RtnlEvent(false, new NetnsId(3, -1, -1)), new RtnlEvent(true, new NetnsId(3, -1, -1)),
                new RtnlEvent(false, new NetnsId(4, 1234, 17))), events);
    }

    private static NlBuilder link(int ifindex) {
        return new NlBuilder().begin(RTM_NEWLINK, 0, 0, 0)
                .u8(AF_UNSPEC).u8(0).u16(1)     // ifi_family, pad, ifi_type ARPHRD_ETHER
                .u32(ifindex).u32(IFF_UP).u32(0); // ifi_index, ifi_flags, ifi_change
    }

    @Test
    void vxlanLinkCarriesVniEndpointsPortUnderlayTtlAndLearning() throws Exception {
        NlBuilder m = link(7).attrString(IFLA_IFNAME, "xgvx").attrU32(IFLA_MTU, 1450);
        int info = m.open(IFLA_LINKINFO | NLA_F_NESTED);
        m.attrString(IFLA_INFO_KIND, "vxlan");
        int data = m.open(IFLA_INFO_DATA | NLA_F_NESTED);
        m.attrU32(IFLA_VXLAN_ID, 42)
                .attrAddress(IFLA_VXLAN_GROUP, "10.8.0.9")
                .attrU32(IFLA_VXLAN_LINK, 3)
                .attrAddress(IFLA_VXLAN_LOCAL, "10.8.0.1")
                .attrU8(IFLA_VXLAN_TTL, 64)
                .attrU8(IFLA_VXLAN_LEARNING, 1)
                .attr(IFLA_VXLAN_PORT, new byte[] {0x12, (byte) 0xb5}) // __be16 4789
                .attr(IFLA_VXLAN_PORT_RANGE, new byte[4]);
        m.close(data).close(info).end();

        parse(m);

        Link l = (Link) events.get(0).object();
        assertEquals(new VxlanInfo(42, ip("10.8.0.1"), ip("10.8.0.9"), 4789, 3, 64, true), l.vxlan());
        assertEquals("vxlan", l.kind());
    }

    @Test
    void vxlanOverIpv6WithInfoDataBeforeInfoKind() throws Exception {
        NlBuilder m = link(9).attrString(IFLA_IFNAME, "xgvz");
        int info = m.open(IFLA_LINKINFO);
        int data = m.open(IFLA_INFO_DATA);
        m.attrU32(IFLA_VXLAN_ID, 44).attrAddress(IFLA_VXLAN_GROUP6, "2001:db8:8::9")
                .attrAddress(IFLA_VXLAN_LOCAL6, "2001:db8:8::1").attr(IFLA_VXLAN_PORT, new byte[] {0x21, 0x18});
        m.close(data);
        m.attrString(IFLA_INFO_KIND, "vxlan").close(info).end();

        parse(m);

        assertEquals(new VxlanInfo(44, ip("2001:db8:8::1"), ip("2001:db8:8::9"), 8472, 0, 0, false),
                ((Link) events.get(0).object()).vxlan());
    }

    @Test
    void vethPeerInAnotherNamespaceCarriesLinkAndLinkNetnsid() throws Exception {
        NlBuilder m = link(10).attrString(IFLA_IFNAME, "xgve").attrU32(IFLA_LINK, 2).attrU32(IFLA_LINK_NETNSID, 0);
        int info = m.open(IFLA_LINKINFO);
        int data = m.open(IFLA_INFO_DATA); // veth's data is not VXLAN's: must not be read as such
        m.attrU32(IFLA_VXLAN_ID, -1).close(data);
        m.attrString(IFLA_INFO_KIND, "veth").close(info).end();

        parse(m);

        Link l = (Link) events.get(0).object();
        assertEquals(2, l.link());
        assertEquals(0, l.linkNetnsid());
        assertNull(l.vxlan());
    }

    @Test
    void eightArgumentLinkHasNoVxlanNoLinkAndNoNetnsid() {
        Link l = new Link(1, "lo", null, null, 65536, IFF_UP, IF_OPER_UNKNOWN, 0);
        assertNull(l.vxlan());
        assertEquals(0, l.link());
        assertEquals(-1, l.linkNetnsid());
        assertEquals(new Link(1, "lo", null, null, 65536, IFF_UP, IF_OPER_UNKNOWN, 0, null, 0, -1), l);
        assertNotEquals(new Link(1, "lo", null, null, 65536, IFF_UP, IF_OPER_UNKNOWN, 0, null, 2, -1), l);
    }

    @Test
    void dumpRequestsForNexthopsAndNamespaceIdsCarryAZeroFamilyHeader() {
        ByteBuffer nh = RtnlCodec.dumpRequest(RTM_GETNEXTHOP, AF_UNSPEC, 5);
        assertEquals(NLMSG_HDRLEN + NHMSG_LEN, nh.getInt(0));                      // nlmsg_len
        assertEquals(RTM_GETNEXTHOP, nh.getShort(4));                               // nlmsg_type
        assertEquals(NLM_F_REQUEST | NLM_F_DUMP, nh.getShort(6));                  // nlmsg_flags
        for (int i = NLMSG_HDRLEN; i < NLMSG_HDRLEN + NHMSG_LEN; i++) {
            assertEquals(0, nh.get(i), "nhmsg byte " + (i - NLMSG_HDRLEN));       // family, scope, protocol, flags
        }
        ByteBuffer ns = RtnlCodec.dumpRequest(RTM_GETNSID, AF_UNSPEC, 6);
        assertEquals(NLMSG_HDRLEN + RTGENMSG_LEN, ns.getInt(0));                    // rtgenmsg padded to 4
        assertEquals(RTM_GETNSID, ns.getShort(4));
    }
}
