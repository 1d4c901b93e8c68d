package io.xdpgate.netlink;

import static io.xdpgate.netlink.Rtnl.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Datagrams with several messages, acks, errors, dump ends and dump requests. */
class RtnlCodecFramingTest {
    private final List<RtnlEvent> events = new ArrayList<>();

    private static NlBuilder neighbour(NlBuilder m, int type, int seq, int pid, int flags, int ifindex) {
        return m.begin(type, flags, seq, pid)
                .u8(AF_INET).u8(0).u16(0)           // ndm_family, ndm_pad1, ndm_pad2
                .u32(ifindex)                        // ndm_ifindex
                .u16(NUD_STALE).u8(0).u8(RTN_UNICAST) // ndm_state, ndm_flags, ndm_type
                .attrAddress(NDA_DST, "10.8.0." + ifindex)
                .end();
    }

    @Test
    void severalMessagesInOneDatagramArriveInOrder() throws Exception {
        NlBuilder m = new NlBuilder();
        neighbour(m, RTM_NEWNEIGH, 5, 77, NLM_F_MULTI, 1);
        neighbour(m, RTM_DELNEIGH, 5, 77, NLM_F_MULTI, 2);
        m.begin(NLMSG_DONE, NLM_F_MULTI, 5, 77).u32(0).end(); // int error = 0
        NetlinkMessageCounter counter = new NetlinkMessageCounter();

        ParseResult r = RtnlCodec.parse(m.build(), events::add, counter);

        assertEquals(3, r.messages());
        assertTrue(r.done());
        assertEquals(0, r.error());
        assertEquals(5, r.seq());
        assertEquals(77, r.portId());
        assertFalse(r.mixedHeaders());
        assertEquals(2, events.size());
        assertFalse(events.get(0).deleted());
        assertTrue(events.get(1).deleted());
        assertEquals(2, ((Neighbour) events.get(1).object()).ifindex());
        assertEquals(1, counter.get(RTM_NEWNEIGH));
        assertEquals(1L, counter.byName().get("NLMSG_DONE"));
    }

    @Test
    void messagesFromAnotherRequestAreFlaggedAsMixed() throws Exception {
        NlBuilder m = new NlBuilder();
        neighbour(m, RTM_NEWNEIGH, 5, 77, 0, 1);
        neighbour(m, RTM_NEWNEIGH, 6, 77, 0, 2);
        assertTrue(RtnlCodec.parse(m.build(), events::add).mixedHeaders());
    }

    @Test
    void dumpInterruptedFlagIsReported() throws Exception {
        NlBuilder m = new NlBuilder();
        neighbour(m, RTM_NEWNEIGH, 1, 1, NLM_F_MULTI | NLM_F_DUMP_INTR, 1);
        assertTrue(RtnlCodec.parse(m.build(), events::add).dumpInterrupted());
    }

    @Test
    void errorWithExtendedAckTextIsReported() throws Exception {
        NlBuilder m = new NlBuilder().begin(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 9, 77)
                .u32(-22)                                         // error: -EINVAL
                .u32(36).u16(RTM_NEWROUTE).u16(NLM_F_REQUEST).u32(9).u32(77) // echoed nlmsghdr (capped)
                .attrString(NLMSGERR_ATTR_MSG, "Invalid prefix for given prefix length")
                .attrU32(NLMSGERR_ATTR_OFFS, 28)
                .end();

        ParseResult r = RtnlCodec.parse(m.build(), events::add);

        assertEquals(22, r.error());
        assertFalse(r.acked());
        assertEquals("Invalid prefix for given prefix length", r.extAck());
    }

    @Test
    void uncappedErrorSkipsTheEchoedRequestBeforeTheTlvs() throws Exception {
        NlBuilder m = new NlBuilder().begin(NLMSG_ERROR, NLM_F_ACK_TLVS, 9, 77)
                .u32(-17)                                         // error: -EEXIST
                .u32(20).u16(RTM_NEWADDR).u16(NLM_F_REQUEST).u32(9).u32(0) // echoed nlmsghdr, nlmsg_len 20
                .u32(0x01020304)                                  // echoed payload (4 bytes)
                .attrString(NLMSGERR_ATTR_MSG, "exists")
                .end();

        ParseResult r = RtnlCodec.parse(m.build(), events::add);

        assertEquals(17, r.error());
        assertEquals("exists", r.extAck());
    }

    @Test
    void ackIsErrorZero() throws Exception {
        NlBuilder m = new NlBuilder().begin(NLMSG_ERROR, NLM_F_CAPPED, 9, 77)
                .u32(0)                                          // error: 0 = ACK
                .u32(16).u16(RTM_NEWROUTE).u16(NLM_F_REQUEST | NLM_F_ACK).u32(9).u32(77) // echoed header
                .end();

        ParseResult r = RtnlCodec.parse(m.build(), events::add);

        assertTrue(r.acked());
        assertEquals(0, r.error());
        assertNull(r.extAck());
    }

