package io.xdpgate.fpc;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the body fields of one message. The body is copied once from the frame into an array this
 * reader keeps (one reader per thread, reused for every message), and the fields are then read from
 * that array: one buffer access per message instead of one per field. Every read checks the bytes
 * left first and names the field it was reading, so a short or lying body gives a precise
 * {@link FpcProtocolException}; the texts are those of the field kinds in docs/fpc-protocol.md.
 *
 * <p>The array grows to the largest body this thread has decoded, which the caller bounds
 * (at most {@link FpcConstants#MAX_MESSAGE_LENGTH} - 16 bytes, and never more than what was received).
 */
final class FpcReader {
    private static final FastThreadLocal<FpcReader> PER_THREAD = new FastThreadLocal<>() {
        @Override
        protected FpcReader initialValue() {
            return new FpcReader();
        }
    };
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final int INITIAL_CAPACITY = 256;

    private byte[] bytes = new byte[INITIAL_CAPACITY];
    private int pos;
    private int end;

    private FpcReader() {
    }

    /**
     * This thread's reader, holding a copy of {@code length} bytes of {@code in} from {@code index}.
     * The caller has checked that these bytes are there and within the message size limit.
     */
    static FpcReader of(ByteBuf in, int index, int length) {
        FpcReader r = PER_THREAD.get();
        byte[] b = r.bytes;
        if (b.length < length) {
            // Grows in powers of two up to the body actually received, never from a length field.
            b = r.bytes = new byte[Math.max(INITIAL_CAPACITY, Integer.highestOneBit(length - 1) << 1)];
        }
        in.getBytes(index, b, 0, length);
        r.pos = 0;
        r.end = length;
        return r;
    }

    /** Bytes not read yet. */
    int remaining() {
        return end - pos;
    }

    private void need(int n, String field) {
        need(n, field, "");
    }

    /** The field's name is {@code field + suffix}, concatenated only for the error. */
    private void need(int n, String field, String suffix) {
        if (end - pos < n) {
            throw new FpcProtocolException("truncated body: " + field + suffix + " needs " + n + " bytes, " + (end - pos)
                    + " left");
        }
    }

    int u8(String field) {
        return u8(field, "");
    }

    private int u8(String field, String suffix) {
        need(1, field, suffix);
        return bytes[pos++] & 0xff;
    }

    int u16(String field) {
        return u16(field, "");
    }

    private int u16(String field, String suffix) {
        need(2, field, suffix);
        int v = (short) SHORT.get(bytes, pos) & 0xffff;
        pos += 2;
        return v;
    }

    int u32(String field) {
        need(4, field);
        int v = (int) INT.get(bytes, pos);
        pos += 4;
        return v;
    }

    long u32AsLong(String field) {
        return u32(field) & 0xffff_ffffL;
    }

    long u64(String field) {
        need(8, field);
        long v = (long) LONG.get(bytes, pos);
        pos += 8;
        return v;
    }

    /** u16 length + UTF-8 bytes; the length is checked against the field's bound and the body before reading. */
    String string(String field, int maxBytes) {
        int length = u16(field, " length");
        if (length > maxBytes) {
            throw new FpcProtocolException(field + " length " + length + " exceeds " + maxBytes);
        }
        need(length, field);
        int from = pos;
        pos += length;
        boolean ascii = true;
        for (int i = from; i < from + length; i++) {
            if (bytes[i] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            // ASCII is valid UTF-8 and decodes to the same characters in ISO-8859-1, without a decoder.
            return new String(bytes, from, length, StandardCharsets.ISO_8859_1);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, from, length)).toString();
        } catch (CharacterCodingException e) {
            throw new FpcProtocolException(field + " is not valid UTF-8", e);
        }
    }

    /** u8 length (0 or 6) + bytes. */
    byte[] mac(String field) {
        int length = u8(field, " length");
        if (length != 0 && length != FpcConstants.MAC_LENGTH) {
            throw new FpcProtocolException(field + " length " + length + ", expected 0 or 6");
        }
        need(length, field);
        byte[] mac = Arrays.copyOfRange(bytes, pos, pos + length);
        pos += length;
        return mac;
    }

    /** family u8 (AF_INET = 2, AF_INET6 = 10; AF_UNSPEC = 0 only where {@code optional}) + 4 or 16 bytes. */
    InetAddress address(String field, boolean optional) {
        int family = u8(field, " family");
        try {
            if (family == FpcConstants.AF_INET) {
                need(4, field);
                // The JDK keeps the four bytes as an int; the array is the address's only temporary.
                InetAddress a = InetAddress.getByAddress(Arrays.copyOfRange(bytes, pos, pos + 4));
                pos += 4;
                return a;
            }
            if (family == FpcConstants.AF_INET6) {
                need(16, field);
                // Inet6Address.getByAddress keeps IPv4-mapped IPv6 addresses IPv6 (InetAddress.getByAddress would not).
                InetAddress a = Inet6Address.getByAddress(null, Arrays.copyOfRange(bytes, pos, pos + 16), -1);
                pos += 16;
                return a;
            }
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // only thrown for a wrong array length
        }
        if (family == FpcConstants.AF_UNSPEC && optional) {
            return null;
        }
        throw new FpcProtocolException(field + " has unknown address family " + family);
    }
}
