package io.xdpgate.fpc;

import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import java.util.List;

/**
 * Turns one whole message (as {@link FpcFrameDecoder} finds it in the stream) into an {@link FpcEnvelope}.
 * Stateless (the scratch array the body is read from, see {@link FpcReader}, is per thread).
 * Every body must be consumed exactly; anything else is an {@link FpcProtocolException}.
 */
public final class FpcMessageDecoder {
    /** Smallest nexthop on the wire: ifindex u32, weight u16, gateway family u8 (AF_UNSPEC). */
    private static final int MIN_NEXTHOP_LENGTH = 7;
    /** A route body ends with the nexthop object id, u32. */
    private static final int NEXTHOP_ID_LENGTH = 4;
    /** Smallest route on the wire: vrf, table, type, length, an IPv4 prefix, no nexthop, the nexthop id. */
    private static final int MIN_ROUTE_LENGTH = 4 + 4 + 1 + 1 + 5 + 2 + NEXTHOP_ID_LENGTH;
    /** A group member on the wire: id u32, weight u32. */
    private static final int GROUP_MEMBER_LENGTH = 8;

    private FpcMessageDecoder() {
    }

    /** Decodes one whole message, header included, consuming {@code frame} up to its end. */
    public static FpcEnvelope decode(ByteBuf frame) {
        int available = frame.readableBytes();
        if (available < FpcConstants.HEADER_LENGTH) {
            throw new FpcProtocolException("truncated header: " + available + " bytes, need " + FpcConstants.HEADER_LENGTH);
        }
        int start = frame.readerIndex();
        // The header in two reads: version u8, type u8, flags u16, sequence u32 | report u32, length u32.
        long head = frame.getLong(start);
        long tail = frame.getLong(start + 8);
        int version = (int) (head >>> 56);
        if (version != FpcConstants.VERSION) {
            throw new FpcProtocolException("unknown FPC version " + version + ", this end speaks " + FpcConstants.VERSION);
        }
        FpcMessageType type = FpcMessageType.fromCode((int) (head >>> 48) & 0xff);
        int flags = (int) (head >>> 32) & 0xffff;
        long sequence = head & 0xffff_ffffL;
        long report = tail >>> 32;
        long length = tail & 0xffff_ffffL;
        if (length != available) {
            throw new FpcProtocolException(type + ": length field says " + length + " bytes, frame has " + available);
        }
        if (length > FpcConstants.MAX_MESSAGE_LENGTH) {
            // FpcFrameDecoder never passes such a frame; a direct caller gets the same refusal.
            throw new FpcProtocolException("FPC message length " + length + " out of range " + FpcConstants.HEADER_LENGTH
                    + ".." + FpcConstants.MAX_MESSAGE_LENGTH);
        }
        if ((flags & ~FpcConstants.KNOWN_FLAGS) != 0) {
            throw new FpcProtocolException(type + ": unknown header flags 0x" + Integer.toHexString(flags));
        }
        if (type.numbered() != (sequence != 0)) {
            throw new FpcProtocolException(type + (sequence == 0 ? " without a sequence number"
                    : " must be unnumbered, has sequence " + sequence));
        }
        FpcReader in = FpcReader.of(frame, start + FpcConstants.HEADER_LENGTH, available - FpcConstants.HEADER_LENGTH);
        frame.skipBytes(available);
        FpcMessage message;
        try {
            message = decodeBody(type, in);
        } catch (IllegalArgumentException e) {
            // A record refused a value the wire format allows (for example weight 0): same as any bad field.
            throw new FpcProtocolException(type + ": " + e.getMessage(), e);
        }
        if (in.remaining() != 0) {
            throw new FpcProtocolException(type + ": " + in.remaining() + " bytes left after the body");
        }
        return new FpcEnvelope(flags, sequence, report, message);
    }

