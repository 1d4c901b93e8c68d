package io.xdpgate.netlink;

import static io.xdpgate.netlink.Rtnl.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Malformed input only ever ends in a NetlinkProtocolException that says what was wrong. */
class RtnlCodecHostileInputTest {

    private static NetlinkProtocolException rejects(byte[] bytes) {
        return assertThrows(NetlinkProtocolException.class,
                () -> RtnlCodec.parse(ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()), e -> { }));
    }

    private static NlBuilder route() {
        return new NlBuilder().begin(RTM_NEWROUTE, 0, 0, 0)
                .u8(AF_INET).u8(24).u8(0).u8(0)                         // family, dst_len, src_len, tos
                .u8(RT_TABLE_MAIN).u8(RTPROT_STATIC).u8(0).u8(RTN_UNICAST) // table, protocol, scope, type
                .u32(0);                                                  // rtm_flags
    }

    @Test
    void truncatedHeader() {
        byte[] ok = route().attrAddress(RTA_DST, "10.1.2.0").end().bytes();
        byte[] cut = java.util.Arrays.copyOf(ok, 10);
        assertTrue(rejects(cut).getMessage().contains("truncated nlmsghdr"));
    }

    @Test
    void nlmsgLenLargerThanTheDatagram() {
        byte[] bytes = route().attrAddress(RTA_DST, "10.1.2.0").end().bytes();
        ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).putInt(0, bytes.length + 4); // nlmsg_len
        assertTrue(rejects(bytes).getMessage().contains("exceeds"));
    }

    @Test
    void nlmsgLenHugeIsNotAllocated() {
        byte[] bytes = route().end().bytes();
        ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).putInt(0, -1); // nlmsg_len 0xffffffff
        assertTrue(rejects(bytes).getMessage().contains("4294967295"));
    }

    @Test
    void nlmsgLenSmallerThanTheHeader() {
        byte[] bytes = route().end().bytes();
        ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).putInt(0, 8);
        assertTrue(rejects(bytes).getMessage().contains("smaller than nlmsghdr"));
    }

    @Test
    void bodyShorterThanTheFamilyHeader() {
        byte[] bytes = new NlBuilder().begin(RTM_NEWROUTE, 0, 0, 0).u32(0).end().bytes(); // 4 bytes, rtmsg is 12
        assertTrue(rejects(bytes).getMessage().contains("rtmsg needs 12"));
    }

    @Test
    void rtaLenPastTheEndOfTheMessage() {
        byte[] bytes = route().u16(64).u16(RTA_DST).u32(0x0a010200).end().bytes(); // rta_len 64, 4 payload bytes
        assertTrue(rejects(bytes).getMessage().contains("past the end"));
    }

    @Test
    void rtaLenPastTheMessageButInsideTheDatagram() {
        // The attribute would fit the datagram only by reading into the next message: still rejected.
        NlBuilder m = route().u16(12).u16(RTA_DST).end();  // rta_len 12, no payload in this message
        m.begin(NLMSG_DONE, 0, 0, 0).u32(0).end();
        assertTrue(rejects(m.bytes()).getMessage().contains("past the end"));
    }

    @Test
    void zeroLengthAttributeCannotLoop() {
        byte[] bytes = route().u16(0).u16(RTA_DST).u32(0).end().bytes(); // rta_len 0
        assertTrue(rejects(bytes).getMessage().contains("rta_len 0"));
    }

    @Test
    void zeroLengthNexthopCannotLoop() {
        NlBuilder m = route();
        int mp = m.open(RTA_MULTIPATH);
        m.u16(0).u8(0).u8(0).u32(1); // rtnh_len 0, flags, hops, ifindex
        m.close(mp).end();
        assertTrue(rejects(m.bytes()).getMessage().contains("rtnh_len 0"));
    }

    @Test
    void addressOfTheWrongLength() {
        byte[] bytes = route().attr(RTA_DST, new byte[] {10, 1, 2}).end().bytes();
        assertTrue(rejects(bytes).getMessage().contains("3-byte address"));
    }

    @Test
    void nestedAttributeOverrunningItsParent() {
        NlBuilder m = new NlBuilder().begin(RTM_NEWLINK, 0, 0, 0)
                .u8(AF_UNSPEC).u8(0).u16(1).u32(3).u32(0).u32(0); // ifinfomsg
        int info = m.open(IFLA_LINKINFO);
        m.u16(40).u16(IFLA_INFO_KIND).raw("veth".getBytes());     // inner rta_len 40 > its parent
        m.close(info);
        m.attrU32(IFLA_MTU, 1500).end();
        assertTrue(rejects(m.bytes()).getMessage().contains("past the end"));
    }

    private static NlBuilder nexthop(int family) {
        return RtnlCodecNexthopNsidVxlanTest.nhmsg(new NlBuilder(), RTM_NEWNEXTHOP, family, 0, 0);
    }

    @Test
    void nexthopGroupNotAMultipleOfEightBytes() {
        byte[] bytes = nexthop(AF_UNSPEC).attrU32(NHA_ID, 10).attr(NHA_GROUP, new byte[12]).end().bytes();
        assertTrue(rejects(bytes).getMessage().contains("NHA_GROUP of 12 bytes"));
    }

    @Test
    void emptyNexthopGroup() {
        byte[] bytes = nexthop(AF_UNSPEC).attrU32(NHA_ID, 10).attr(NHA_GROUP, new byte[0]).end().bytes();
        assertTrue(rejects(bytes).getMessage().contains("NHA_GROUP of 0 bytes"));
    }

    @Test
    void nexthopGroupMemberWithIdZero() {
        byte[] bytes = nexthop(AF_UNSPEC).attrU32(NHA_ID, 10)
                .attr(NHA_GROUP, RtnlCodecNexthopNsidVxlanTest.group(1, 1, 0, 1)).end().bytes();
        assertTrue(rejects(bytes).getMessage().contains("member 1 has id 0"));
    }

    @Test
    void nexthopWithoutId() {
        byte[] bytes = nexthop(AF_INET).attrU32(NHA_OIF, 3).end().bytes();
        assertTrue(rejects(bytes).getMessage().contains("NHA_ID missing"));
    }

    @Test
    void nexthopGroupThatAlsoHasADevice() {
        byte[] bytes = nexthop(AF_UNSPEC).attrU32(NHA_ID, 10).attr(NHA_GROUP, RtnlCodecNexthopNsidVxlanTest.group(1, 1))
                .attrU32(NHA_OIF, 3).end().bytes();
        assertTrue(rejects(bytes).getMessage().contains("is a group and also"));
    }

    @Test
    void nexthopGatewayOfTheWrongFamily() {
        byte[] ipv6InIpv4 = nexthop(AF_INET).attrU32(NHA_ID, 1).attrAddress(NHA_GATEWAY, "2001:db8::1").end().bytes();
        assertTrue(rejects(ipv6InIpv4).getMessage().contains("16-byte address"));
        byte[] unspec = nexthop(AF_UNSPEC).attrU32(NHA_ID, 1).attrAddress(NHA_GATEWAY, "10.0.0.1").end().bytes();
        assertTrue(rejects(unspec).getMessage().contains("not AF_INET or AF_INET6"));
    }

    @Test
    void nhmsgTooShort() {
        byte[] bytes = new NlBuilder().begin(RTM_NEWNEXTHOP, 0, 0, 0).u32(0).end().bytes();
        assertTrue(rejects(bytes).getMessage().contains("nhmsg needs 8"));
    }

    @Test
    void namespaceIdMissingOrTruncated() {
        byte[] missing = new NlBuilder().begin(RTM_NEWNSID, 0, 0, 0).u32(0).end().bytes();
        assertTrue(rejects(missing).getMessage().contains("NETNSA_NSID missing"));
        byte[] shortId = new NlBuilder().begin(RTM_NEWNSID, 0, 0, 0).u32(0).attr(NETNSA_NSID, new byte[2]).end().bytes();
        assertTrue(rejects(shortId).getMessage().contains("payload of 2 bytes"));
        byte[] noHeader = new NlBuilder().begin(RTM_DELNSID, 0, 0, 0).end().bytes();
        assertTrue(rejects(noHeader).getMessage().contains("rtgenmsg needs 4"));
    }

    @Test
    void ruleHeaderTruncatedOrAttributeShort() {
        byte[] noHeader = new NlBuilder().begin(RTM_NEWRULE, 0, 0, 0).u32(0).end().bytes();
        assertTrue(rejects(noHeader).getMessage().contains("fib_rule_hdr needs 12"));
        byte[] shortPriority = new NlBuilder().begin(RTM_DELRULE, 0, 0, 0).u8(AF_INET).u8(0).u8(0).u8(0).u32(0).u32(0)
                .attr(FRA_PRIORITY, new byte[2]).end().bytes();
        assertTrue(rejects(shortPriority).getMessage().contains("payload of 2 bytes"));
    }

    @Test
    void vxlanIdBeyond24Bits() {
        NlBuilder m = new NlBuilder().begin(RTM_NEWLINK, 0, 0, 0).u8(AF_UNSPEC).u8(0).u16(1).u32(7).u32(0).u32(0);
        int info = m.open(IFLA_LINKINFO);
        m.attrString(IFLA_INFO_KIND, "vxlan");
        int data = m.open(IFLA_INFO_DATA);
        m.attrU32(IFLA_VXLAN_ID, 1 << 24).close(data).close(info).end();
        assertTrue(rejects(m.bytes()).getMessage().contains("not a 24-bit VNI"));
    }

    @Test
    void vxlanPortTooShort() {
        NlBuilder m = new NlBuilder().begin(RTM_NEWLINK, 0, 0, 0).u8(AF_UNSPEC).u8(0).u16(1).u32(7).u32(0).u32(0);
        int info = m.open(IFLA_LINKINFO);
        m.attrString(IFLA_INFO_KIND, "vxlan");
        int data = m.open(IFLA_INFO_DATA);
        m.attr(IFLA_VXLAN_PORT, new byte[] {1}).close(data).close(info).end();
        assertTrue(rejects(m.bytes()).getMessage().contains("payload of 1 bytes, need 2"));
    }

    @Test
    void mutatedNexthopNsidAndVxlanMessagesOnlyEverThrowTheProtocolException() {
        NlBuilder m = nexthop(AF_INET).attrU32(NHA_ID, 7).attrU32(NHA_OIF, 3).attrAddress(NHA_GATEWAY, "10.8.0.2").end();
        RtnlCodecNexthopNsidVxlanTest.nhmsg(m, RTM_DELNEXTHOP, AF_UNSPEC, 0, 0).attrU32(NHA_ID, 10)
                .attr(NHA_GROUP, RtnlCodecNexthopNsidVxlanTest.group(1, 3, 2, 300)).end();
        m.begin(RTM_NEWNSID, 0, 0, 0).u32(0).attrU32(NETNSA_NSID, 3).end();
        m.begin(RTM_NEWLINK, 0, 0, 0).u8(0).u8(0).u16(1).u32(7).u32(0).u32(0)
                .attrU32(IFLA_LINK, 2).attrU32(IFLA_LINK_NETNSID, 0);
        int info = m.open(IFLA_LINKINFO);
        m.attrString(IFLA_INFO_KIND, "vxlan");
        int data = m.open(IFLA_INFO_DATA);
        m.attrU32(IFLA_VXLAN_ID, 42).attrAddress(IFLA_VXLAN_GROUP6, "2001:db8::9").attrAddress(IFLA_VXLAN_LOCAL, "10.0.0.1")
                .attr(IFLA_VXLAN_PORT, new byte[] {0x12, (byte) 0xb5}).attrU8(IFLA_VXLAN_TTL, 3);
        m.close(data).close(info).end();
        byte[] valid = m.bytes();
        Random random = new Random(11);
        for (int i = 0; i < 5_000; i++) {
            byte[] bytes = valid.clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            int length = random.nextInt(4) == 0 ? random.nextInt(bytes.length) : bytes.length;
            parseExpectingOnlyProtocolErrors(java.util.Arrays.copyOf(bytes, length));
        }
    }

    @Test
    void randomBytesOnlyEverThrowTheProtocolException() {
        Random random = new Random(20251123);
        for (int i = 0; i < 5_000; i++) {
            byte[] bytes = new byte[random.nextInt(200)];
            random.nextBytes(bytes);
            if (bytes.length >= 8 && random.nextBoolean()) {
                // Plausible headers reach the decoders instead of failing at nlmsg_len.
                ByteBuffer h = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
                h.putInt(0, bytes.length);
                h.putShort(4, (short) (RTM_NEWLINK + random.nextInt(96))); // links .. nexthops
            }
            parseExpectingOnlyProtocolErrors(bytes);
        }
    }

    @Test
    void mutatedValidMessagesOnlyEverThrowTheProtocolException() {
        NlBuilder m = route().attrAddress(RTA_DST, "10.1.2.0").attrU32(RTA_OIF, 3);
        int mp = m.open(RTA_MULTIPATH);
        int p = m.rtnh(0, 1, 4);
        m.attrAddress(RTA_GATEWAY, "10.8.0.2").close(p);
        m.close(mp).end();
        m.begin(RTM_NEWLINK, 0, 0, 0).u8(0).u8(0).u16(1).u32(3).u32(0).u32(0) // ifinfomsg
                .attrString(IFLA_IFNAME, "xgx").attrU8(IFLA_OPERSTATE, 6);
        int info = m.open(IFLA_LINKINFO);
        m.attrString(IFLA_INFO_KIND, "veth").close(info).end();
        m.begin(NLMSG_ERROR, NLM_F_ACK_TLVS, 0, 0).u32(-1).u32(16).u16(0).u16(0).u32(0).u32(0)
                .attrString(NLMSGERR_ATTR_MSG, "x").end();
        byte[] valid = m.bytes();
        Random random = new Random(7);
        for (int i = 0; i < 5_000; i++) {
            byte[] bytes = valid.clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            int length = random.nextInt(4) == 0 ? random.nextInt(bytes.length) : bytes.length;
            parseExpectingOnlyProtocolErrors(java.util.Arrays.copyOf(bytes, length));
        }
    }

    private static void parseExpectingOnlyProtocolErrors(byte[] bytes) {
        try {
            RtnlCodec.parse(ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()), e -> { });
        } catch (NetlinkProtocolException expected) {
            assertNotNull(expected.getMessage());
        } catch (Throwable other) {
            fail("input " + java.util.HexFormat.of().formatHex(bytes) + " threw " + other, other);
        }
    }
}
