package io.xdpgate.netlink.sys;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The libc calls xdpgate's netlink layer needs. Every call returns -1 on failure and leaves errno
 * for {@link Native#getLastError()}; callers go through {@link Syscalls}, which turns that into an exception.
 */
interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int socket(int domain, int type, int protocol);

    int bind(int fd, byte[] sockaddr, int addrlen);

    int getsockname(int fd, byte[] sockaddr, int[] addrlen);

    int setsockopt(int fd, int level, int optname, byte[] optval, int optlen);

    int getsockopt(int fd, int level, int optname, byte[] optval, int[] optlen);

    long send(int fd, byte[] buf, long len, int flags);

    long recvfrom(int fd, Pointer buf, long len, int flags, byte[] srcAddr, int[] addrlen);

    int open(String path, int flags);

    int close(int fd);

    int setns(int fd, int nstype);

    /** Only requests that take no argument: {@code arg} is passed as null. */
    int ioctl(int fd, NativeLong request, Pointer arg);

    int epoll_create1(int flags);

    int epoll_ctl(int epfd, int op, int fd, byte[] event);

    int epoll_wait(int epfd, Pointer events, int maxevents, int timeout);

    String strerror(int errnum);
}
