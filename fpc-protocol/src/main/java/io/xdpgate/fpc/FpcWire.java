package io.xdpgate.fpc;

import io.netty.buffer.ByteBuf;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * Writing of the body's field kinds (reading is {@link FpcReader}'s).
 */
final class FpcWire {
    private FpcWire() {
    }

    static void string(ByteBuf out, String value) {
        int lengthIndex = out.writerIndex();
        out.writeShort(0);
        int length = out.writeCharSequence(value, StandardCharsets.UTF_8);
        out.setShort(lengthIndex, length);
    }

    static void mac(ByteBuf out, byte[] mac) {
        out.writeByte(mac.length);
        out.writeBytes(mac);
    }

    static void address(ByteBuf out, InetAddress address) {
        if (address == null) {
            out.writeByte(FpcConstants.AF_UNSPEC);
            return;
        }
        byte[] b = address.getAddress();
        // As whole words: writeBytes of 4 or 16 bytes goes through a general copy that cost more than
        // the rest of a route's encoding.
        if (address instanceof Inet4Address) {
            out.writeByte(FpcConstants.AF_INET);
            out.writeInt(word(b, 0));
        } else {
            out.writeByte(FpcConstants.AF_INET6);
            out.writeInt(word(b, 0));
            out.writeInt(word(b, 4));
            out.writeInt(word(b, 8));
            out.writeInt(word(b, 12));
        }
    }

    private static int word(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | b[at + 3] & 0xff;
    }
}
