package io.xdpgate.netlink.sys;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import io.xdpgate.netlink.NetlinkException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The file descriptor of one NETLINK_ROUTE socket and the syscalls on it. Not thread-safe and not
 * guarded against use after close: {@code io.xdpgate.netlink.NetlinkSocket} provides both.
 * Public only so that the API package can use it; its signatures carry no JNA type.
 */
public final class NativeNetlinkSocket {
    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int NETLINK_ROUTE = 0;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVBUF = 8;
    private static final int SO_RCVBUFFORCE = 33;
    private static final int SO_RCVTIMEO = 20;
    private static final int SOL_NETLINK = 270;
    private static final int MSG_PEEK = 0x2;
    private static final int MSG_TRUNC = 0x20;
    private static final int MSG_DONTWAIT = 0x40;
    /** struct sockaddr_nl: u16 nl_family, u16 nl_pad, u32 nl_pid, u32 nl_groups. */
    static final int SOCKADDR_NL_SIZE = 12;
    private static final int INITIAL_BUFFER = 64 * 1024;

    /** ioctl that opens the socket's network namespace (linux/sockios.h); needs CAP_NET_ADMIN there. */
    private static final NativeLong SIOCGSKNS = new NativeLong(0x894C);
    /**
     * Receive space per thread rather than per socket: a cache manager holds thousands of sockets and
     * reads them from a few threads, and each datagram is copied out before the next receive.
     */
    private static final ThreadLocal<Memory> BUFFER = ThreadLocal.withInitial(() -> new Memory(INITIAL_BUFFER));

    private final int fd;
    private long foreignSenderDrops;

    private NativeNetlinkSocket(int fd) {
        this.fd = fd;
    }

    /** socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE) in the calling thread's network namespace. */
    public static NativeNetlinkSocket openRoute() throws NetlinkException {
        int fd = (int) Syscalls.call("socket(AF_NETLINK, NETLINK_ROUTE)",
                () -> LibC.INSTANCE.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
        return new NativeNetlinkSocket(fd);
    }

    /**
     * SO_RCVBUFFORCE so that a large buffer is granted beyond net.core.rmem_max; without CAP_NET_ADMIN that
     * fails with EPERM and SO_RCVBUF (capped by rmem_max) is the best we can get.
     */
    public void setReceiveBuffer(int bytes) throws NetlinkException {
        try {
            setInt(SOL_SOCKET, SO_RCVBUFFORCE, bytes, "setsockopt(SO_RCVBUFFORCE)");
        } catch (NetlinkException e) {
            setInt(SOL_SOCKET, SO_RCVBUF, bytes, "setsockopt(SO_RCVBUF)");
        }
    }

    /** setsockopt(SOL_NETLINK, option, value); {@code name} is the option's UAPI name for error messages. */
    public void setNetlinkOption(int option, int value, String name) throws NetlinkException {
        setInt(SOL_NETLINK, option, value, "setsockopt(" + name + ")");
    }

    /** SO_RCVTIMEO (struct timeval of two C longs) so that a blocked receive returns and can notice a stop. */
    public void setReceiveTimeoutMillis(int millis) throws NetlinkException {
        int longSize = Native.LONG_SIZE;
        ByteBuffer tv = ByteBuffer.allocate(2 * longSize).order(ByteOrder.nativeOrder());
        long sec = millis / 1000;
        long usec = (millis % 1000) * 1000L;
        if (longSize == 8) {
            tv.putLong(sec).putLong(usec);
        } else {
            tv.putInt((int) sec).putInt((int) usec);
        }
        byte[] value = tv.array();
        Syscalls.call("setsockopt(SO_RCVTIMEO)",
                () -> LibC.INSTANCE.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, value, value.length));
    }

    /** The receive buffer the kernel granted (it doubles the request for bookkeeping). */
    public int receiveBuffer() throws NetlinkException {
        byte[] value = new byte[4];
        int[] len = {4};
        Syscalls.call("getsockopt(SO_RCVBUF)", () -> LibC.INSTANCE.getsockopt(fd, SOL_SOCKET, SO_RCVBUF, value, len));
        return ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getInt();
    }

    private void setInt(int level, int option, int value, String what) throws NetlinkException {
        byte[] bytes = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array();
        Syscalls.call(what, () -> LibC.INSTANCE.setsockopt(fd, level, option, bytes, bytes.length));
    }

