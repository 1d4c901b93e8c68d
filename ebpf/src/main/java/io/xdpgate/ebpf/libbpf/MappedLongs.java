package io.xdpgate.ebpf.libbpf;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.xdpgate.ebpf.BpfException;

/**
 * A read-only mapping of a BPF_F_MMAPABLE array of __u64: the values are read from memory shared
 * with the kernel, without a system call. A value being written by a program meanwhile is read
 * either before or after (aligned 8-byte stores are atomic on the architectures this runs on).
 */
public final class MappedLongs implements AutoCloseable {
    private static final int PROT_READ = 1;
    private static final int MAP_SHARED = 1;
    private static final Pointer MAP_FAILED = new Pointer(-1);

    private final Pointer base;
    private final long bytes;
    private final int count;
    private boolean closed;

    private MappedLongs(Pointer base, long bytes, int count) {
        this.base = base;
        this.bytes = bytes;
        this.count = count;
    }

    /** Maps the {@code count} values of the array map {@code fd} (it may be closed afterwards). */
    public static MappedLongs map(int fd, String name, int count) throws BpfException {
        long bytes = ((long) count * 8 + 4095) & ~4095L; // the kernel maps whole pages
        Pointer p = LibC.INSTANCE.mmap(null, bytes, PROT_READ, MAP_SHARED, fd, 0);
        if (p == null || p.equals(MAP_FAILED)) {
            int errno = Native.getLastError();
            throw new BpfException("mmap of map " + name + " (" + bytes + " bytes) failed: " + Errno.describe(errno), errno);
        }
        return new MappedLongs(p, bytes, count);
    }

    /** Every value, by index. */
    public synchronized long[] read() {
        if (closed) throw new IllegalStateException("mapping closed");
        long[] out = new long[count];
        base.read(0, out, 0, count);
        return out;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        LibC.INSTANCE.munmap(base, bytes);
    }
}
