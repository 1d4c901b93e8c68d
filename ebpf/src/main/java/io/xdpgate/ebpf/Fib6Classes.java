package io.xdpgate.ebpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The IPv6 routes of /17 and longer of one large VRF (xdpgate.h, xg_fib6_cls and the VRF's
 * {@link Fib6Guide}): each route stored under the prefixes of its class length that it covers,
 * each of those holding the longest route of the class that covers it. What a prefix holds is
 * decided from the VRF's routes as the writer knows them ({@link FastPathMaps.Routes6}), so a
 * write reads nothing back from the kernel: a /48 or a /44 (class lengths) is one update, a /42 one
 * batch of 4.
 *
 * <p>Prefixes are two longs, {@code hi} the first eight bytes and {@code lo} the last eight,
 * big-endian, host bits clear.
 */
final class Fib6Classes implements AutoCloseable {
    private final BpfMap cls;
    private final int vrf;
    final Fib6Guide guide;
    FastPathMaps.Routes6 routes; // null until the writer names them (after adoption)

    Fib6Classes(BpfMap cls, int vrf, Fib6Guide guide, FastPathMaps.Routes6 routes) {
        this.cls = cls;
        this.vrf = vrf;
        this.guide = guide;
        this.routes = routes;
    }

    /** The class of a route of /17 or longer: the first whose length is the route's or longer. */
    static int classOf(int prefixLength) {
        for (int c = 0; c < MapLayouts.FIB6_CLASSES; c++) {
            if (MapLayouts.fib6ClassEnd(c) >= prefixLength) return c;
        }
        throw new IllegalArgumentException("IPv6 prefix length " + prefixLength);
    }

    /** The length class c is stored under. */
    static int classLength(int c) {
        return MapLayouts.fib6ClassEnd(c);
    }

    /** The shortest route length of class c. */
    static int classShortest(int c) {
        return c == 0 ? MapLayouts.FIB6_CLS_SHORTEST : MapLayouts.fib6ClassEnd(c - 1) + 1;
    }

    static long maskHigh(long hi, int length) {
        return length >= 64 ? hi : length == 0 ? 0 : hi & (-1L << (64 - length));
    }

    static long maskLow(long lo, int length) {
        return length <= 64 ? 0 : length == 128 ? lo : lo & (-1L << (128 - length));
    }

    /** Expanded prefix i (of 2^(classLength - length)) of a prefix: [hi, lo]. */
    private static long[] slot(long hi, long lo, int classLength, int i) {
        return classLength <= 64 ? new long[] {hi | ((long) i << (64 - classLength)), 0}
                : new long[] {hi, lo | ((long) i << (128 - classLength))};
    }

    private FastPathMaps.Routes6 routes() {
        if (routes == null) {
            throw new IllegalStateException("vrf " + Integer.toUnsignedString(vrf)
                    + " has IPv6 route classes: writing a route needs the VRF's routes");
        }
        return routes;
    }

    /** Whether a route longer than {@code length}, within the class, covers the expanded prefix. */
    private boolean takenByLonger(long[] s, int length, int classLength) {
        FastPathMaps.Routes6 r = routes();
        for (int l = length + 1; l <= classLength; l++) {
            if (r.get(maskHigh(s[0], l), maskLow(s[1], l), l) != null) return true;
        }
        return false;
    }

    /** vrf (host order), class u8, 3 bytes of padding, the prefix's 16 bytes (network order). */
    byte[] key(int c, long hi, long lo) {
        byte[] k = new byte[MapLayouts.FIB6_CLS_KEY.size()];
        FastPathMaps.HOST_INT.set(k, 0, vrf);
        k[4] = (byte) c;
        FastPathMaps.BE_LONG.set(k, 8, hi);
        FastPathMaps.BE_LONG.set(k, 16, lo);
        return k;
    }

    /** The route as xg_fib6 holds it, then its prefix length (host order). */
    static byte[] value(Route route, int prefixLength) {
        byte[] v = new byte[MapLayouts.FIB6_CLS_VALUE.size()];
        byte[] r = route.encode();
        System.arraycopy(r, 0, v, 0, r.length);
        FastPathMaps.HOST_INT.set(v, r.length, prefixLength);
        return v;
    }


    /** Writes a route of /17 or longer into the prefixes of its class that no longer route of the class takes. */
    void put(long hi, long lo, int length, Route route) throws BpfException {
        List<byte[]> keys = new ArrayList<>(1);
        List<byte[]> values = new ArrayList<>(1);
        collect(hi, lo, length, route, keys, values);
        if (keys.size() == 1) cls.update(keys.get(0), values.get(0));
        else if (!keys.isEmpty()) cls.updateBatch(keys, values, keys.size());
    }

    /**
     * What {@link #put} writes, added to {@code keys} and {@code values} for the caller to write
     * (in batches), with the guide marked now: a mark ahead of its entries costs a probe, never a
     * wrong answer.
     */
    void collect(long hi, long lo, int length, Route route, List<byte[]> keys, List<byte[]> values) {
        int c = classOf(length);
        int classLength = classLength(c);
        byte[] v = value(route, length);
        for (int i = 0; i < 1 << (classLength - length); i++) {
            long[] s = slot(hi, lo, classLength, i);
            if (takenByLonger(s, length, classLength)) continue;
            keys.add(key(c, s[0], s[1]));
            values.add(v);
        }
        int block = (int) (hi >>> 40);
        guide.mark(block, length >= 24 ? 1 : 1 << (24 - length), c);
    }

    /**
     * Removes a route: the prefixes it holds go to the longest shorter route of its class that
     * covers them, or are deleted. Returns whether the route held any.
     */
    boolean delete(long hi, long lo, int length) throws BpfException {
        int c = classOf(length);
        int classLength = classLength(c);
        int classShortest = classShortest(c);
        boolean held = false;
        for (int i = 0; i < 1 << (classLength - length); i++) {
            long[] s = slot(hi, lo, classLength, i);
            if (takenByLonger(s, length, classLength)) continue;
            byte[] key = key(c, s[0], s[1]);
            held |= cls.lookup(key) != null;
            Route covering = null;
            int l = length - 1;
            for (; l >= classShortest && covering == null; l--) {
                covering = routes().get(maskHigh(s[0], l), maskLow(s[1], l), l);
            }
            if (covering != null) cls.update(key, value(covering, l + 1));
            else cls.delete(key);
        }
        return held;
    }

    /** The route stored for exactly this prefix, or null (also when longer routes take all its prefixes). */
    Route route(long hi, long lo, int length) throws BpfException {
        int c = classOf(length);
        int classLength = classLength(c);
        for (int i = 0; i < 1 << (classLength - length); i++) {
            long[] s = slot(hi, lo, classLength, i);
            byte[] v = cls.lookup(key(c, s[0], s[1]));
            if (v != null && ByteBuffer.wrap(v, 8, 4).order(ByteOrder.nativeOrder()).getInt() == length) {
                return Route.decode(java.util.Arrays.copyOf(v, 8));
            }
        }
        return null;
    }

    @Override
    public void close() {
        guide.close();
    }
}
