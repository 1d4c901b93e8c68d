package io.xdpgate.netlink;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in the order submitted, on threads of a shared pool: what a dedicated thread
 * per monitor gave its listener (one call at a time, in order, each seeing everything the previous one
 * did: the lock hands over happens-before) without the thread. Different serial executors on the same
 * pool run in parallel. Each task is one turn in the pool's queue, so that no monitor keeps a worker from
 * the others between its tasks.
 */
final class SerialExecutor implements Executor {
    private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);

    private final Executor pool;
    private final String name;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    /** A turn is in the pool's queue or running: at most one, which is what makes the tasks serial. */
    private boolean scheduled;
    /** The thread running a task, null between tasks. */
    private Thread running;
    private boolean shutDown;

    SerialExecutor(Executor pool, String name) {
        this.pool = pool;
        this.name = name;
    }

    /** Queues {@code task}; dropped after {@link #shutdownAndAwait()}. */
    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            if (shutDown) {
                return;
            }
            tasks.add(task);
            if (scheduled) {
                return;
            }
            scheduled = true;
        }
        pool.execute(this::runOne);
    }

    private void runOne() {
        Runnable task;
        synchronized (this) {
            task = shutDown ? null : tasks.poll();
            if (task == null) {
                scheduled = false;
                return;
            }
            running = Thread.currentThread();
        }
        try {
            task.run();
        } catch (Throwable t) {
            log.error("{}: task failed", name, t); // tasks catch what they expect; this is a bug
        } finally {
            boolean more;
            synchronized (this) {
                running = null;
                more = !shutDown && !tasks.isEmpty();
                scheduled = more;
                notifyAll();
            }
            if (more) {
                pool.execute(this::runOne); // to the back of the queue: other executors' turns first
            }
        }
    }

    /** True when the calling thread is running one of this executor's tasks. */
    synchronized boolean inTask() {
        return running == Thread.currentThread();
    }

    /**
     * Drops the queued tasks and refuses new ones, then waits until the running task (if any) has returned,
     * unless it is the caller's own: when this returns, no task of this executor runs or will run except
     * the caller's. Not interruptible (the interrupt status is kept): the guarantee is the point.
     */
    void shutdownAndAwait() {
        boolean interrupted = false;
        synchronized (this) {
            shutDown = true;
            tasks.clear();
            while (running != null && running != Thread.currentThread()) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
