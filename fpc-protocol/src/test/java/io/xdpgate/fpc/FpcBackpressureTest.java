package io.xdpgate.fpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FpcBackpressureTest {
    @TempDir
    Path tmp;

    @Test
    void aStalledServerBlocksTheSenderInsteadOfGrowingMemory() throws Exception {
        FpcRecorder rec = new FpcRecorder();
        CountDownLatch release = new CountDownLatch(1);
        rec.outcome = m -> {
            try {
                release.await(); // the server stops reading: its socket buffers fill, then ours
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return FpcStatus.OK;
        };
        Path socket = tmp.resolve("fpc.sock");
        try (FpcServer server = FpcServer.start(new FpcServer.Options(socket, FpcServer.Options.defaults().allowedUids(), Duration.ofSeconds(30)),
                rec.appliers());
                FpcClient client = FpcClient.start(new FpcClient.Options(socket, "burst", Duration.ofSeconds(30)),
                        rec.session())) {
            rec.awaitConnected();
            assertEquals(1, server.connections());
            int total = 300_000;
            AtomicLong last = new AtomicLong();
            Thread sender = new Thread(() -> {
                for (int i = 0; i < total; i++) {
                    last.set(client.send(FpcSocketTest.route(i)));
                }
                client.flush();
            });
            sender.start();
            // The sender must end up parked in send() long before it has sent everything.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (sender.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(Thread.State.WAITING, sender.getState(), "sender never blocked");
            Thread.sleep(200);
            long blockedAt = last.get();
            assertTrue(blockedAt < total, "sent " + blockedAt);
            assertTrue(client.unacknowledged() <= blockedAt);
            release.countDown();
            sender.join(30_000);
            assertEquals(total, last.get(), "every message numbered once the server resumed");
            assertTrue(client.awaitAcknowledged(last.get(), Duration.ofSeconds(30)));
            assertEquals(total, rec.applied.size());
        }
    }

}
