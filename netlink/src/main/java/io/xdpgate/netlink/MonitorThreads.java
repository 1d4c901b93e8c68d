package io.xdpgate.netlink;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads every {@link RtnlMonitor} of the process shares, whatever the number of namespaces: one
 * poller ("rtnl-poller") that learns which multicast sockets are readable, and a few workers
 * ("rtnl-worker-N") that read them, dump and call the listeners. All are daemons, started with the first
 * monitor; idle workers end after {@value #WORKER_IDLE_SECONDS} s and come back when needed.
 */
final class MonitorThreads {
    /**
     * A dump holds a worker for its whole length (a large namespace's for seconds, longer when the
     * listener's consumer paces it), so there are a few: the others keep serving the other namespaces
     * meanwhile. More would mostly compete for the CPUs with the listeners' own consumers.
     */
    static final int WORKERS = 4;
    private static final long WORKER_IDLE_SECONDS = 30;

    private static SocketPoller poller;
    private static Executor workers;

    private MonitorThreads() {}

    /** The shared poller, started on first use (a failure is reported and retried on the next call). */
    static synchronized SocketPoller poller() throws NetlinkException {
        if (poller == null) {
            poller = SocketPoller.start("rtnl-poller");
        }
        return poller;
    }

    /** The shared workers; callers serialize their own tasks with a {@link SerialExecutor} each. */
    static synchronized Executor workers() {
        if (workers == null) {
            AtomicInteger count = new AtomicInteger();
            ThreadPoolExecutor pool = new ThreadPoolExecutor(WORKERS, WORKERS, WORKER_IDLE_SECONDS, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), task -> {
                        Thread thread = new Thread(task, "rtnl-worker-" + count.incrementAndGet());
                        thread.setDaemon(true);
                        return thread;
                    });
            pool.allowCoreThreadTimeOut(true);
            workers = pool;
        }
        return workers;
    }
}