    @Test
    void failedDumpReportsErrorInDone() throws Exception {
        NlBuilder m = new NlBuilder().begin(NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS, 3, 77)
                .u32(-95)                                        // int error: -EOPNOTSUPP
                .attrString(NLMSGERR_ATTR_MSG, "no dump here")
                .end();

        ParseResult r = RtnlCodec.parse(m.build(), events::add);

        assertTrue(r.done());
        assertEquals(95, r.error());
        assertEquals("no dump here", r.extAck());
    }

    @Test
    void unknownTypesAreCountedAndSkipped() throws Exception {
        long before = RtnlCodec.unknownMessageTypes().get(RTM_NEWNETCONF);
        NlBuilder m = new NlBuilder().begin(RTM_NEWNETCONF, 0, 0, 0).u32(AF_INET).end(); // struct netconfmsg
        neighbour(m, RTM_NEWNEIGH, 0, 0, 0, 1);

        ParseResult r = RtnlCodec.parse(m.build(), events::add);

        assertEquals(1, r.unknown());
        assertEquals(1, events.size());
        assertEquals(before + 1, RtnlCodec.unknownMessageTypes().get(RTM_NEWNETCONF));
    }

    @Test
    void lastMessageMayLackItsPadding() throws Exception {
        NlBuilder m = new NlBuilder().begin(RTM_NEWLINK, 0, 0, 0)
                .u8(AF_UNSPEC).u8(0).u16(1).u32(3).u32(0).u32(0) // ifinfomsg
                .attrString(IFLA_IFNAME, "xg12")                 // rta_len 9: three bytes of padding follow
                .end();
        byte[] padded = m.bytes();
        int unpadded = padded.length - 3;
        ByteBuffer b = ByteBuffer.wrap(padded, 0, unpadded).slice().order(ByteOrder.nativeOrder());
        b.putInt(0, unpadded);                                   // nlmsg_len without the padding
        RtnlCodec.parse(b, events::add);
        assertEquals("xg12", ((Link) events.get(0).object()).name());
    }

    @Test
    void dumpRequestsCarryTheRightFamilyHeader() {
        ByteBuffer link = RtnlCodec.dumpRequest(RTM_GETLINK, AF_UNSPEC, 41);
        assertEquals(16 + 16 + 8, link.remaining());
        assertEquals(40, link.getInt(0));                                 // nlmsg_len
        assertEquals(RTM_GETLINK, link.getShort(4));                      // nlmsg_type
        assertEquals(NLM_F_REQUEST | NLM_F_DUMP, link.getShort(6));       // nlmsg_flags
        assertEquals(41, link.getInt(8));                                 // nlmsg_seq
        assertEquals(0, link.getInt(12));                                 // nlmsg_pid
        assertEquals(AF_UNSPEC, link.get(16));                            // ifi_family
        assertEquals(8, link.getShort(32));                               // rta_len
        assertEquals(IFLA_EXT_MASK, link.getShort(34));                   // rta_type
        assertEquals(RTEXT_FILTER_SKIP_STATS, link.getInt(36));           // RTEXT_FILTER_* mask

        assertEquals(16 + 8, RtnlCodec.dumpRequest(RTM_GETADDR, AF_INET, 1).remaining());   // ifaddrmsg
        ByteBuffer route = RtnlCodec.dumpRequest(RTM_GETROUTE, AF_INET6, 1);
        assertEquals(16 + 12, route.remaining());                                            // rtmsg
        assertEquals(AF_INET6, route.get(16));                                               // rtm_family
        assertEquals(16 + 12, RtnlCodec.dumpRequest(RTM_GETNEIGH, AF_INET, 1).remaining());  // ndmsg
        assertThrows(IllegalArgumentException.class, () -> RtnlCodec.dumpRequest(RTM_NEWROUTE, AF_INET, 1));
        assertEquals(0, route.get(16 + 4));                                                  // rtm_table: any
    }

    @Test
    void aRouteDumpRequestNamesItsTableInRtmTable() {
        ByteBuffer local = RtnlCodec.routeDumpRequest(AF_INET, RT_TABLE_LOCAL, 7);
        assertEquals(16 + 12, local.remaining());
        assertEquals(RTM_GETROUTE, local.getShort(4));
        assertEquals(NLM_F_REQUEST | NLM_F_DUMP, local.getShort(6));
        assertEquals(7, local.getInt(8));
        assertEquals(AF_INET, local.get(16));                                // rtm_family
        for (int i = 17; i < 16 + 12; i++) {
            assertEquals(i == 16 + 4 ? (byte) RT_TABLE_LOCAL : 0, local.get(i), "byte " + i); // rtm_table alone
        }
        assertEquals((byte) RT_TABLE_MAIN, RtnlCodec.routeDumpRequest(AF_INET6, RT_TABLE_MAIN, 8).get(16 + 4));
        assertThrows(IllegalArgumentException.class, () -> RtnlCodec.routeDumpRequest(AF_INET, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> RtnlCodec.routeDumpRequest(AF_INET, 256, 1));
    }
}
