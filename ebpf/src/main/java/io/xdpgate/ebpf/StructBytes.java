package io.xdpgate.ebpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads and writes one struct of xdpgate.h by field name, at the offsets of
 * {@link MapLayouts}; each accessor checks that the field has the size it implies.
 * "host" accessors use the host byte order, "be" ones network order.
 */
final class StructBytes {
    private final MapLayouts.Struct struct;
    private final ByteBuffer host;
    private final ByteBuffer net;

    private StructBytes(MapLayouts.Struct struct, byte[] bytes) {
        this.struct = struct;
        this.host = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        this.net = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
    }

    static StructBytes allocate(MapLayouts.Struct struct) {
        return new StructBytes(struct, new byte[struct.size()]);
    }

    static StructBytes wrap(MapLayouts.Struct struct, byte[] bytes) {
        if (bytes.length != struct.size()) {
            throw new IllegalArgumentException(
                    "struct " + struct.name() + " is " + struct.size() + " bytes, got " + bytes.length);
        }
        return new StructBytes(struct, bytes);
    }

    byte[] array() {
        return host.array();
    }

    private int offset(String field, int size) {
        MapLayouts.Field f = struct.field(field);
        if (f.size() != size) {
            throw new IllegalArgumentException(struct.name() + "." + field + " is " + f.size() + " bytes, not " + size);
        }
        return f.offset();
    }

    StructBytes u8(String field, int value) {
        host.put(offset(field, 1), (byte) value);
        return this;
    }

    StructBytes host16(String field, int value) {
        host.putShort(offset(field, 2), (short) value);
        return this;
    }

    StructBytes host32(String field, int value) {
        host.putInt(offset(field, 4), value);
        return this;
    }

    StructBytes host64(String field, long value) {
        host.putLong(offset(field, 8), value);
        return this;
    }

    StructBytes be32(String field, int value) {
        net.putInt(offset(field, 4), value);
        return this;
    }

    StructBytes bytes(String field, byte[] value) {
        int off = offset(field, value.length);
        System.arraycopy(value, 0, host.array(), off, value.length);
        return this;
    }

    /** A field that is an array of 32-bit values, each in host order. */
    StructBytes host32s(String field, int[] values) {
        int off = offset(field, 4 * values.length);
        for (int i = 0; i < values.length; i++) {
            host.putInt(off + 4 * i, values[i]);
        }
        return this;
    }

    int u8(String field) {
        return host.get(offset(field, 1)) & 0xff;
    }

    int host16(String field) {
        return host.getShort(offset(field, 2)) & 0xffff;
    }

    int host32(String field) {
        return host.getInt(offset(field, 4));
    }

    long host64(String field) {
        return host.getLong(offset(field, 8));
    }

    int be32(String field) {
        return net.getInt(offset(field, 4));
    }

    int[] host32s(String field) {
        MapLayouts.Field f = struct.field(field);
        if (f.size() % 4 != 0) {
            throw new IllegalArgumentException(struct.name() + "." + field + " is not an array of 32-bit values");
        }
        int[] out = new int[f.size() / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = host.getInt(f.offset() + 4 * i);
        }
        return out;
    }

    byte[] bytes(String field) {
        MapLayouts.Field f = struct.field(field);
        byte[] out = new byte[f.size()];
        System.arraycopy(host.array(), f.offset(), out, 0, f.size());
        return out;
    }
}
