package io.xdpgate.fpc;

import static io.xdpgate.fpc.FpcWire.address;
import static io.xdpgate.fpc.FpcWire.bool;
import static io.xdpgate.fpc.FpcWire.mac;
import static io.xdpgate.fpc.FpcWire.string;
import static io.xdpgate.fpc.FpcWire.u16;
import static io.xdpgate.fpc.FpcWire.u32;
import static io.xdpgate.fpc.FpcWire.u32AsLong;
import static io.xdpgate.fpc.FpcWire.u64;
import static io.xdpgate.fpc.FpcWire.u8;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one frame (from {@link FpcFrameDecoder}) into an {@link FpcEnvelope}. Stateless and shareable.
 * Every body must be consumed exactly; anything else is an {@link FpcProtocolException}.
 */
@io.netty.channel.ChannelHandler.Sharable
public class FpcMessageDecoder extends MessageToMessageDecoder<ByteBuf> {
    /** Smallest nexthop on the wire: ifindex u32, weight u16, gateway family u8 (AF_UNSPEC). */
    private static final int MIN_NEXTHOP_LENGTH = 7;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        out.add(decode(frame));
    }

    /** Decodes one whole message, header included, consuming {@code frame} up to its end. */
    public static FpcEnvelope decode(ByteBuf frame) {
        int available = frame.readableBytes();
        if (available < FpcConstants.HEADER_LENGTH) {
            throw new FpcProtocolException("truncated header: " + available + " bytes, need " + FpcConstants.HEADER_LENGTH);
        }
        int version = frame.readUnsignedByte();
        if (version != FpcConstants.VERSION) {
            throw new FpcProtocolException("unknown FPC version " + version + ", this end speaks " + FpcConstants.VERSION);
        }
        FpcMessageType type = FpcMessageType.fromCode(frame.readUnsignedByte());
        int flags = frame.readUnsignedShort();
        long sequence = frame.readUnsignedInt();
        long report = frame.readUnsignedInt();
        long length = frame.readUnsignedInt();
        if (length != available) {
            throw new FpcProtocolException(type + ": length field says " + length + " bytes, frame has " + available);
        }
        if ((flags & ~FpcConstants.KNOWN_FLAGS) != 0) {
            throw new FpcProtocolException(type + ": unknown header flags 0x" + Integer.toHexString(flags));
        }
        if (type.numbered() != (sequence != 0)) {
            throw new FpcProtocolException(type + (sequence == 0 ? " without a sequence number"
                    : " must be unnumbered, has sequence " + sequence));
        }
        FpcMessage message;
        try {
            message = decodeBody(type, frame);
        } catch (IllegalArgumentException e) {
            // A record refused a value the wire format allows (for example weight 0): same as any bad field.
            throw new FpcProtocolException(type + ": " + e.getMessage(), e);
        }
        if (frame.isReadable()) {
            throw new FpcProtocolException(type + ": " + frame.readableBytes() + " bytes left after the body");
        }
        return new FpcEnvelope(flags, sequence, report, message);
    }

    static FpcMessage decodeBody(FpcMessageType type, ByteBuf in) {
        return switch (type) {
            case HELLO -> decodeHello(in);
            case REPORT -> decodeReport(in);
            case KEEPALIVE -> new FpcKeepalive();
            case SYNC_BEGIN -> new FpcSyncBegin(u64(in, "generation"));
            case SYNC_END -> new FpcSyncEnd(u64(in, "generation"));
            case VRF_ADD, VRF_DEL -> decodeVrf(type == FpcMessageType.VRF_ADD, in);
            case LINK_ADD, LINK_DEL -> decodeLink(type == FpcMessageType.LINK_ADD, in);
            case ADDRESS_ADD, ADDRESS_DEL -> decodeAddress(type == FpcMessageType.ADDRESS_ADD, in);
            case NEIGHBOUR_ADD, NEIGHBOUR_DEL -> decodeNeighbour(type == FpcMessageType.NEIGHBOUR_ADD, in);
            case ROUTE_ADD, ROUTE_DEL -> decodeRoute(type == FpcMessageType.ROUTE_ADD, in);
        };
    }

    static FpcHello decodeHello(ByteBuf in) {
        int version = u8(in, "version");
        long capabilities = u64(in, "capabilities");
        return new FpcHello(version, capabilities, string(in, "identity", FpcConstants.MAX_IDENTITY));
    }

    static FpcReport decodeReport(ByteBuf in) {
        long sequence = u32AsLong(in, "reported sequence");
        FpcStatus status = FpcStatus.fromCode(u8(in, "status"));
        return new FpcReport(sequence, status, string(in, "text", FpcConstants.MAX_REPORT_TEXT));
    }

    static FpcVrf decodeVrf(boolean add, ByteBuf in) {
        int vrf = u32(in, "vrf");
        return new FpcVrf(add, vrf, string(in, "VRF name", FpcConstants.MAX_VRF_NAME));
    }

    static FpcLink decodeLink(boolean add, ByteBuf in) {
        int vrf = u32(in, "vrf");
        int ifindex = u32(in, "ifindex");
        int mtu = u32(in, "mtu");
        int flags = u32(in, "flags");
        int master = u32(in, "master");
        int operState = u8(in, "operational state");
        byte[] mac = mac(in, "MAC");
        String name = string(in, "link name", FpcConstants.MAX_LINK_NAME);
        String kind = string(in, "link kind", FpcConstants.MAX_LINK_KIND);
        return new FpcLink(add, vrf, ifindex, name, kind, mac, mtu, flags, operState, master);
    }

    static FpcAddress decodeAddress(boolean add, ByteBuf in) {
        int vrf = u32(in, "vrf");
        int ifindex = u32(in, "ifindex");
        int prefixLength = u8(in, "prefix length");
        InetAddress address = address(in, "address", false);
        checkPrefixLength(address, prefixLength);
        return new FpcAddress(add, vrf, ifindex, prefixLength, address);
    }

    static FpcNeighbour decodeNeighbour(boolean add, ByteBuf in) {
        int vrf = u32(in, "vrf");
        int ifindex = u32(in, "ifindex");
        int state = u16(in, "state");
        int flags = u8(in, "neighbour flags");
        if ((flags & ~FpcConstants.NEIGHBOUR_ROUTER) != 0) {
            throw new FpcProtocolException("unknown neighbour flags 0x" + Integer.toHexString(flags));
        }
        InetAddress address = address(in, "neighbour address", false);
        byte[] mac = mac(in, "MAC");
        return new FpcNeighbour(add, vrf, ifindex, address, state, mac, (flags & FpcConstants.NEIGHBOUR_ROUTER) != 0);
    }

    static FpcRoute decodeRoute(boolean add, ByteBuf in) {
        int vrf = u32(in, "vrf");
        int table = u32(in, "table");
        FpcRouteType type = FpcRouteType.fromCode(u8(in, "route type"));
        int prefixLength = u8(in, "prefix length");
        InetAddress prefix = address(in, "prefix", false);
        checkPrefixLength(prefix, prefixLength);
        int count = u16(in, "nexthop count");
        // Bound the count by what the body can hold before sizing anything from it.
        if (count > FpcConstants.MAX_NEXTHOPS || (long) count * MIN_NEXTHOP_LENGTH > in.readableBytes()) {
            throw new FpcProtocolException("nexthop count " + count + " does not fit in the " + in.readableBytes()
                    + " bytes left (at most " + FpcConstants.MAX_NEXTHOPS + ")");
        }
        List<FpcNexthop> nexthops = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int ifindex = u32(in, "nexthop ifindex");
            int weight = u16(in, "nexthop weight");
            InetAddress gateway = address(in, "gateway", true);
            nexthops.add(new FpcNexthop(ifindex, gateway, weight));
        }
        return new FpcRoute(add, vrf, table, prefix, prefixLength, type, nexthops);
    }

    private static void checkPrefixLength(InetAddress address, int prefixLength) {
        if (prefixLength > FpcChecks.bits(address)) {
            throw new FpcProtocolException("prefix length " + prefixLength + " is longer than the address ("
                    + FpcChecks.bits(address) + " bits)");
        }
    }
}