    static FpcMessage decodeBody(FpcMessageType type, FpcReader in) {
        return switch (type) {
            case ROUTE_ADD, ROUTE_DEL -> decodeRoute(type == FpcMessageType.ROUTE_ADD, in);
            case ROUTE_ADD_LIST -> decodeRouteList(in);
            case HELLO -> decodeHello(in);
            case REPORT -> decodeReport(in);
            case KEEPALIVE -> new FpcKeepalive();
            case SYNC_BEGIN -> new FpcSyncBegin(in.u64("generation"), in.u32("vrf"));
            case SYNC_END -> new FpcSyncEnd(in.u64("generation"), in.u32("vrf"));
            case VRF_ADD, VRF_DEL -> decodeVrf(type == FpcMessageType.VRF_ADD, in);
            case LINK_ADD, LINK_DEL -> decodeLink(type == FpcMessageType.LINK_ADD, in);
            case ADDRESS_ADD, ADDRESS_DEL -> decodeAddress(type == FpcMessageType.ADDRESS_ADD, in);
            case NEIGHBOUR_ADD, NEIGHBOUR_DEL -> decodeNeighbour(type == FpcMessageType.NEIGHBOUR_ADD, in);
            case NEXTHOP_ADD, NEXTHOP_DEL -> decodeNexthopObject(type == FpcMessageType.NEXTHOP_ADD, in);
            case NEXTHOP_GROUP_ADD, NEXTHOP_GROUP_DEL -> decodeNexthopGroup(type == FpcMessageType.NEXTHOP_GROUP_ADD, in);
            case CONTROL -> decodeControl(in);
            case VXLAN_ADD, VXLAN_DEL -> decodeVxlan(type == FpcMessageType.VXLAN_ADD, in);
            case POLICY_ROUTING_ADD, POLICY_ROUTING_DEL -> decodePolicyRouting(type == FpcMessageType.POLICY_ROUTING_ADD, in);
        };
    }

    static FpcHello decodeHello(FpcReader in) {
        int version = in.u8("version");
        long capabilities = in.u64("capabilities");
        return new FpcHello(version, capabilities, in.string("identity", FpcConstants.MAX_IDENTITY));
    }

    static FpcReport decodeReport(FpcReader in) {
        long sequence = in.u32AsLong("reported sequence");
        FpcStatus status = FpcStatus.fromCode(in.u8("status"));
        return new FpcReport(sequence, status, in.string("text", FpcConstants.MAX_REPORT_TEXT));
    }

    static FpcVrf decodeVrf(boolean add, FpcReader in) {
        int vrf = in.u32("vrf");
        return new FpcVrf(add, vrf, in.string("VRF name", FpcConstants.MAX_VRF_NAME));
    }

    static FpcPolicyRouting decodePolicyRouting(boolean add, FpcReader in) {
        int vrf = in.u32("vrf");
        return new FpcPolicyRouting(add, vrf, in.u8("policy routing families"));
    }

    static FpcLink decodeLink(boolean add, FpcReader in) {
        int vrf = in.u32("vrf");
        int ifindex = in.u32("ifindex");
        int mtu = in.u32("mtu");
        int flags = in.u32("flags");
        int master = in.u32("master");
        int operState = in.u8("operational state");
        byte[] mac = in.mac("MAC");
        String name = in.string("link name", FpcConstants.MAX_LINK_NAME);
        String kind = in.string("link kind", FpcConstants.MAX_LINK_KIND);
        return new FpcLink(add, vrf, ifindex, name, kind, mac, mtu, flags, operState, master);
    }

    static FpcVxlan decodeVxlan(boolean add, FpcReader in) {
        int vrf = in.u32("vrf");
        int ifindex = in.u32("ifindex");
        int vni = in.u32("VNI");
        int port = in.u16("VXLAN port");
        InetAddress local = in.address("local address", true);
        InetAddress remote = in.address("remote address", true);
        int ttl = in.u8("VXLAN TTL");
        return new FpcVxlan(add, vrf, ifindex, vni, port, local, remote, ttl);
    }

    static FpcAddress decodeAddress(boolean add, FpcReader in) {
        int vrf = in.u32("vrf");
        int ifindex = in.u32("ifindex");
        int prefixLength = in.u8("prefix length");
        InetAddress address = in.address("address", false);
        checkPrefixLength(address, prefixLength);
        return new FpcAddress(add, vrf, ifindex, prefixLength, address);
    }

    static FpcNeighbour decodeNeighbour(boolean add, FpcReader in) {
        int vrf = in.u32("vrf");
        int ifindex = in.u32("ifindex");
        int state = in.u16("state");
        int flags = in.u8("neighbour flags");
        if ((flags & ~FpcConstants.NEIGHBOUR_ROUTER) != 0) {
            throw new FpcProtocolException("unknown neighbour flags 0x" + Integer.toHexString(flags));
        }
        InetAddress address = in.address("neighbour address", false);
        byte[] mac = in.mac("MAC");
        return new FpcNeighbour(add, vrf, ifindex, address, state, mac, (flags & FpcConstants.NEIGHBOUR_ROUTER) != 0);
    }

