package io.xdpgate.fpc;

import io.netty.buffer.ByteBuf;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reading and writing of the body's field kinds. Every read checks the remaining bytes first and
 * names the field it was reading, so a short or lying body gives a precise FpcProtocolException.
 */
final class FpcWire {
    private FpcWire() {
    }

    private static void need(ByteBuf in, int bytes, String field) {
        if (in.readableBytes() < bytes) {
            throw new FpcProtocolException("truncated body: " + field + " needs " + bytes + " bytes, "
                    + in.readableBytes() + " left");
        }
    }

    static int u8(ByteBuf in, String field) {
        need(in, 1, field);
        return in.readUnsignedByte();
    }

    static int u16(ByteBuf in, String field) {
        need(in, 2, field);
        return in.readUnsignedShort();
    }

    static int u32(ByteBuf in, String field) {
        need(in, 4, field);
        return in.readInt();
    }

    static long u32AsLong(ByteBuf in, String field) {
        need(in, 4, field);
        return in.readUnsignedInt();
    }

    static long u64(ByteBuf in, String field) {
        need(in, 8, field);
        return in.readLong();
    }

    static boolean bool(ByteBuf in, String field) {
        int v = u8(in, field);
        if (v > 1) {
            throw new FpcProtocolException(field + " is " + v + ", expected 0 or 1");
        }
        return v == 1;
    }

    /** u16 length + UTF-8 bytes; the length is checked against the field's bound and the body before reading. */
    static String string(ByteBuf in, String field, int maxBytes) {
        int length = u16(in, field + " length");
        if (length > maxBytes) {
            throw new FpcProtocolException(field + " length " + length + " exceeds " + maxBytes);
        }
        need(in, length, field);
        ByteBuffer bytes = in.nioBuffer(in.readerIndex(), length);
        in.skipBytes(length);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new FpcProtocolException(field + " is not valid UTF-8", e);
        }
    }

    static void string(ByteBuf out, String value) {
        int lengthIndex = out.writerIndex();
        out.writeShort(0);
        int length = out.writeCharSequence(value, StandardCharsets.UTF_8);
        out.setShort(lengthIndex, length);
    }

    /** u8 length (0 or 6) + bytes. */
    static byte[] mac(ByteBuf in, String field) {
        int length = u8(in, field + " length");
        if (length != 0 && length != FpcConstants.MAC_LENGTH) {
            throw new FpcProtocolException(field + " length " + length + ", expected 0 or 6");
        }
        need(in, length, field);
        byte[] mac = new byte[length];
        in.readBytes(mac);
        return mac;
    }

    static void mac(ByteBuf out, byte[] mac) {
        out.writeByte(mac.length);
        out.writeBytes(mac);
    }

    /** family u8 (AF_INET = 2, AF_INET6 = 10; AF_UNSPEC = 0 only where {@code optional}) + 4 or 16 bytes. */
    static InetAddress address(ByteBuf in, String field, boolean optional) {
        int family = u8(in, field + " family");
        int length;
        if (family == FpcConstants.AF_INET) {
            length = 4;
        } else if (family == FpcConstants.AF_INET6) {
            length = 16;
        } else if (family == FpcConstants.AF_UNSPEC && optional) {
            return null;
        } else {
            throw new FpcProtocolException(field + " has unknown address family " + family);
        }
        need(in, length, field);
        byte[] bytes = new byte[length];
        in.readBytes(bytes);
        try {
            // Inet6Address.getByAddress keeps IPv4-mapped IPv6 addresses IPv6 (InetAddress.getByAddress would not).
            return length == 4 ? InetAddress.getByAddress(bytes) : Inet6Address.getByAddress(null, bytes, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // only thrown for a wrong array length
        }
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
