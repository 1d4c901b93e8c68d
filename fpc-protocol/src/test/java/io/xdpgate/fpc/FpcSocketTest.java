package io.xdpgate.fpc;

import static io.xdpgate.fpc.FpcTestSupport.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real UNIX sockets between FpcClient and FpcServer in a temporary directory. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FpcSocketTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path tmp;
    Path socket;
    final FpcRecorder rec = new FpcRecorder();
    final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void paths() {
        socket = tmp.resolve("run/fpc.sock");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private FpcServer server(Set<Integer> uids, Duration keepalive) throws InterruptedException {
        FpcServer s = FpcServer.start(new FpcServer.Options(socket, uids, keepalive), rec.appliers());
        toClose.add(s);
        return s;
    }

    private FpcServer server() throws InterruptedException {
        return server(FpcServer.Options.defaults().allowedUids(), Duration.ofSeconds(3));
    }

    private FpcClient client(int version) {
        FpcClient c = FpcClient.start(new FpcClient.Options(socket, "test client", Duration.ofSeconds(3)), rec.session(), version);
        toClose.add(c);
        return c;
    }

    private FpcClient client() {
        return client(FpcConstants.VERSION);
    }

    static FpcRoute route(int i) {
        InetAddress prefix = ip("10." + (i >> 16 & 0xff) + "." + (i >> 8 & 0xff) + "." + (i & 0xff));
        return new FpcRoute(true, 0, 254, prefix, 32, FpcRouteType.UNICAST, List.of(new FpcNexthop(2, ip("192.0.2.1"), 1)));
    }

    /** SYNC_BEGIN, {@code routes} routes, SYNC_END from this thread; returns what was sent. */
    static List<FpcMessage> sync(FpcClient client, long generation, int routes, long[] lastSequence) {
        List<FpcMessage> sent = new ArrayList<>();
        sent.add(new FpcSyncBegin(generation));
        for (int i = 0; i < routes; i++) {
            sent.add(route(i));
        }
        sent.add(new FpcSyncEnd(generation));
        long previous = 0;
        for (FpcMessage m : sent) {
            long s = client.send(m);
            assertEquals(previous == 0 ? s : previous + 1, s, "sequence numbers are consecutive");
            previous = s;
        }
        client.flush();
        lastSequence[0] = previous;
        return sent;
    }

    @Test
    void fullSyncIsAppliedInOrderAndAcknowledged() throws Exception {
        FpcServer server = server();
        FpcClient client = client();
        rec.awaitConnected();
        assertTrue(client.isConnected());
        long[] last = new long[1];
        List<FpcMessage> sent = sync(client, 1, 10_000, last);
        assertTrue(client.awaitAcknowledged(last[0], WAIT), "acknowledged up to " + client.lastAcknowledged());
        assertEquals(last[0], client.lastAcknowledged());
        assertEquals(0, client.unacknowledged());
        assertEquals(sent, rec.applied);
        assertEquals(1, server.connections());
        assertEquals(1, rec.appliers.get());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
        assertTrue(rec.reports.stream().allMatch(r -> r.status() == FpcStatus.OK));
    }

    @Test
    void failuresAndRequestedAcksAreReportedIndividually() throws Exception {
        server();
        FpcClient client = client();
        rec.awaitConnected();
        rec.outcome = m -> {
            if (m instanceof FpcVrf v && v.vrf() == 7) {
                throw new IllegalStateException("namespace blue not found");
            }
            return m instanceof FpcRoute ? FpcStatus.NO_SPACE : FpcStatus.OK;
        };
        long vrf = client.send(new FpcVrf(true, 7, "blue"));
        long full = client.send(route(1));
        long asked = client.send(new FpcSyncBegin(3), true);
        client.flush();
        assertTrue(client.awaitAcknowledged(asked, WAIT));
        FpcReport r1 = rec.reports.poll(5, TimeUnit.SECONDS);
        FpcReport r2 = rec.reports.poll(5, TimeUnit.SECONDS);
        FpcReport r3 = rec.reports.poll(5, TimeUnit.SECONDS);
        assertEquals(vrf, r1.sequence());
        assertEquals(FpcStatus.ERROR, r1.status());
        assertTrue(r1.text().contains("namespace blue not found"), r1.text());
        assertEquals(full, r2.sequence());
        assertEquals(FpcStatus.NO_SPACE, r2.status());
        assertEquals(new FpcReport(asked, FpcStatus.OK, ""), r3);
        assertTrue(client.isConnected(), "failures do not end the connection");
    }

    @Test
    void garbageOnAnotherConnectionClosesOnlyThatOne() throws Exception {
        FpcServer server = server();
        FpcClient client = client();
        rec.awaitConnected();
        try (FpcRawPeer raw = FpcRawPeer.connect(socket)) {
            raw.write(FpcRawPeer.bytes("GET / HTTP/1.1\r\nHost: fpc\r\n\r\n"));
            List<FpcEnvelope> answer = raw.readUntilClosed(WAIT);
            FpcReport refusal = (FpcReport) answer.get(answer.size() - 1).message();
            assertEquals(FpcStatus.INVALID, refusal.status());
            assertTrue(refusal.text().contains("unknown FPC version 71"), refusal.text());
        }
        long[] last = new long[1];
        List<FpcMessage> sent = sync(client, 1, 100, last);
        assertTrue(client.awaitAcknowledged(last[0], WAIT));
        assertEquals(sent, rec.applied);
        // The refused connection is counted until the server's side of its close has run, which
        // may be a moment after the peer saw the socket close.
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (server.connections() != 1 && System.nanoTime() < deadline) Thread.sleep(5);
        assertEquals(1, server.connections());
        assertTrue(rec.disconnects.isEmpty(), rec.disconnects.toString());
    }

    @Test
    void anythingBeforeHelloIsRefused() throws Exception {
        server();
        try (FpcRawPeer raw = FpcRawPeer.connect(socket)) {
            raw.send(new FpcEnvelope(0, 1, 0, route(1)));
            List<FpcEnvelope> answer = raw.readUntilClosed(WAIT);
            assertEquals(FpcEnvelope.control(new FpcReport(1, FpcStatus.INVALID, "expected HELLO first, got ROUTE_ADD"), 0),
                    answer.get(0));
        }
        assertEquals(0, rec.appliers.get());
        assertTrue(rec.applied.isEmpty());
    }

    @Test
    void serverRefusesAnotherVersion() throws Exception {
        server();
        try (FpcLogCapture serverLog = new FpcLogCapture(FpcServerHandler.class)) {
            try (FpcRawPeer raw = FpcRawPeer.connect(socket)) {
                // A newer client that starts sending state right away: nothing of it may be applied.
                raw.send(FpcEnvelope.control(new FpcHello(2, 0, "future client"), 0),
                        new FpcEnvelope(0, 1, 0, new FpcSyncBegin(1)), new FpcEnvelope(0, 2, 0, route(1)));
                List<FpcEnvelope> answer = raw.readUntilClosed(WAIT);
                assertEquals(1, answer.size(), answer.toString());
                FpcReport r = (FpcReport) answer.get(0).message();
                assertEquals(FpcStatus.VERSION_MISMATCH, r.status());
                assertEquals("this server speaks FPC version 1, the client (future client) speaks version 2", r.text());
            }
            // The server's side of the story, for its operator.
            serverLog.await("VERSION_MISMATCH this server speaks FPC version 1, the client (future client) speaks version 2");
        }
        // Through FpcClient: the refusal reaches the session as the disconnect cause.
        FpcClient client = client(2);
        Throwable cause = rec.awaitDisconnect();
        assertInstanceOf(FpcProtocolException.class, cause);
        assertEquals("the server refused the connection: VERSION_MISMATCH: this server speaks FPC version 1,"
                + " the client (test client) speaks version 2", cause.getMessage());
        assertFalse(client.isConnected());
        assertEquals(0, rec.appliers.get(), "nothing is applied for a refused client");
        assertTrue(rec.applied.isEmpty());
        assertEquals(0, client.send(new FpcSyncBegin(1)), "messages are discarded while not connected");
    }

    @Test
    void clientRefusesAnotherVersion() throws Exception {
        Files.createDirectories(socket.getParent());
        try (ServerSocketChannel fake = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            fake.bind(UnixDomainSocketAddress.of(socket));
            FpcClient client = client();
            try (FpcRawPeer peer = new FpcRawPeer(fake.accept())) {
                peer.send(FpcEnvelope.control(new FpcHello(2, 0, "future server"), 0));
                List<FpcEnvelope> fromClient = peer.readUntilClosed(WAIT);
                assertEquals(new FpcHello(1, 0, "test client"), fromClient.get(0).message());
                // The client tells the server why before closing, and sends no state.
                assertEquals(List.of(FpcEnvelope.control(new FpcReport(0, FpcStatus.VERSION_MISMATCH,
                        "FPC version mismatch: the server (future server) speaks version 2, this client (test client)"
                                + " speaks version 1"), 0)), fromClient.subList(1, fromClient.size()));
            }
            Throwable cause = rec.awaitDisconnect();
            assertEquals("FPC version mismatch: the server (future server) speaks version 2, this client (test client)"
                    + " speaks version 1", cause.getMessage());
            assertEquals(0, rec.connected.availablePermits());
            assertFalse(client.isConnected());
        }
    }

    @Test
    void serverLogsAClientsVersionRefusalAndAppliesNothing() throws Exception {
        server();
        try (FpcLogCapture serverLog = new FpcLogCapture(FpcServerHandler.class);
                FpcRawPeer raw = FpcRawPeer.connect(socket)) {
            raw.send(FpcEnvelope.control(new FpcHello(1, 0, "picky client"), 0),
                    FpcEnvelope.control(new FpcReport(0, FpcStatus.VERSION_MISMATCH, "this client wants version 3"), 0));
            List<FpcEnvelope> answer = raw.readUntilClosed(WAIT);
            assertInstanceOf(FpcHello.class, answer.get(0).message());
            serverLog.await("refused this server: VERSION_MISMATCH this client wants version 3");
        }
        assertTrue(rec.applied.isEmpty());
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (rec.closedConnections.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1, rec.closedConnections.get(), "the applier hears that its connection is gone");
    }

    @Test
    void clientReconnectsAfterServerRestart() throws Exception {
        FpcServer first = server();
        FpcClient client = client();
        rec.awaitConnected();
        long s1 = client.send(new FpcSyncBegin(1));
        client.flush();
        assertTrue(client.awaitAcknowledged(s1, WAIT));
        first.close();
        rec.awaitDisconnect();
        assertFalse(client.isConnected());
        server();
        rec.awaitConnected(); // onConnected again, by itself
        long s2 = client.send(new FpcSyncBegin(2));
        client.flush();
        assertTrue(s2 > s1, "sequence numbers keep growing across connections");
        assertTrue(client.awaitAcknowledged(s2, WAIT));
        assertEquals(2, rec.appliers.get());
        assertEquals(List.of(new FpcSyncBegin(1), new FpcSyncBegin(2)), rec.applied);
        assertEquals(1, rec.closedConnections.get());
    }

    @Test
    void staleSocketFileIsReplacedButALiveServerIsNot() throws Exception {
        Files.createDirectories(socket.getParent());
        ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        dead.bind(UnixDomainSocketAddress.of(socket));
        dead.close(); // the file stays, as after a crash
        assertTrue(Files.exists(socket));
        server();
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> FpcServer.start(new FpcServer.Options(socket, Set.of(0), Duration.ofSeconds(3)), rec.appliers()));
        assertTrue(e.getMessage().contains("in use"), e.getMessage());
        client();
        rec.awaitConnected(); // the first server still serves
    }

    @Test
    void silentPeerIsClosedAfterTheKeepaliveTimeout() throws Exception {
        server(FpcServer.Options.defaults().allowedUids(), Duration.ofMillis(600));
        try (FpcRawPeer raw = FpcRawPeer.connect(socket)) {
            raw.send(FpcEnvelope.control(new FpcHello(1, 0, "mute"), 0));
            long start = System.nanoTime();
            List<FpcEnvelope> received = raw.readUntilClosed(WAIT);
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 500, "closed after " + ms + " ms");
            assertInstanceOf(FpcHello.class, received.get(0).message());
            assertTrue(received.stream().anyMatch(e -> e.message() instanceof FpcKeepalive), received.toString());
        }
    }

    @Test
    void silentClientIsClosedWithinTheDefaultKeepaliveTimeout() throws Exception {
        server(); // default keepalive timeout: 3 s
        try (FpcRawPeer raw = FpcRawPeer.connect(socket)) {
            raw.send(FpcEnvelope.control(new FpcHello(1, 0, "hangs after hello"), 0));
            long start = System.nanoTime();
            List<FpcEnvelope> received = raw.readUntilClosed(WAIT);
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 2500 && ms <= 3500, "closed after " + ms + " ms, expected about 3 s");
            assertInstanceOf(FpcHello.class, received.get(0).message());
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (rec.closedConnections.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1, rec.closedConnections.get());
    }

    @Test
    void silentServerIsDetectedByTheClientWithinTheDefaultKeepaliveTimeout() throws Exception {
        Files.createDirectories(socket.getParent());
        try (ServerSocketChannel fake = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            fake.bind(UnixDomainSocketAddress.of(socket));
            FpcClient client = client(); // default keepalive timeout: 3 s
            try (FpcRawPeer peer = new FpcRawPeer(fake.accept())) {
                // Completes the HELLO exchange, then neither answers nor reads again.
                peer.send(FpcEnvelope.control(new FpcHello(1, 0, "hung server"), 0));
                rec.awaitConnected();
                long start = System.nanoTime();
                Throwable cause = rec.awaitDisconnect();
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertEquals("nothing received from the FPC server within the keepalive timeout", cause.getMessage());
                assertTrue(ms <= 3500, "detected after " + ms + " ms, expected about 3 s");
                assertFalse(client.isConnected());
            }
        }
    }

    @Test
    void keepalivesHoldAnIdleConnection() throws Exception {
        server(FpcServer.Options.defaults().allowedUids(), Duration.ofMillis(300));
        FpcClient client = FpcClient.start(new FpcClient.Options(socket, "idle", Duration.ofMillis(300)), rec.session());
        toClose.add(client);
        rec.awaitConnected();
        Thread.sleep(1200);
        assertTrue(client.isConnected());
        assertTrue(rec.disconnects.isEmpty(), rec.disconnects.toString());
    }
}
