package io.xdpgate.lab;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.xdpgate.fpc.FpcApplier;
import io.xdpgate.fpc.FpcEnvelope;
import io.xdpgate.fpc.FpcHello;
import io.xdpgate.fpc.FpcMessageDecoder;
import io.xdpgate.fpc.FpcMessageEncoder;
import io.xdpgate.fpc.FpcServer;
import io.xdpgate.fpc.FpcStatus;
import io.xdpgate.netlink.NetworkNamespace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.DataInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * FPC over TCP on a non-loopback address (10.214.0.1 on a veth inside namespace xgtls): TLS with
 * client certificates is required, a client without a valid certificate is refused before the
 * application sees anything, and a client with one is served.
 */
class FpcTlsLabTest {

    private static final String NS = "xgtls";
    private static final String ADDR = "10.214.0.1";
    private static final int PORT = 5790;
    private static Path dir;
    private static ExecutorService inNs;
    private static FpcServer server;
    private static final AtomicInteger appliers = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        Privileged.require();
        if (Files.exists(Path.of("/run/netns", NS))) Sh.run("ip", "netns", "del", NS);
        Sh.run("ip", "netns", "add", NS);
        Sh.run("ip", "-n", NS, "link", "add", "xgtls0", "type", "veth", "peer", "name", "xgtls1");
        Sh.run("ip", "-n", NS, "link", "set", "xgtls0", "up");
        Sh.run("ip", "-n", NS, "link", "set", "xgtls1", "up");
        Sh.run("ip", "-n", NS, "link", "set", "lo", "up");
        Sh.run("ip", "-n", NS, "addr", "add", ADDR + "/24", "dev", "xgtls0");
        dir = Files.createTempDirectory("xg-tls");
        certificates();
        inNs = NetworkNamespace.executor(NS, "xgtls-test");
        // Sockets belong to the namespace of the thread that creates them: the listener is made there.
        server = inNs.submit(() -> FpcServer.startTcp(FpcServer.TcpOptions.tls(new InetSocketAddress(ADDR, PORT),
                dir.resolve("server.pem"), dir.resolve("server.key"), dir.resolve("ca.pem")), () -> {
                    appliers.incrementAndGet();
                    return (FpcApplier) m -> FpcStatus.OK;
                })).get();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (inNs != null) inNs.shutdownNow();
        Sh.exec(30, "ip", "netns", "del", NS);
        if (dir != null) Sh.exec(30, "rm", "-rf", dir.toString());
    }

    private static void certificates() {
        String d = dir.toString();
        Sh.run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", d + "/ca.key", "-out", d + "/ca.pem", "-days", "2", "-subj", "/CN=xg-test-ca");
        sign("server", "subjectAltName=IP:" + ADDR);
        sign("client", "extendedKeyUsage=clientAuth");
        Sh.run("openssl", "pkcs12", "-export", "-in", d + "/client.pem", "-inkey", d + "/client.key",
                "-out", d + "/client.p12", "-passout", "pass:xg");
    }

    private static void sign(String name, String extension) {
        String d = dir.toString();
        try {
            Files.writeString(dir.resolve(name + ".ext"), extension + "\n");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Sh.run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", d + "/" + name + ".key", "-out", d + "/" + name + ".csr", "-subj", "/CN=xg-" + name);
        Sh.run("openssl", "x509", "-req", "-in", d + "/" + name + ".csr", "-CA", d + "/ca.pem", "-CAkey", d + "/ca.key",
                "-CAcreateserial", "-out", d + "/" + name + ".pem", "-days", "2", "-extfile", d + "/" + name + ".ext");
    }

    private static SSLContext tls(boolean withClientCertificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(dir.resolve("ca.pem"))) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (withClientCertificate) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = new FileInputStream(dir.resolve("client.p12").toFile())) {
                keys.load(in, "xg".toCharArray());
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, "xg".toCharArray());
        }
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    /** Connects from inside the namespace, sends HELLO, returns the server's answer to it. */
    private static FpcEnvelope hello(boolean tls, boolean withClientCertificate) throws Exception {
        return inNs.submit(() -> {
            Socket raw = new Socket();
            raw.connect(new InetSocketAddress(ADDR, PORT), 3000);
            raw.setSoTimeout(5000);
            try (Socket s = tls ? tls(withClientCertificate).getSocketFactory().createSocket(raw, ADDR, PORT, true) : raw) {
                if (s instanceof SSLSocket ssl) ssl.startHandshake();
                ByteBuf out = Unpooled.buffer();
                FpcMessageEncoder.encode(FpcEnvelope.control(new FpcHello(1, 0, "xg tls test"), 0), out);
                byte[] bytes = new byte[out.readableBytes()];
                out.readBytes(bytes);
                s.getOutputStream().write(bytes);
                s.getOutputStream().flush();
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] header = new byte[16];
                in.readFully(header);
                int length = ((header[12] & 0xff) << 24) | ((header[13] & 0xff) << 16) | ((header[14] & 0xff) << 8) | (header[15] & 0xff);
                byte[] frame = new byte[length];
                System.arraycopy(header, 0, frame, 0, 16);
                in.readFully(frame, 16, length - 16);
                return FpcMessageDecoder.decode(Unpooled.wrappedBuffer(frame));
            }
        }).get();
    }

    @Test
    void plainTcpToANonLoopbackAddressIsRefusedAtStartUp() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FpcServer.TcpOptions.plain(new InetSocketAddress(ADDR, PORT + 1)));
        assertTrue(e.getMessage().contains("TLS"), e.getMessage());
    }

    @Test
    void clientsWithoutAValidCertificateAreRefusedAndOneWithItIsServed() throws Exception {
        int before = appliers.get();
        Exception plain = assertThrows(Exception.class, () -> hello(false, false), "plain TCP on the TLS port");
        Exception noCert = assertThrows(Exception.class, () -> hello(true, false), "TLS without a client certificate");
        assertEquals(before, appliers.get(), "refused peers never reach the application: " + plain + " / " + noCert);

        FpcEnvelope answer = hello(true, true);
        assertInstanceOf(FpcHello.class, answer.message(), "the server answers a certified client's HELLO");
        assertEquals(before + 1, appliers.get());
    }
}
