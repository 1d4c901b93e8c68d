package io.xdpgate.netlink;

import io.xdpgate.netlink.sys.NativeEpoll;
import io.xdpgate.netlink.sys.NativeNamespace;
import io.xdpgate.netlink.sys.NativeNetlinkSocket;
import java.io.Closeable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A NETLINK_ROUTE socket in the network namespace of the thread that opened it. Calls may come from
 * several threads; {@link #close()} waits until no call is inside the descriptor (at most one receive
 * timeout) so that a closed descriptor number can never be reused under a running call.
 */
public final class NetlinkSocket implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(NetlinkSocket.class);
    /** SOL_NETLINK options (linux/netlink.h). */
    private static final int NETLINK_ADD_MEMBERSHIP = 1;
    private static final int NETLINK_NO_ENOBUFS = 5;
    private static final int NETLINK_EXT_ACK = 11;
    private static final int NETLINK_GET_STRICT_CHK = 12;
    private static final int ENOPROTOOPT = 92;
    /** Short enough that a reader notices close() or a stop request quickly. */
    static final int RECEIVE_TIMEOUT_MILLIS = 250;

    private final NativeNetlinkSocket fd;
    private final int portId;
    /** Read lock: a call is using the descriptor. Write lock: close. Fair, so close is never starved. */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);
    private volatile boolean closed;
    private volatile boolean filtersDumps;

    private NetlinkSocket(NativeNetlinkSocket fd, int portId) {
        this.fd = fd;
        this.portId = portId;
    }

    /**
     * Opens and binds a socket: receive buffer {@code receiveBufferBytes} (SO_RCVBUFFORCE, else SO_RCVBUF),
     * extended acks on, NETLINK_NO_ENOBUFS off (an overrun must be reported, never hidden), and a 250 ms
     * receive timeout.
     */
    public static NetlinkSocket open(int receiveBufferBytes) throws NetlinkException {
        NativeNetlinkSocket fd = NativeNetlinkSocket.openRoute();
        try {
            fd.setReceiveBuffer(receiveBufferBytes);
            fd.setNetlinkOption(NETLINK_EXT_ACK, 1, "NETLINK_EXT_ACK");
            fd.setNetlinkOption(NETLINK_NO_ENOBUFS, 0, "NETLINK_NO_ENOBUFS");
            fd.setReceiveTimeoutMillis(RECEIVE_TIMEOUT_MILLIS);
            int granted = fd.receiveBuffer();
            if (granted < receiveBufferBytes) {
                log.warn("netlink receive buffer: asked {} bytes, got {} (no CAP_NET_ADMIN? raise net.core.rmem_max)",
                        receiveBufferBytes, granted);
            }
            return new NetlinkSocket(fd, fd.bindAutoPort());
        } catch (NetlinkException e) {
            try {
                fd.close();
            } catch (NetlinkException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Joins multicast groups by their RTNLGRP_* numbers. */
    public void joinGroups(int... rtnlGroups) throws NetlinkException {
        for (int group : rtnlGroups) {
            enter("setsockopt(NETLINK_ADD_MEMBERSHIP)");
            try {
                fd.setNetlinkOption(NETLINK_ADD_MEMBERSHIP, group,
                        "NETLINK_ADD_MEMBERSHIP " + Rtnl.groupName(group));
            } finally {
                lock.readLock().unlock();
            }
        }
    }

    /**
     * Asks the kernel to check this socket's dump requests strictly and to honour the filters they carry
     * (NETLINK_GET_STRICT_CHK, Linux 4.20 and later), such as a route dump's table. Returns false, the socket
     * unchanged, where the kernel does not know the option: dumps then return every object.
     */
    public boolean filterDumps() throws NetlinkException {
        enter("setsockopt(NETLINK_GET_STRICT_CHK)");
        try {
            fd.setNetlinkOption(NETLINK_GET_STRICT_CHK, 1, "NETLINK_GET_STRICT_CHK");
            filtersDumps = true;
        } catch (NetlinkException e) {
            if (e.errno() != ENOPROTOOPT) throw e;
            log.debug("netlink: the kernel does not filter dumps (NETLINK_GET_STRICT_CHK unknown)");
        } finally {
            lock.readLock().unlock();
        }
        return filtersDumps;
    }

    /** Whether the kernel honours the filters of this socket's dump requests (see {@link #filterDumps()}). */
    public boolean filtersDumps() {
        return filtersDumps;
    }

    /** The port id the kernel assigned; replies to our requests carry it in nlmsg_pid. */
    public int portId() {
        return portId;
    }

    /** Sends the remaining bytes of {@code message} to the kernel. */
    public void send(ByteBuffer message) throws NetlinkException {
        enter("send(NETLINK_ROUTE)");
        try {
            fd.send(message);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * One datagram in host byte order (netlink's), or null when none arrived within 250 ms.
     *
     * @throws NetlinkOverrunException when the kernel dropped messages for this socket (ENOBUFS)
     */
    public ByteBuffer receive() throws NetlinkException {
        enter("recv(NETLINK_ROUTE)");
        try {
            byte[] datagram = fd.receive(false);
            return datagram == null ? null : ByteBuffer.wrap(datagram).order(ByteOrder.nativeOrder());
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * One datagram if one is queued, else null at once (MSG_DONTWAIT): for a reader that learnt from
     * epoll that the socket is readable and drains it without ever blocking.
     *
     * @throws NetlinkOverrunException when the kernel dropped messages for this socket (ENOBUFS)
     */
    ByteBuffer receiveNow() throws NetlinkException {
        enter("recv(NETLINK_ROUTE)");
        try {
            byte[] datagram = fd.receive(true);
            return datagram == null ? null : ByteBuffer.wrap(datagram).order(ByteOrder.nativeOrder());
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Adds this socket, armed, to {@code epoll} under {@code token}. Like every call on the descriptor, it
     * fails once the socket is closed, so that a reused descriptor number is never touched.
     */
    void watch(NativeEpoll epoll, long token) throws NetlinkException {
        enter("epoll_ctl(EPOLL_CTL_ADD)");
        try {
            epoll.add(fd, token);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Arms this socket again in {@code epoll} (see {@link NativeEpoll#rearm}). */
    void rearm(NativeEpoll epoll, long token) throws NetlinkException {
        enter("epoll_ctl(EPOLL_CTL_MOD)");
        try {
            epoll.rearm(fd, token);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Removes this socket from {@code epoll}; nothing to do once it is closed (close removes it). */
    void unwatch(NativeEpoll epoll) throws NetlinkException {
        lock.readLock().lock();
        try {
            if (!closed) {
                epoll.remove(fd);
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /** A handle on the namespace this socket lives in (see {@link NativeNetlinkSocket#namespace()}). */
    NativeNamespace.Handle namespace() throws NetlinkException {
        enter("ioctl(SIOCGSKNS)");
        try {
            return fd.namespace();
        } finally {
            lock.readLock().unlock();
        }
    }

    private void enter(String what) throws NetlinkException {
        lock.readLock().lock();
        if (closed) {
            lock.readLock().unlock();
            throw new NetlinkException(what + " failed: socket closed", 0);
        }
    }

    /** Datagrams dropped because they came from a process instead of the kernel. */
    public long foreignSenderDrops() {
        return fd.foreignSenderDrops();
    }

    public boolean isClosed() {
        return closed;
    }

    /** Closes the socket; idempotent. Waits for a receive in progress to time out (at most ~250 ms). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            fd.close();
        } catch (NetlinkException e) {
            log.warn("closing netlink socket: {}", e.getMessage());
        } finally {
            lock.writeLock().unlock();
        }
    }
}
