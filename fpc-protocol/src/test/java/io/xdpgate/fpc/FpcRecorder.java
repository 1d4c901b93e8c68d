package io.xdpgate.fpc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/** Test doubles: an applier that records, a session that counts. */
final class FpcRecorder {
    final List<FpcMessage> applied = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger appliers = new AtomicInteger();
    final AtomicInteger closedConnections = new AtomicInteger();
    final Semaphore connected = new Semaphore(0);
    final BlockingQueue<Throwable> disconnects = new LinkedBlockingQueue<>();
    final BlockingQueue<FpcReport> reports = new LinkedBlockingQueue<>();
    volatile Function<FpcMessage, FpcStatus> outcome = m -> FpcStatus.OK;
    /** What the server's HELLO announces (set before the client connects). */
    volatile long capabilities;

    Supplier<FpcApplier> appliers() {
        return () -> {
            appliers.incrementAndGet();
            return new FpcApplier() {
                @Override
                public FpcStatus apply(FpcMessage message) {
                    applied.add(message);
                    return outcome.apply(message);
                }

                @Override
                public long capabilities() {
                    return capabilities;
                }

                @Override
                public void connectionClosed() {
                    closedConnections.incrementAndGet();
                }
            };
        };
    }

    FpcClient.Session session() {
        return new FpcClient.Session() {
            @Override
            public void onConnected(FpcClient client) {
                connected.release();
            }

            @Override
            public void onReport(FpcReport r) {
                reports.add(r);
            }

            @Override
            public void onDisconnected(Throwable cause) {
                disconnects.add(cause);
            }
        };
    }

    void awaitConnected() throws InterruptedException {
        if (!connected.tryAcquire(10, TimeUnit.SECONDS)) {
            throw new AssertionError("the client did not connect; disconnects: " + disconnects);
        }
    }

    Throwable awaitDisconnect() throws InterruptedException {
        Throwable t = disconnects.poll(10, TimeUnit.SECONDS);
        if (t == null) {
            throw new AssertionError("the client was not disconnected");
        }
        return t;
    }
}
