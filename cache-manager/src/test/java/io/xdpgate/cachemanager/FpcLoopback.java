package io.xdpgate.cachemanager;

import io.xdpgate.fpc.FpcClient;
import io.xdpgate.fpc.FpcMessage;
import io.xdpgate.fpc.FpcReport;
import io.xdpgate.fpc.FpcSendQueue;
import io.xdpgate.fpc.FpcServer;
import io.xdpgate.fpc.FpcStatus;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An FPC server that records what it applies, a client connected to it over a UNIX socket, and a send
 * queue whose sender starts only on {@link #startSending()}: what is offered before is queued together,
 * so the queue's own order decides.
 */
final class FpcLoopback implements AutoCloseable {
    final FpcSendQueue queue = new FpcSendQueue();
    private final List<FpcMessage> applied = new ArrayList<>();
    private final FpcServer server;
    private final FpcClient client;

    FpcLoopback(Path socket) throws Exception {
        server = FpcServer.start(new FpcServer.Options(socket, FpcServer.Options.defaults().allowedUids(), Duration.ofSeconds(3)),
                () -> message -> {
                    synchronized (applied) {
                        applied.add(message);
                    }
                    return FpcStatus.OK;
                });
        CountDownLatch connected = new CountDownLatch(1);
        client = FpcClient.start(new FpcClient.Options(socket, "cache-manager test", Duration.ofSeconds(3)),
                new FpcClient.Session() {
                    @Override
                    public void onConnected(FpcClient c) {
                        connected.countDown();
                    }

                    @Override
                    public void onReport(FpcReport r) {}

                    @Override
                    public void onDisconnected(Throwable cause) {}
                });
        assertTrue(connected.await(10, TimeUnit.SECONDS), "the FPC client did not connect");
    }

    void startSending() {
        queue.start(client);
    }

    /** Waits until the queue is empty and the server has acknowledged everything; returns what it applied, in order. */
    List<FpcMessage> appliedWhenDone() throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (queue.size() > 0 || client.unacknowledged() > 0) {
            assertTrue(System.currentTimeMillis() < deadline, "not everything was sent and acknowledged");
            Thread.sleep(10);
        }
        synchronized (applied) {
            return List.copyOf(applied);
        }
    }

    /** What the server applied so far, in order, without waiting. */
    List<FpcMessage> appliedWhenDoneQuietly() {
        synchronized (applied) {
            return List.copyOf(applied);
        }
    }

    FpcClient client() {
        return client;
    }

    @Override
    public void close() {
        queue.close();
        client.close();
        server.close();
    }
}
