package io.xdpgate.fpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** FPC over TCP on 127.0.0.1: plain on loopback, TLS with client certificates, and the refusals. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FpcTcpTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path certDir;
    static FpcCertificates certs;

    final FpcRecorder rec = new FpcRecorder();
    final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void certificates() throws Exception {
        certs = FpcCertificates.create(certDir);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    private FpcServer tlsServer() throws InterruptedException {
        FpcServer s = FpcServer.startTcp(FpcServer.TcpOptions.tls(loopback(0), certs.serverCert, certs.serverKey, certs.ca),
                rec.appliers());
        toClose.add(s);
        return s;
    }

    private FpcClient client(FpcClient.TcpOptions options) {
        FpcClient c = FpcClient.startTcp(options, rec.session());
        toClose.add(c);
        return c;
    }

    private static InetSocketAddress address(FpcServer server) {
        return (InetSocketAddress) server.localAddress();
    }

    private void syncAndCheck(FpcClient client, int routes) throws Exception {
        long[] last = new long[1];
        List<FpcMessage> sent = FpcSocketTest.sync(client, 1, routes, last);
        assertTrue(client.awaitAcknowledged(last[0], WAIT), "acknowledged up to " + client.lastAcknowledged());
        assertEquals(sent, rec.applied);
    }

    @Test
    void plainTcpOnLoopbackServesAClient() throws Exception {
        FpcServer server = FpcServer.startTcp(FpcServer.TcpOptions.loopback(0), rec.appliers());
        toClose.add(server);
        int port = address(server).getPort();
        assertTrue(port > 0);
        FpcClient client = client(FpcClient.TcpOptions.plain(loopback(port), "tcp client"));
        rec.awaitConnected();
        syncAndCheck(client, 5000);
        assertEquals(1, server.connections());
    }

    @Test
    void plainTcpOnANonLoopbackAddressIsRefusedAtStartUp() {
        for (String address : List.of("10.211.0.1", "0.0.0.0", "::", "2001:db8::1")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FpcServer.startTcp(
                    FpcServer.TcpOptions.plain(new InetSocketAddress(address, 7480)), rec.appliers()));
            assertTrue(e.getMessage().startsWith("refusing plain TCP on ") && e.getMessage().contains("requires TLS"),
                    e.getMessage());
        }
        // Half a TLS configuration is not silently plain.
        IllegalArgumentException half = assertThrows(IllegalArgumentException.class, () -> new FpcServer.TcpOptions(
                loopback(0), certs.serverCert, certs.serverKey, null));
        assertTrue(half.getMessage().contains("together"), half.getMessage());
        // The client refuses to send state in the clear off the host too.
        IllegalArgumentException client = assertThrows(IllegalArgumentException.class,
                () -> FpcClient.TcpOptions.plain(new InetSocketAddress("10.211.0.1", 7480), "c"));
        assertTrue(client.getMessage().contains("only allowed to a loopback address"), client.getMessage());
        assertEquals(0, rec.appliers.get());
    }

    @Test
    void unusableCertificateFailsTheStartClearly() {
        Path missing = certDir.resolve("missing.pem");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FpcServer.startTcp(
                FpcServer.TcpOptions.tls(loopback(0), missing, certs.serverKey, certs.ca), rec.appliers()));
        assertTrue(e.getMessage().contains("missing.pem"), e.getMessage());
        IllegalArgumentException wrongKey = assertThrows(IllegalArgumentException.class, () -> FpcServer.startTcp(
                FpcServer.TcpOptions.tls(loopback(0), certs.serverCert, certs.ca, certs.ca), rec.appliers()));
        assertTrue(wrongKey.getMessage().startsWith("FPC TLS server: cannot use certificate"), wrongKey.getMessage());
    }

    @Test
    void tlsClientWithAValidCertificateIsServed() throws Exception {
        FpcServer server = tlsServer();
        FpcClient client = client(FpcClient.TcpOptions.tls(address(server), "tls client", certs.clientCert,
                certs.clientKey, certs.ca));
        rec.awaitConnected();
        syncAndCheck(client, 20_000);
        assertEquals(1, server.connections());
        assertTrue(rec.disconnects.isEmpty(), rec.disconnects.toString());
    }

    @Test
    void tlsClientWithoutACertificateIsRefused() throws Exception {
        FpcServer server = tlsServer();
        SSLContext trustOnly = SSLContext.getInstance("TLS");
        trustOnly.init(null, trustManagers(certs.ca), null);
        InetSocketAddress a = address(server);
        try (SSLSocket s = (SSLSocket) trustOnly.getSocketFactory().createSocket(a.getAddress(), a.getPort())) {
            s.setSoTimeout(10_000);
            byte[] hello = FpcTestSupport.encode(FpcEnvelope.control(new FpcHello(1, 0, "no certificate"), 0));
            byte[] state = FpcTestSupport.encode(new FpcEnvelope(0, 1, 0, new FpcSyncBegin(1)));
            boolean refused;
            try {
                s.startHandshake(); // with TLS 1.3 the client side may finish before the server has checked
                s.getOutputStream().write(hello);
                s.getOutputStream().write(state);
                s.getOutputStream().flush();
                refused = s.getInputStream().read() < 0;
            } catch (IOException e) {
                refused = true;
            }
            assertTrue(refused, "the server answered a client without a certificate");
        }
        assertNothingApplied(server);
    }

    @Test
    void tlsClientSignedByAnotherCaIsRefused() throws Exception {
        FpcServer server = tlsServer();
        FpcClient client = client(FpcClient.TcpOptions.tls(address(server), "rogue", certs.rogueClientCert,
                certs.rogueClientKey, certs.ca));
        Throwable cause = rec.awaitDisconnect();
        assertTrue(cause instanceof javax.net.ssl.SSLException || cause instanceof IOException, cause.toString());
        assertFalse(client.isConnected());
        assertEquals(0, client.send(new FpcSyncBegin(1)));
        assertNothingApplied(server);
    }

    @Test
    void plainClientOnATlsPortIsRefused() throws Exception {
        FpcServer server = tlsServer();
        FpcClient client = client(FpcClient.TcpOptions.plain(address(server), "plain"));
        rec.awaitDisconnect();
        assertFalse(client.isConnected());
        assertNothingApplied(server);
    }

    @Test
    void clientRefusesAServerItsCaDidNotSign() throws Exception {
        FpcServer server = FpcServer.startTcp(FpcServer.TcpOptions.tls(loopback(0), certs.rogueServerCert,
                certs.rogueServerKey, certs.ca), rec.appliers());
        toClose.add(server);
        FpcClient client = client(FpcClient.TcpOptions.tls(address(server), "careful", certs.clientCert,
                certs.clientKey, certs.ca));
        Throwable cause = rec.awaitDisconnect();
        assertTrue(cause instanceof javax.net.ssl.SSLException, cause.toString());
        assertFalse(client.isConnected());
        assertNothingApplied(server);
    }

    private void assertNothingApplied(FpcServer server) throws InterruptedException {
        Thread.sleep(200); // anything that got through would have reached the applier by now
        assertEquals(0, rec.appliers.get(), "no applier for a refused peer");
        assertTrue(rec.applied.isEmpty(), rec.applied.toString());
        assertEquals(0, rec.connected.availablePermits(), "the client never completed a HELLO exchange");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.connections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, server.connections(), "the refused connection is closed");
    }

    static javax.net.ssl.TrustManager[] trustManagers(Path caPem) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return tmf.getTrustManagers();
    }
}
