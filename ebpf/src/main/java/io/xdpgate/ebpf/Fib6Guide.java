package io.xdpgate.ebpf;

import io.xdpgate.ebpf.libbpf.Bpf;
import io.xdpgate.ebpf.libbpf.MappedMap;
import java.nio.ShortBuffer;

/**
 * The class guide of one large VRF's IPv6 routes (xdpgate.h, struct xg_fib6_guide_quad): for
 * each /24 block, a bit per route class that may have entries in xg_fib6_cls inside the block,
 * written through a shared mapping. Bits are only ever set while the guide lives: a bit left
 * over costs the program one hash probe, never a wrong answer.
 */
final class Fib6Guide implements AutoCloseable {
    /** Blocks: one per /24. */
    static final int BLOCKS = 1 << 24;
    /** XG_FIB6_GUIDE_LOCAL: one of the router's addresses may be in the block. */
    static final int LOCAL = 0x8000;

    private final int id;
    private final MappedMap mapping;
    private final ShortBuffer entries;

    private Fib6Guide(int id, MappedMap mapping) {
        this.id = id;
        this.mapping = mapping;
        this.entries = mapping.buffer().asShortBuffer();
    }

    /** Creates an empty guide; returns it with its fd, which the caller closes. */
    static Fib6Guide create(int[] fdOut) throws BpfException {
        MapLayouts.MapDef d = MapLayouts.FIB6_GUIDE_TABLE;
        int fd = Bpf.mapCreate(d.type(), d.name(), d.keySize(), d.valueSize(), d.maxEntries(), d.flags());
        try {
            Fib6Guide guide = open(fd, d.name());
            fdOut[0] = fd;
            return guide;
        } catch (BpfException | RuntimeException e) {
            Bpf.close(fd);
            throw e;
        }
    }

    /** Maps the guide of this fd after checking that it is one. The fd stays the caller's. */
    static Fib6Guide open(int fd, String what) throws BpfException {
        var diffs = MapCompatibility.differences(MapCompatibility.expected(MapLayouts.FIB6_GUIDE_TABLE),
                Bpf.mapInfo(fd, what));
        if (!diffs.isEmpty()) {
            throw MapCompatibility.refused(what, diffs);
        }
        long bytes = (long) MapLayouts.FIB6_GUIDE_QUADS * MapLayouts.FIB6_GUIDE_QUAD.size();
        return new Fib6Guide(Bpf.mapId(fd), Bpf.mmap(fd, bytes, what));
    }

    int id() {
        return id;
    }

    /** Marks class {@code cls} in the blocks of the {@code count} consecutive /24s from {@code block}. */
    void mark(int block, int count, int cls) {
        short bit = (short) (1 << cls);
        for (int n = block; n < block + count; n++) {
            short e = entries.get(n);
            if ((e & bit) == 0) entries.put(n, (short) (e | bit));
        }
    }

    /** Tells the program to look in xg_local6 for the destinations of this block. Never cleared. */
    void markLocal(int block) {
        short e = entries.get(block);
        if ((e & LOCAL) == 0) entries.put(block, (short) (e | LOCAL));
    }

    /** The classes marked in a block. */
    int classes(int block) {
        return entries.get(block) & 0xffff;
    }

    @Override
    public void close() {
        mapping.close();
    }
}