    /** Binds with nl_pid 0 so that the kernel picks a unique port id; returns that port id. */
    public int bindAutoPort() throws NetlinkException {
        byte[] addr = sockaddrNl(0, 0);
        Syscalls.call("bind(NETLINK_ROUTE)", () -> LibC.INSTANCE.bind(fd, addr, addr.length));
        byte[] bound = new byte[SOCKADDR_NL_SIZE];
        int[] len = {bound.length};
        Syscalls.call("getsockname(NETLINK_ROUTE)", () -> LibC.INSTANCE.getsockname(fd, bound, len));
        return portIdOf(bound);
    }

    static byte[] sockaddrNl(int pid, int groups) {
        return ByteBuffer.allocate(SOCKADDR_NL_SIZE).order(ByteOrder.nativeOrder())
                .putShort((short) AF_NETLINK).putShort((short) 0).putInt(pid).putInt(groups).array();
    }

    static int portIdOf(byte[] sockaddrNl) {
        return ByteBuffer.wrap(sockaddrNl).order(ByteOrder.nativeOrder()).getInt(4);
    }

    /** Sends the remaining bytes of {@code message} to the kernel (an unconnected netlink socket's default peer). */
    public void send(ByteBuffer message) throws NetlinkException {
        byte[] bytes = new byte[message.remaining()];
        message.duplicate().get(bytes);
        long sent = Syscalls.call("send(NETLINK_ROUTE)", () -> LibC.INSTANCE.send(fd, bytes, bytes.length, 0));
        if (sent != bytes.length) {
            throw new NetlinkException("send(NETLINK_ROUTE) sent " + sent + " of " + bytes.length + " bytes", 0);
        }
    }

    /**
     * Receives one datagram from the kernel, sized first with MSG_PEEK | MSG_TRUNC so that nothing is
     * truncated. Returns null when nothing arrived within the receive timeout (or at once with
     * {@code dontWait}). Datagrams from any sender other than the kernel (port 0) are dropped and counted:
     * only the kernel speaks for the routing state.
     */
    public byte[] receive(boolean dontWait) throws NetlinkException {
        int wait = dontWait ? MSG_DONTWAIT : 0;
        Memory buffer = BUFFER.get();
        while (true) {
            byte[] from = new byte[SOCKADDR_NL_SIZE];
            int[] fromLen = {from.length};
            // Peeking with the whole buffer, not zero bytes: the kernel sizes a dump's datagrams after the
            // largest read asked for (up to 32 KiB), so a zero-byte peek would keep them at about 4 KiB,
            // eight times the system calls and dump resumptions for a large table.
            long length = recv(buffer, MSG_PEEK | MSG_TRUNC | wait, buffer.size(), from, fromLen);
            if (length < 0) {
                return null;
            }
            if (length > buffer.size()) {
                buffer = new Memory(Math.max(length, buffer.size() * 2));
                BUFFER.set(buffer);
            }
            long got = recv(buffer, wait, length, from, fromLen);
            if (got < 0) {
                return null;
            }
            if (portIdOf(from) != 0) {
                foreignSenderDrops++;
                continue;
            }
            return buffer.getByteArray(0, (int) got);
        }
    }

    private long recv(Memory buffer, int flags, long length, byte[] from, int[] fromLen) throws NetlinkException {
        while (true) {
            fromLen[0] = from.length;
            long rc = LibC.INSTANCE.recvfrom(fd, buffer, length, flags, from, fromLen);
            if (rc >= 0) {
                return rc;
            }
            int errno = Native.getLastError();
            if (errno == Syscalls.EINTR) {
                continue;
            }
            if (errno == Syscalls.EAGAIN) {
                return -1; // SO_RCVTIMEO expired or MSG_DONTWAIT found nothing
            }
            throw Syscalls.failure("recv(NETLINK_ROUTE)", errno);
        }
    }

    /** Datagrams dropped because a process other than the kernel sent them. */
    public long foreignSenderDrops() {
        return foreignSenderDrops;
    }

    /**
     * A handle on the network namespace this socket lives in (ioctl SIOCGSKNS), to open more sockets there
     * from a thread that enters it. Fails with EPERM without CAP_NET_ADMIN in that namespace.
     */
    public NativeNamespace.Handle namespace() throws NetlinkException {
        int nsfd = (int) Syscalls.call("ioctl(SIOCGSKNS)", () -> LibC.INSTANCE.ioctl(fd, SIOCGSKNS, null));
        return new NativeNamespace.Handle(nsfd);
    }

    /** The descriptor, for {@link NativeEpoll} (same package): never handed out of this package. */
    int fd() {
        return fd;
    }

    /** close(2); the caller guarantees that no other thread is inside a call on this descriptor. */
    public void close() throws NetlinkException {
        Syscalls.call("close(NETLINK_ROUTE)", () -> LibC.INSTANCE.close(fd));
    }
}
