package io.xdpgate.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;

/**
 * Splits netlink datagrams into messages and turns rtnetlink messages into {@link RtnlObject}s; builds
 * dump requests. Stateless: every input is treated as hostile and bounds-checked before it is read.
 */
public final class RtnlCodec {
    private static final NetlinkMessageCounter UNKNOWN_TYPES = new NetlinkMessageCounter();
    /** struct rtmsg: rtm_family, rtm_dst_len, rtm_src_len, rtm_tos, then rtm_table. */
    private static final int RTM_TABLE_OFFSET = 4;

    private RtnlCodec() {}

    /** Per-type counts of message types {@link #parse} did not know, across all callers since start. */
    public static NetlinkMessageCounter unknownMessageTypes() {
        return UNKNOWN_TYPES;
    }

    /** {@link #parse(ByteBuffer, Consumer, NetlinkMessageCounter)} without a per-caller counter. */
    public static ParseResult parse(ByteBuffer datagram, Consumer<RtnlEvent> sink) throws NetlinkProtocolException {
        return parse(datagram, sink, null);
    }

    /**
     * Parses the remaining bytes of one datagram (one or more nlmsghdr, host byte order), delivering every
     * link, address, route, neighbour, nexthop object, namespace id and policy routing rule to {@code sink} in order. The buffer's position is not changed.
     * Unknown message types and attributes are skipped; unknown types are counted in
     * {@link #unknownMessageTypes()}, and every message by type in {@code counter} when given.
     *
     * @throws NetlinkProtocolException on malformed input, naming what was wrong and at which offset.
     *         Objects before the malformed message have been delivered already.
     */
    public static ParseResult parse(ByteBuffer datagram, Consumer<RtnlEvent> sink, NetlinkMessageCounter counter)
            throws NetlinkProtocolException {
        ByteBuffer b = datagram.duplicate().order(ByteOrder.nativeOrder());
        int at = b.position();
        int limit = b.limit();
        Summary s = new Summary();
        while (limit - at > 0) {
            int left = limit - at;
            if (left < Rtnl.NLMSG_HDRLEN) {
                throw new NetlinkProtocolException("truncated nlmsghdr: " + left + " bytes at offset " + at);
            }
            int length = b.getInt(at);                               // nlmsg_len, header included
            int type = Short.toUnsignedInt(b.getShort(at + 4));      // nlmsg_type
            int flags = Short.toUnsignedInt(b.getShort(at + 6));     // nlmsg_flags
            int seq = b.getInt(at + 8);                              // nlmsg_seq
            int pid = b.getInt(at + 12);                             // nlmsg_pid
            if (length < Rtnl.NLMSG_HDRLEN) {
                throw new NetlinkProtocolException("nlmsg_len " + Integer.toUnsignedString(length)
                        + " smaller than nlmsghdr at offset " + at);
            }
            if (length > left) {
                throw new NetlinkProtocolException("nlmsg_len " + Integer.toUnsignedString(length) + " exceeds the "
                        + left + " bytes left at offset " + at + " (" + Rtnl.messageTypeName(type) + ")");
            }
            s.header(seq, pid, flags);
            if (counter != null) {
                counter.count(type);
            }
            dispatch(b, type, flags, at + Rtnl.NLMSG_HDRLEN, at + length, s, sink);
            // The last message's alignment padding may be missing.
            at += Math.min(NlAttributes.align(length), left);
        }
        return s.result();
    }

    private static void dispatch(ByteBuffer b, int type, int flags, int body, int end, Summary s,
                                 Consumer<RtnlEvent> sink) throws NetlinkProtocolException {
        String context = Rtnl.messageTypeName(type);
        RtnlObject object;
        switch (type) {
            case Rtnl.NLMSG_NOOP, Rtnl.NLMSG_OVERRUN -> {
                return; // NOOP carries nothing; OVERRUN is reserved and never sent by Linux
            }
            case Rtnl.NLMSG_ERROR -> {
                Acks.error(b, flags, body, end, s);
                return;
            }
            case Rtnl.NLMSG_DONE -> {
                Acks.done(b, flags, body, end, s);
                return;
            }
            case Rtnl.RTM_NEWLINK, Rtnl.RTM_DELLINK -> object = LinkDecoder.decode(b, body, end, context);
            case Rtnl.RTM_NEWADDR, Rtnl.RTM_DELADDR -> object = AddressDecoder.decode(b, body, end, context);
            case Rtnl.RTM_NEWROUTE, Rtnl.RTM_DELROUTE -> object = RouteDecoder.decode(b, body, end, context);
            case Rtnl.RTM_NEWNEIGH, Rtnl.RTM_DELNEIGH -> object = NeighbourDecoder.decode(b, body, end, context);
            case Rtnl.RTM_NEWNEXTHOP, Rtnl.RTM_DELNEXTHOP -> object = NexthopDecoder.decode(b, body, end, context);
            case Rtnl.RTM_NEWNSID, Rtnl.RTM_DELNSID -> object = NetnsIdDecoder.decode(b, body, end, context);
            case Rtnl.RTM_NEWRULE, Rtnl.RTM_DELRULE -> object = RuleDecoder.decode(b, body, end, context);
            // The kernel multicasts RTM_GETNEIGH to ask a user-space resolver (app_solicit); not state.
            case Rtnl.RTM_GETNEIGH -> object = null;
            default -> {
                UNKNOWN_TYPES.count(type);
                s.unknown++;
                return;
            }
        }
        if (object == null) {
            s.ignored++;
            return;
        }
        boolean deleted = type == Rtnl.RTM_DELLINK || type == Rtnl.RTM_DELADDR || type == Rtnl.RTM_DELROUTE
                || type == Rtnl.RTM_DELNEIGH || type == Rtnl.RTM_DELNEXTHOP || type == Rtnl.RTM_DELNSID
                || type == Rtnl.RTM_DELRULE;
        sink.accept(new RtnlEvent(deleted, object));
    }

