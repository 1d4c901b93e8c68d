package io.xdpgate.ebpf.libbpf;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** The few libc functions the binding needs. */
interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    String strerror(int errnum);

    int close(int fd);

    /** Returns MAP_FAILED ((void *) -1) with errno set on failure. */
    Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);

    int munmap(Pointer addr, long length);

    /** 0 if there is no such interface in the calling thread's network namespace. */
    int if_nametoindex(String ifname);

    /** args is a va_list handed to a libbpf print callback (a pointer on x86_64 and arm64). */
    int vsnprintf(byte[] buf, long size, Pointer format, Pointer args);
}
