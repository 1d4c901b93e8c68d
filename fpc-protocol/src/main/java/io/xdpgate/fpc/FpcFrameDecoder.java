package io.xdpgate.fpc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

/**
 * Splits the byte stream into whole FPC messages and decodes each one in place into an
 * {@link FpcEnvelope} (see {@link FpcMessageDecoder}): one pipeline stage, no buffer slice retained
 * per message. The version and the length field are checked as soon as they arrive, before the decoder
 * waits for (and buffers) a body whose size comes from the peer: a wrong version, a length under 16 or
 * over 65535 fails at once.
 */
public class FpcFrameDecoder extends LengthFieldBasedFrameDecoder {
    public FpcFrameDecoder() {
        // length covers the whole message: adjustment -16 turns "length field end + value" into "value".
        super(FpcConstants.MAX_MESSAGE_LENGTH, FpcConstants.OFFSET_LENGTH, 4,
                -FpcConstants.HEADER_LENGTH, 0, true);
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
        int start = in.readerIndex();
        int readable = in.readableBytes();
        if (readable > FpcConstants.OFFSET_VERSION) {
            int version = in.getUnsignedByte(start + FpcConstants.OFFSET_VERSION);
            if (version != FpcConstants.VERSION) {
                throw new FpcProtocolException("unknown FPC version " + version + ", this end speaks "
                        + FpcConstants.VERSION);
            }
        }
        if (readable >= FpcConstants.HEADER_LENGTH) {
            long length = in.getUnsignedInt(start + FpcConstants.OFFSET_LENGTH);
            if (length < FpcConstants.HEADER_LENGTH || length > FpcConstants.MAX_MESSAGE_LENGTH) {
                throw new FpcProtocolException("FPC message length " + length + " out of range "
                        + FpcConstants.HEADER_LENGTH + ".." + FpcConstants.MAX_MESSAGE_LENGTH);
            }
        }
        ByteBuf frame = (ByteBuf) super.decode(ctx, in);
        return frame == null ? null : FpcMessageDecoder.decode(frame);
    }

    /** A view of the message in the received bytes, decoded before anything else is read: nothing to retain. */
    @Override
    protected ByteBuf extractFrame(ChannelHandlerContext ctx, ByteBuf buffer, int index, int length) {
        return buffer.slice(index, length);
    }
}
