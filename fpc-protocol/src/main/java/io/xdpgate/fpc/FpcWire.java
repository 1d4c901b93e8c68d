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
        out.writeByte(address instanceof Inet4Address ? FpcConstants.AF_INET : FpcConstants.AF_INET6);
        out.writeBytes(address.getAddress());
    }
}
