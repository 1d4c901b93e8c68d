package io.xdpgate.netlink;

import io.xdpgate.netlink.sys.NativeNamespace;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces by name, as {@code ip netns} creates them under /run/netns. A null or empty name
 * means "the namespace this thread is already in". setns(2) moves only the calling OS thread, so a
 * thread that has entered a namespace must only ever do that namespace's work.
 */
public final class NetworkNamespace {
    private static final String NETNS_DIR = "/run/netns/";
    private static final int EPERM = 1;

    private NetworkNamespace() {}

    /** Moves the calling OS thread into namespace {@code name}; other threads are not affected. */
    public static void enterOnCurrentThread(String name) throws NetlinkException {
        if (isCurrent(name)) {
            return;
        }
        if (name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new NetlinkException("invalid network namespace name '" + name + "'", 0);
        }
        NativeNamespace.enterNetworkNamespace(NETNS_DIR + name);
    }

    static boolean isCurrent(String name) {
        return name == null || name.isEmpty();
    }

    /**
     * A single-thread executor whose thread entered namespace {@code name} before running anything. If
     * entering failed, every task submitted fails with that error (nothing runs in the wrong namespace).
     * A replacement thread (after a task threw from {@code execute}) enters the namespace again.
     */
    public static ExecutorService executor(String name, String threadName) {
        return new NamespaceExecutor(name, threadName);
    }

    /** Runs {@code task} on a fresh thread inside namespace {@code name}, waits for it and rethrows its failure. */
    public static <T> T call(String name, Callable<T> task) throws Exception {
        return onFreshThread("netns-" + (isCurrent(name) ? "current" : name), () -> enterOnCurrentThread(name), task);
    }

    /**
     * Runs {@code task} in the namespace {@code socket} lives in, on a fresh thread that enters it by a
     * handle from the socket itself (not by name: the name may be gone or reused by now). Any thread may
     * call this, whatever namespace it is in.
     */
    static <T> T callWhere(NetlinkSocket socket, Callable<T> task) throws Exception {
        NativeNamespace.Handle ns;
        try {
            ns = socket.namespace();
        } catch (NetlinkException e) {
            if (e.errno() != EPERM) {
                throw e;
            }
            // Asking needs CAP_NET_ADMIN; without it this process cannot have moved any thread to another
            // namespace either (setns needs more), so the socket lives where the calling thread does.
            return task.call();
        }
        try (ns) {
            return onFreshThread("netns-socket", ns::enter, task);
        }
    }

    private interface Entry {
        void enter() throws NetlinkException;
    }

    /** A fresh thread, so that no thread of anyone else's is moved; it ends with the task. */
    private static <T> T onFreshThread(String threadName, Entry entry, Callable<T> task) throws Exception {
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        Thread thread = new Thread(() -> {
            try {
                entry.enter();
                result[0] = task.call();
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, threadName);
        thread.start();
        boolean interrupted = false;
        while (true) {
            try {
                thread.join(); // join gives happens-before for result and failure
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the task is short: leaving it would leak what it opens, or close a handle under it
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure[0] instanceof Exception e) {
            throw e;
        }
        if (failure[0] instanceof Error e) {
            throw e;
        }
        if (failure[0] != null) {
            throw new RuntimeException(failure[0]);
        }
        @SuppressWarnings("unchecked")
        T value = (T) result[0];
        return value;
    }

    /** One thread; each (re)started worker thread enters the namespace before it takes any task. */
    private static final class NamespaceExecutor extends ThreadPoolExecutor {
        /** Set per worker thread when entering the namespace failed; read by that thread only. */
        private final ThreadLocal<NetlinkException> entryFailure = new ThreadLocal<>();

        NamespaceExecutor(String name, String threadName) {
            super(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>());
            setThreadFactory(worker -> {
                Thread thread = new Thread(() -> {
                    try {
                        enterOnCurrentThread(name);
                    } catch (NetlinkException e) {
                        entryFailure.set(e);
                    }
                    worker.run();
                }, threadName);
                thread.setDaemon(true);
                return thread;
            });
        }

        @Override
        protected <T> RunnableFuture<T> newTaskFor(Callable<T> callable) {
            return new GuardedTask<>(callable);
        }

        @Override
        protected <T> RunnableFuture<T> newTaskFor(Runnable runnable, T value) {
            return new GuardedTask<>(() -> {
                runnable.run();
                return value;
            });
        }

        @Override
        public void execute(Runnable command) {
            if (command instanceof GuardedTask<?>) {
                super.execute(command);
                return;
            }
            super.execute(() -> {
                NetlinkException failure = entryFailure.get();
                if (failure != null) {
                    throw new IllegalStateException(failure.getMessage(), failure);
                }
                command.run();
            });
        }

        /** Fails instead of running when this worker thread could not enter the namespace. */
        private final class GuardedTask<T> extends FutureTask<T> {
            GuardedTask(Callable<T> callable) {
                super(callable);
            }

            @Override
            public void run() {
                NetlinkException failure = entryFailure.get();
                if (failure != null) {
                    setException(failure);
                    return;
                }
                super.run();
            }
        }
    }
}
