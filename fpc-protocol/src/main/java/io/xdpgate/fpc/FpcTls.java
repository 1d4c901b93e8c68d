package io.xdpgate.fpc;

import io.netty.channel.Channel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * TLS for FPC over TCP: the JDK's provider, TLS 1.3 or 1.2 only, and certificates on both sides.
 * Each side trusts exactly one CA file (never the system's trust store): the server requires a client
 * certificate signed by it, the client requires a server certificate signed by it whose
 * subjectAltName matches the address it connects to.
 */
final class FpcTls {
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private FpcTls() {
    }

    static SslContext server(Path certificate, Path privateKey, Path trustedClientCa) {
        check(certificate, privateKey, trustedClientCa);
        try {
            return SslContextBuilder.forServer(certificate.toFile(), privateKey.toFile())
                    .trustManager(trustedClientCa.toFile())
                    .clientAuth(ClientAuth.REQUIRE)
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    .build();
        } catch (Exception e) {
            throw new IllegalArgumentException("FPC TLS server: cannot use certificate " + certificate + ", key "
                    + privateKey + ", client CA " + trustedClientCa + ": " + e.getMessage(), e);
        }
    }

    static SslContext client(Path certificate, Path privateKey, Path trustedServerCa) {
        check(certificate, privateKey, trustedServerCa);
        try {
            return SslContextBuilder.forClient()
                    .keyManager(certificate.toFile(), privateKey.toFile())
                    .trustManager(trustedServerCa.toFile())
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    .endpointIdentificationAlgorithm("HTTPS")
                    .build();
        } catch (Exception e) {
            throw new IllegalArgumentException("FPC TLS client: cannot use certificate " + certificate + ", key "
                    + privateKey + ", server CA " + trustedServerCa + ": " + e.getMessage(), e);
        }
    }

    /** The first handler of a TLS connection; the handshake must finish within {@code timeout}. */
    static SslHandler handler(SslContext context, Channel ch, String peerHost, int peerPort, Duration timeout) {
        SslHandler h = peerHost == null ? context.newHandler(ch.alloc()) : context.newHandler(ch.alloc(), peerHost, peerPort);
        h.setHandshakeTimeoutMillis(Math.max(1, timeout.toMillis()));
        return h;
    }

    private static void check(Path... files) {
        for (Path f : files) {
            if (!Files.isReadable(f)) {
                throw new IllegalArgumentException("FPC TLS: " + f + " does not exist or is not readable");
            }
        }
    }
}
