package io.xdpgate.fpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

final class FpcTestSupport {
    private FpcTestSupport() {
    }

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] mac(String text) {
        String[] parts = text.split(":");
        byte[] mac = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            mac[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return mac;
    }

    static byte[] encode(FpcEnvelope... envelopes) {
        EmbeddedChannel ch = new EmbeddedChannel(FpcMessageEncoder.INSTANCE);
        ByteBuf all = Unpooled.buffer();
        for (FpcEnvelope e : envelopes) {
            ch.writeOutbound(e);
            ByteBuf b = ch.readOutbound();
            all.writeBytes(b);
            b.release();
        }
        ch.finishAndReleaseAll();
        return ByteBufUtil.getBytes(all);
    }

    static EmbeddedChannel decoderChannel() {
        return new EmbeddedChannel(new FpcFrameDecoder());
    }

    /** Decodes a whole stream written in one piece. */
    static List<FpcEnvelope> decode(byte[] bytes) {
        EmbeddedChannel ch = decoderChannel();
        try {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes));
            List<FpcEnvelope> out = new ArrayList<>();
            for (Object o; (o = ch.readInbound()) != null; ) {
                out.add((FpcEnvelope) o);
            }
            return out;
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    static byte[] hex(String hex) {
        return ByteBufUtil.decodeHexDump(hex.replaceAll("\\s", ""));
    }
}
