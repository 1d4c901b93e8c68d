package io.xdpgate.ebpf.libbpf;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** The few libc functions the binding needs. */
interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    String strerror(int errnum);

    int close(int fd);

    Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);

    int munmap(Pointer addr, long length);

    /** args is a va_list handed to a libbpf print callback (a pointer on x86_64 and arm64). */
    int vsnprintf(byte[] buf, long size, Pointer format, Pointer args);
}
