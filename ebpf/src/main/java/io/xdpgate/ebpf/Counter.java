package io.xdpgate.ebpf;

/** One fast path counter ({@code struct xg_counter}), summed over CPUs where it comes from xg_stats. */
public record Counter(long packets, long bytes) {
    public static final Counter ZERO = new Counter(0, 0);

    public Counter plus(Counter other) {
        return new Counter(packets + other.packets, bytes + other.bytes);
    }

    static Counter decode(byte[] value) {
        StructBytes b = StructBytes.wrap(MapLayouts.COUNTER, value);
        return new Counter(b.host64("packets"), b.host64("bytes"));
    }

    /** The counter at {@code offset} of a value that holds several (a port's {@link MapLayouts#PORT_COUNTERS}). */
    static Counter decode(byte[] value, int offset) {
        return decode(java.util.Arrays.copyOfRange(value, offset, offset + MapLayouts.COUNTER.size()));
    }

    byte[] encode() {
        return StructBytes.allocate(MapLayouts.COUNTER).host64("packets", packets).host64("bytes", bytes).array();
    }
}
