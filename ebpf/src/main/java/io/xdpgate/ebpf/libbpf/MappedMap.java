package io.xdpgate.ebpf.libbpf;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.xdpgate.ebpf.BpfException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The values of a BPF_F_MMAPABLE array map, mapped shared into this process: stores are
 * seen by the programs at once, with no system call. The mapping holds its own reference
 * on the map, so it stays valid after the map's fd is closed, until {@link #close}.
 */
public final class MappedMap implements AutoCloseable {
    private static final int PROT_READ = 0x1;
    private static final int PROT_WRITE = 0x2;
    private static final int MAP_SHARED = 0x01;
    private static final long MAP_FAILED = -1L;

    private final long length;
    private Pointer address;
    private final ByteBuffer buffer;

    private MappedMap(Pointer address, long length) {
        this.address = address;
        this.length = length;
        this.buffer = address.getByteBuffer(0, length).order(ByteOrder.nativeOrder());
    }

    static MappedMap map(int fd, long length, String what) throws BpfException {
        if (length <= 0 || length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("mapping of " + what + ": " + length + " bytes");
        }
        Pointer p = LibC.INSTANCE.mmap(null, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p == null || Pointer.nativeValue(p) == MAP_FAILED) {
            throw Calls.failure("mmap of " + what, Native.getLastError());
        }
        return new MappedMap(p, length);
    }

    /** The mapped values in native byte order; valid until {@link #close}. */
    public ByteBuffer buffer() {
        return buffer;
    }

    @Override
    public synchronized void close() {
        if (address != null) {
            LibC.INSTANCE.munmap(address, length);
            address = null;
        }
    }
}
