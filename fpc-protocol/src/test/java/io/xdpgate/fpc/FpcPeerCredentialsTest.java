package io.xdpgate.fpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FpcPeerCredentialsTest {
    @TempDir
    Path tmp;

    @Test
    void uidOutsideTheAllowedSetIsRefusedBeforeAnythingIsRead() throws Exception {
        FpcRecorder rec = new FpcRecorder();
        int notMe = FpcServer.ownUid() + 12345;
        Path socket = tmp.resolve("fpc.sock");
        try (FpcServer server = FpcServer.start(new FpcServer.Options(socket, Set.of(notMe), Duration.ofSeconds(3)),
                rec.appliers());
                FpcClient client = FpcClient.start(new FpcClient.Options(socket, "intruder", Duration.ofSeconds(3)),
                        rec.session())) {
            Throwable cause = rec.awaitDisconnect();
            // The server closes at once; the client sees that as a close before the HELLO exchange,
            // or as a reset when its HELLO was still in flight. Either way it was refused.
            String why = String.valueOf(cause.getMessage());
            assertTrue(why.contains("before the HELLO exchange") || why.contains("Connection reset"), why);
            assertFalse(client.isConnected());
            assertEquals(0, rec.connected.availablePermits(), "onConnected must not be called");
            assertEquals(0, rec.appliers.get(), "no applier for a refused peer");
            assertTrue(rec.applied.isEmpty());
            long deadline = System.nanoTime() + 5_000_000_000L; // the server's side of the close may lag the peer's
            while (server.connections() != 0 && System.nanoTime() < deadline) Thread.sleep(5);
            assertEquals(0, server.connections());
        }
    }

    @Test
    void ownUidIsAllowedByDefault() {
        assertTrue(FpcServer.Options.defaults().allowedUids().contains(FpcServer.ownUid()));
        assertTrue(FpcServer.Options.defaults().allowedUids().contains(0));
        assertEquals(Path.of("/run/xdpgate/fpc.sock"), FpcServer.Options.defaults().socketPath());
    }
}
