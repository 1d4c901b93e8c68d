package io.xdpgate.netlink;

import io.xdpgate.netlink.sys.NativeEpoll;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that waits for any number of netlink sockets to become readable (one epoll instance) and
 * tells each socket's owner, once per arming: the owner reads the socket on a thread of its choosing,
 * then {@link #rearm}s it. Because a reported socket stays disarmed until then (EPOLLONESHOT), no two
 * threads ever read the same socket, and the poller never waits for a reader.
 */
final class SocketPoller {
    private static final Logger log = LoggerFactory.getLogger(SocketPoller.class);
    private static final int EVENTS_PER_WAIT = 256;

    private final NativeEpoll epoll;
    /** Token to callback. Tokens are never reused, so a late event of a socket gone finds nothing. */
    private final Map<Long, Runnable> callbacks = new ConcurrentHashMap<>();
    private final AtomicLong tokens = new AtomicLong();

    private SocketPoller(NativeEpoll epoll) {
        this.epoll = epoll;
    }

    /** Creates the epoll instance and starts its daemon thread, named {@code threadName}. */
    static SocketPoller start(String threadName) throws NetlinkException {
        SocketPoller poller = new SocketPoller(NativeEpoll.create());
        Thread thread = new Thread(poller::run, threadName);
        thread.setDaemon(true);
        thread.start();
        return poller;
    }

    /**
     * Watches {@code socket}, armed: {@code onReadable} runs on the poller thread, so it must only hand the
     * work over (never block), each time the socket is readable after being armed.
     *
     * @return the token that {@link #rearm} and {@link #unwatch} take
     */
    long watch(NetlinkSocket socket, Runnable onReadable) throws NetlinkException {
        long token = tokens.incrementAndGet();
        callbacks.put(token, onReadable); // before the socket is added: it may be reported at once
        try {
            socket.watch(epoll, token);
            return token;
        } catch (NetlinkException e) {
            callbacks.remove(token);
            throw e;
        }
    }

    /** Arms {@code socket} again after its callback ran; reported at once if data came meanwhile. */
    void rearm(NetlinkSocket socket, long token) throws NetlinkException {
        socket.rearm(epoll, token);
    }

    /** Stops watching {@code socket}; a report already on its way is dropped. */
    void unwatch(NetlinkSocket socket, long token) {
        callbacks.remove(token);
        try {
            socket.unwatch(epoll);
        } catch (NetlinkException e) {
            log.debug("unwatching a netlink socket: {}", e.getMessage()); // closing it removes it anyway
        }
    }

    private void run() {
        long[] ready = new long[EVENTS_PER_WAIT];
        while (true) {
            int n;
            try {
                n = epoll.await(ready);
            } catch (NetlinkException e) {
                log.error("epoll_wait failed; retrying in 1 s", e); // a bug (EBADF, EINVAL): do not spin
                sleepQuietly();
                continue;
            }
            for (int i = 0; i < n; i++) {
                Runnable callback = callbacks.get(ready[i]);
                if (callback != null) {
                    try {
                        callback.run();
                    } catch (RuntimeException e) {
                        log.error("netlink socket callback failed", e);
                    }
                }
            }
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
