package io.xdpgate.netlink.sys;

import com.sun.jna.Memory;
import com.sun.jna.Platform;
import io.xdpgate.netlink.NetlinkException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An epoll instance watching netlink sockets one-shot: a socket that became readable is reported once and
 * then stays disabled until {@link #rearm} (EPOLLONESHOT), so that only one thread at a time ever handles
 * it. Each socket is watched under a caller-chosen token, never its descriptor number, which the kernel
 * reuses after a close. It lives as long as the process (one is shared by all monitors). Public only so
 * that the API package can use it; its signatures carry no JNA type.
 */
public final class NativeEpoll {
    private static final int EPOLL_CLOEXEC = 0x80000;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EPOLL_CTL_MOD = 3;
    private static final int EPOLLIN = 0x1;
    private static final int EPOLLONESHOT = 1 << 30;
    /**
     * sizeof(struct epoll_event): a u32 of events and a u64 of data, packed (12 bytes, data at offset 4)
     * on x86 and naturally aligned (16 bytes, data at offset 8) elsewhere.
     */
    static final int EVENT_SIZE = eventSize(Platform.isIntel());
    private static final int DATA_OFFSET = EVENT_SIZE - 8;

    private final int epfd;
    /** epoll_wait's output; only the one waiting thread uses it. */
    private Memory events = new Memory(EVENT_SIZE);

    private NativeEpoll(int epfd) {
        this.epfd = epfd;
    }

    static int eventSize(boolean x86) {
        return x86 ? 12 : 16;
    }

    /** epoll_create1(EPOLL_CLOEXEC). */
    public static NativeEpoll create() throws NetlinkException {
        return new NativeEpoll((int) Syscalls.call("epoll_create1", () -> LibC.INSTANCE.epoll_create1(EPOLL_CLOEXEC)));
    }

    /** Starts watching {@code socket} for input, armed, under {@code token}. */
    public void add(NativeNetlinkSocket socket, long token) throws NetlinkException {
        control(EPOLL_CTL_ADD, socket, token, "epoll_ctl(EPOLL_CTL_ADD)");
    }

    /** Arms {@code socket} again after it was reported; reported at once if it is readable already. */
    public void rearm(NativeNetlinkSocket socket, long token) throws NetlinkException {
        control(EPOLL_CTL_MOD, socket, token, "epoll_ctl(EPOLL_CTL_MOD)");
    }

    /** Stops watching {@code socket}. */
    public void remove(NativeNetlinkSocket socket) throws NetlinkException {
        control(EPOLL_CTL_DEL, socket, 0, "epoll_ctl(EPOLL_CTL_DEL)");
    }

    private void control(int op, NativeNetlinkSocket socket, long token, String what) throws NetlinkException {
        byte[] event = encodeEvent(EPOLLIN | EPOLLONESHOT, token);
        int fd = socket.fd();
        Syscalls.call(what, () -> LibC.INSTANCE.epoll_ctl(epfd, op, fd, event));
    }

    static byte[] encodeEvent(int flags, long token) {
        return ByteBuffer.allocate(EVENT_SIZE).order(ByteOrder.nativeOrder())
                .putInt(0, flags).putLong(DATA_OFFSET, token).array();
    }

    /**
     * Waits until at least one watched socket is readable (or failed: errors and hang-ups are reported as
     * readiness too, for the reader to meet them) and stores up to {@code tokens.length} of their tokens.
     * One thread at a time.
     *
     * @return how many tokens were stored
     */
    public int await(long[] tokens) throws NetlinkException {
        long needed = (long) EVENT_SIZE * tokens.length;
        if (events.size() < needed) {
            events = new Memory(needed);
        }
        Memory out = events;
        int n = (int) Syscalls.call("epoll_wait", () -> LibC.INSTANCE.epoll_wait(epfd, out, tokens.length, -1));
        for (int i = 0; i < n; i++) {
            tokens[i] = out.getLong((long) i * EVENT_SIZE + DATA_OFFSET);
        }
        return n;
    }
}