    /** A route list's count u16, then that many route bodies; the count is bounded by the bytes left first. */
    static FpcRouteList decodeRouteList(FpcReader in) {
        int count = in.u16("route count");
        if (count == 0 || (long) count * MIN_ROUTE_LENGTH > in.remaining()) {
            throw new FpcProtocolException("route count " + count + " does not fit in the " + in.remaining()
                    + " bytes left (1 to " + (in.remaining() / MIN_ROUTE_LENGTH) + " routes of at least "
                    + MIN_ROUTE_LENGTH + " bytes)");
        }
        FpcRoute[] routes = new FpcRoute[count];
        for (int i = 0; i < count; i++) {
            routes[i] = decodeRoute(true, in);
        }
        return new FpcRouteList(List.of(routes));
    }

    static FpcRoute decodeRoute(boolean add, FpcReader in) {
        int vrf = in.u32("vrf");
        int table = in.u32("table");
        FpcRouteType type = FpcRouteType.fromCode(in.u8("route type"));
        int prefixLength = in.u8("prefix length");
        InetAddress prefix = in.address("prefix", false);
        checkPrefixLength(prefix, prefixLength);
        int count = in.u16("nexthop count");
        // Bound the count by what the body can hold before sizing anything from it.
        if (count > FpcConstants.MAX_NEXTHOPS
                || (long) count * MIN_NEXTHOP_LENGTH + NEXTHOP_ID_LENGTH > in.remaining()) {
            throw new FpcProtocolException("nexthop count " + count + " does not fit in the " + in.remaining()
                    + " bytes left (at most " + FpcConstants.MAX_NEXTHOPS + ", then the nexthop id u32)");
        }
        List<FpcNexthop> nexthops;
        if (count == 1) {
            // Most routes: an immutable one-element list, which FpcRoute keeps as it is (no copy).
            nexthops = List.of(nexthop(in));
        } else if (count == 0) {
            nexthops = List.of();
        } else {
            FpcNexthop[] all = new FpcNexthop[count];
            for (int i = 0; i < count; i++) {
                all[i] = nexthop(in);
            }
            nexthops = List.of(all);
        }
        int nexthopId = in.u32("nexthop id");
        return new FpcRoute(add, vrf, table, prefix, prefixLength, type, nexthops, nexthopId);
    }

    static FpcNexthopObject decodeNexthopObject(boolean add, FpcReader in) {
        int vrf = in.u32("vrf");
        int id = in.u32("nexthop id");
        int ifindex = in.u32("ifindex");
        int flags = in.u8("nexthop flags");
        if ((flags & ~FpcConstants.NEXTHOP_BLACKHOLE) != 0) {
            throw new FpcProtocolException("unknown nexthop flags 0x" + Integer.toHexString(flags));
        }
        InetAddress gateway = in.address("gateway", true);
        return new FpcNexthopObject(add, vrf, id, ifindex, gateway, (flags & FpcConstants.NEXTHOP_BLACKHOLE) != 0);
    }

    static FpcNexthopGroup decodeNexthopGroup(boolean add, FpcReader in) {
        int vrf = in.u32("vrf");
        int id = in.u32("group id");
        int count = in.u16("member count");
        // Bound the count by what the body can hold before sizing anything from it.
        if (count > FpcConstants.MAX_GROUP_MEMBERS || (long) count * GROUP_MEMBER_LENGTH > in.remaining()) {
            throw new FpcProtocolException("member count " + count + " does not fit in the " + in.remaining()
                    + " bytes left (at most " + FpcConstants.MAX_GROUP_MEMBERS + ")");
        }
        FpcGroupMember[] members = new FpcGroupMember[count];
        for (int i = 0; i < count; i++) {
            int member = in.u32("member id");
            long weight = in.u32AsLong("member weight");
            if (weight < 1 || weight > FpcGroupMember.MAX_WEIGHT) {
                throw new FpcProtocolException("member weight " + weight + " out of range 1.." + FpcGroupMember.MAX_WEIGHT);
            }
            members[i] = new FpcGroupMember(member, (int) weight);
        }
        return new FpcNexthopGroup(add, vrf, id, List.of(members));
    }

    static FpcControl decodeControl(FpcReader in) {
        FpcControlType type = FpcControlType.fromCode(in.u8("control type"));
        int vrf = in.u32("vrf");
        int ifindex = in.u32("ifindex");
        long value = in.u64("value");
        return new FpcControl(type, vrf, ifindex, value);
    }

    private static FpcNexthop nexthop(FpcReader in) {
        int ifindex = in.u32("nexthop ifindex");
        int weight = in.u16("nexthop weight");
        InetAddress gateway = in.address("gateway", true);
        return new FpcNexthop(ifindex, gateway, weight);
    }

    private static void checkPrefixLength(InetAddress address, int prefixLength) {
        if (prefixLength > FpcChecks.bits(address)) {
            throw new FpcProtocolException("prefix length " + prefixLength + " is longer than the address ("
                    + FpcChecks.bits(address) + " bits)");
        }
    }
}