    /**
     * An NLM_F_REQUEST | NLM_F_DUMP request for {@code rtmGetType} (RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE,
     * RTM_GETNEIGH, RTM_GETNEXTHOP, RTM_GETNSID, RTM_GETRULE) and {@code family}, with the family header that type needs
     * (all zero but the family: the kernel rejects nexthop dump requests with other header fields set).
     * nlmsg_pid is 0: the kernel fills in our port id.
     */
    public static ByteBuffer dumpRequest(int rtmGetType, int family, int seq) {
        return dumpRequest(rtmGetType, family, 0, seq);
    }

    /**
     * An RTM_GETROUTE dump request for the routes of {@code family} in table {@code table} (1 to 255, in
     * rtm_table): a kernel that checks the socket's requests strictly (NETLINK_GET_STRICT_CHK) returns only
     * that table's routes, another kernel every route.
     */
    public static ByteBuffer routeDumpRequest(int family, int table, int seq) {
        if (table < 1 || table > 255) {
            throw new IllegalArgumentException("route table " + table + ": a dump request names tables 1 to 255");
        }
        return dumpRequest(Rtnl.RTM_GETROUTE, family, table, seq);
    }

    private static ByteBuffer dumpRequest(int rtmGetType, int family, int table, int seq) {
        int headerLength = switch (rtmGetType) {
            case Rtnl.RTM_GETLINK -> Rtnl.IFINFOMSG_LEN;
            case Rtnl.RTM_GETADDR -> Rtnl.IFADDRMSG_LEN;
            case Rtnl.RTM_GETROUTE -> Rtnl.RTMSG_LEN;
            case Rtnl.RTM_GETNEIGH -> Rtnl.NDMSG_LEN;
            case Rtnl.RTM_GETNEXTHOP -> Rtnl.NHMSG_LEN;
            case Rtnl.RTM_GETNSID -> Rtnl.RTGENMSG_LEN;
            case Rtnl.RTM_GETRULE -> Rtnl.FIB_RULE_HDR_LEN;
            default -> throw new IllegalArgumentException("not a dumpable type: " + Rtnl.messageTypeName(rtmGetType));
        };
        // Links: IFLA_EXT_MASK with RTEXT_FILTER_SKIP_STATS keeps per-link statistics out of the dump.
        int attributes = rtmGetType == Rtnl.RTM_GETLINK ? 8 : 0;
        int length = Rtnl.NLMSG_HDRLEN + headerLength + attributes;
        ByteBuffer m = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
        m.putInt(length);                                        // nlmsg_len
        m.putShort((short) rtmGetType);                          // nlmsg_type
        m.putShort((short) (Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_DUMP)); // nlmsg_flags
        m.putInt(seq);                                           // nlmsg_seq
        m.putInt(0);                                             // nlmsg_pid
        m.put((byte) family);                                    // *_family: first byte of every family header
        if (table != 0) {
            m.put(Rtnl.NLMSG_HDRLEN + RTM_TABLE_OFFSET, (byte) table); // rtm_table
        }
        m.position(Rtnl.NLMSG_HDRLEN + headerLength);            // rest of the family header stays zero
        if (attributes != 0) {
            m.putShort((short) 8);                               // rta_len
            m.putShort((short) Rtnl.IFLA_EXT_MASK);              // rta_type
            m.putInt(Rtnl.RTEXT_FILTER_SKIP_STATS);              // u32 mask
        }
        return m.flip();
    }

    /** Accumulates the non-object facts of one datagram. */
    static final class Summary {
        int messages;
        boolean done;
        int error;
        boolean acked;
        String extAck;
        boolean dumpInterrupted;
        int seq;
        int portId;
        boolean mixedHeaders;
        int ignored;
        int unknown;

        void header(int seq, int pid, int flags) {
            if (messages == 0) {
                this.seq = seq;
                this.portId = pid;
            } else if (seq != this.seq || pid != this.portId) {
                mixedHeaders = true;
            }
            messages++;
            if ((flags & Rtnl.NLM_F_DUMP_INTR) != 0) {
                dumpInterrupted = true;
            }
        }

        ParseResult result() {
            return new ParseResult(messages, done, error, acked, extAck, dumpInterrupted, seq, portId,
                    mixedHeaders, ignored, unknown);
        }
    }
}
