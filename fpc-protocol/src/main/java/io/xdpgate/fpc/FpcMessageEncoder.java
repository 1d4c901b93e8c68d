package io.xdpgate.fpc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/** Writes {@link FpcEnvelope}s. Stateless; one instance serves every channel. */
@Sharable
public class FpcMessageEncoder extends MessageToByteEncoder<FpcEnvelope> {
    public static final FpcMessageEncoder INSTANCE = new FpcMessageEncoder();

    @Override
    protected void encode(ChannelHandlerContext ctx, FpcEnvelope envelope, ByteBuf out) {
        encode(envelope, out);
    }

    /** Appends one whole message to {@code out}. */
    public static void encode(FpcEnvelope envelope, ByteBuf out) {
        FpcMessage message = envelope.message();
        int start = out.writerIndex();
        out.writeByte(FpcConstants.VERSION);
        out.writeByte(message.messageType().code());
        out.writeShort(envelope.flags());
        out.writeInt((int) envelope.sequence());
        out.writeInt((int) envelope.report());
        out.writeInt(0); // length, set once the body is written
        encodeBody(message, out);
        int length = out.writerIndex() - start;
        // Valid records always fit (their bounds are chosen so); this guards against a future field that would not.
        if (length > FpcConstants.MAX_MESSAGE_LENGTH) {
            out.writerIndex(start);
            throw new IllegalArgumentException(message.messageType() + " encodes to " + length + " bytes, max "
                    + FpcConstants.MAX_MESSAGE_LENGTH);
        }
        out.setInt(start + FpcConstants.OFFSET_LENGTH, length);
    }

    private static void encodeBody(FpcMessage message, ByteBuf out) {
        // Java 17 has no pattern switch; the sealed interface keeps this list complete (see the round-trip test).
        if (message instanceof FpcHello h) {
            out.writeByte(h.version());
            out.writeLong(h.capabilities());
            FpcWire.string(out, h.identity());
        } else if (message instanceof FpcReport r) {
            if (r.sequence() > 0xffff_ffffL) {
                throw new IllegalArgumentException("report sequence " + r.sequence() + " does not fit in 32 bits");
            }
            out.writeInt((int) r.sequence());
            out.writeByte(r.status().code());
            FpcWire.string(out, r.text());
        } else if (message instanceof FpcKeepalive) {
            return; // no body
        } else if (message instanceof FpcSyncBegin s) {
            out.writeLong(s.generation());
            out.writeInt(s.vrf());
        } else if (message instanceof FpcSyncEnd s) {
            out.writeLong(s.generation());
            out.writeInt(s.vrf());
        } else if (message instanceof FpcVrf v) {
            out.writeInt(v.vrf());
            FpcWire.string(out, v.name());
        } else if (message instanceof FpcPolicyRouting p) {
            out.writeInt(p.vrf());
            out.writeByte(p.families());
        } else if (message instanceof FpcVxlan v) {
            out.writeInt(v.vrf());
            out.writeInt(v.ifindex());
            out.writeInt(v.vni());
            out.writeShort(v.port());
            FpcWire.address(out, v.local());
            FpcWire.address(out, v.remote());
            out.writeByte(v.ttl());
        } else if (message instanceof FpcLink l) {
            out.writeInt(l.vrf());
            out.writeInt(l.ifindex());
            out.writeInt(l.mtu());
            out.writeInt(l.flags());
            out.writeInt(l.master());
            out.writeByte(l.operState());
            FpcWire.mac(out, l.macUnsafe());
            FpcWire.string(out, l.name());
            FpcWire.string(out, l.kind());
        } else if (message instanceof FpcAddress a) {
            out.writeInt(a.vrf());
            out.writeInt(a.ifindex());
            out.writeByte(a.prefixLength());
            FpcWire.address(out, a.address());
        } else if (message instanceof FpcNeighbour n) {
            out.writeInt(n.vrf());
            out.writeInt(n.ifindex());
            out.writeShort(n.state());
            out.writeByte(n.router() ? FpcConstants.NEIGHBOUR_ROUTER : 0);
            FpcWire.address(out, n.address());
            FpcWire.mac(out, n.macUnsafe());
        } else if (message instanceof FpcRoute r) {
            encodeRoute(r, out);
        } else if (message instanceof FpcRouteList l) {
            out.writeShort(l.routes().size());
            for (FpcRoute r : l.routes()) {
                encodeRoute(r, out);
            }
        } else if (message instanceof FpcNexthopObject n) {
            out.writeInt(n.vrf());
            out.writeInt(n.id());
            out.writeInt(n.ifindex());
            out.writeByte(n.blackhole() ? FpcConstants.NEXTHOP_BLACKHOLE : 0);
            FpcWire.address(out, n.gateway());
        } else if (message instanceof FpcNexthopGroup g) {
            out.writeInt(g.vrf());
            out.writeInt(g.id());
            out.writeShort(g.members().size());
            for (FpcGroupMember m : g.members()) {
                out.writeInt(m.id());
                out.writeInt(m.weight());
            }
        } else if (message instanceof FpcControl c) {
            out.writeByte(c.type().code());
            out.writeInt(c.vrf());
            out.writeInt(c.ifindex());
            out.writeLong(c.value());
        } else {
            throw new IllegalArgumentException("no encoding for " + message.getClass());
        }
    }

    /** A ROUTE_ADD or ROUTE_DEL body, also each route of a ROUTE_ADD_LIST. */
    private static void encodeRoute(FpcRoute r, ByteBuf out) {
        out.writeInt(r.vrf());
        out.writeInt(r.table());
        out.writeByte(r.type().code());
        out.writeByte(r.prefixLength());
        FpcWire.address(out, r.prefix());
        out.writeShort(r.nexthops().size());
        for (FpcNexthop nh : r.nexthops()) {
            out.writeInt(nh.ifindex());
            out.writeShort(nh.weight());
            FpcWire.address(out, nh.gateway());
        }
        out.writeInt(r.nexthopId());
    }
}
