package io.xdpgate.fpc;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving end of FPC (fastpath-manager). Listens on a UNIX socket, accepting only peers whose
 * uid is allowed ({@link #start}), or on TCP ({@link #startTcp}: plain on loopback only, otherwise TLS
 * with client certificates), and gives each connection its own {@link FpcApplier}. See {@link FpcServerHandler}
 * for the per-connection protocol.
 */
public final class FpcServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FpcServer.class);

    public record Options(Path socketPath, Set<Integer> allowedUids, Duration keepaliveTimeout) {
        public static final Path DEFAULT_SOCKET = Path.of("/run/xdpgate/fpc.sock");
        public static final Duration DEFAULT_KEEPALIVE_TIMEOUT = Duration.ofSeconds(3);

        public Options {
            Objects.requireNonNull(socketPath, "socketPath");
            allowedUids = Set.copyOf(allowedUids);
            if (keepaliveTimeout.toMillis() < 3) {
                throw new IllegalArgumentException("keepalive timeout " + keepaliveTimeout + " is too short");
            }
        }

        /** {@code /run/xdpgate/fpc.sock}, uids {0, own uid}, keepalive timeout 3 s. */
        public static Options defaults() {
            Set<Integer> uids = new HashSet<>();
            uids.add(0);
            uids.add(ownUid());
            return new Options(DEFAULT_SOCKET, uids, DEFAULT_KEEPALIVE_TIMEOUT);
        }
    }

    /**
     * FPC over TCP, off unless started with {@link #startTcp}. Plain TCP is allowed only on a loopback
     * address; any other bind address (the wildcard included) requires TLS with client certificates:
     * {@code certificate} and {@code privateKey} (PEM, the key in PKCS#8) identify this server, and only
     * clients whose certificate is signed by {@code trustedClientCa} (PEM) get past the handshake. The
     * three paths are given together (TLS) or not at all (plain, loopback only).
     */
    public record TcpOptions(InetSocketAddress bind, Path certificate, Path privateKey, Path trustedClientCa,
            Duration keepaliveTimeout) {
        public TcpOptions {
            Objects.requireNonNull(bind, "bind");
            if (bind.isUnresolved()) {
                throw new IllegalArgumentException("FPC TCP bind address " + bind.getHostString() + " does not resolve");
            }
            int tlsPaths = (certificate != null ? 1 : 0) + (privateKey != null ? 1 : 0) + (trustedClientCa != null ? 1 : 0);
            if (tlsPaths != 0 && tlsPaths != 3) {
                throw new IllegalArgumentException("FPC TLS needs a certificate, its private key and the trusted client CA"
                        + " together (certificate=" + certificate + ", privateKey=" + privateKey + ", trustedClientCa="
                        + trustedClientCa + ")");
            }
            if (tlsPaths == 0 && !bind.getAddress().isLoopbackAddress()) {
                throw new IllegalArgumentException("refusing plain TCP on " + bind.getAddress().getHostAddress() + ":"
                        + bind.getPort() + ": FPC over TCP without TLS is only allowed on a loopback address;"
                        + " any other address requires TLS with client certificates (certificate, privateKey, trustedClientCa)");
            }
            Objects.requireNonNull(keepaliveTimeout, "keepaliveTimeout");
            if (keepaliveTimeout.toMillis() < 3) {
                throw new IllegalArgumentException("keepalive timeout " + keepaliveTimeout + " is too short");
            }
        }

        /** With the default keepalive timeout (3 s). */
        public TcpOptions(InetSocketAddress bind, Path certificate, Path privateKey, Path trustedClientCa) {
            this(bind, certificate, privateKey, trustedClientCa, Options.DEFAULT_KEEPALIVE_TIMEOUT);
        }

        /** Plain TCP on {@code 127.0.0.1:port} (0 = any free port, see {@link FpcServer#localAddress()}). */
        public static TcpOptions loopback(int port) {
            return plain(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        }

        /** Plain TCP; {@code bind} must be a loopback address. */
        public static TcpOptions plain(InetSocketAddress bind) {
            return new TcpOptions(bind, null, null, null);
        }

        /** TLS with client certificates, on any address. */
        public static TcpOptions tls(InetSocketAddress bind, Path certificate, Path privateKey, Path trustedClientCa) {
            return new TcpOptions(bind, Objects.requireNonNull(certificate, "certificate"),
                    Objects.requireNonNull(privateKey, "privateKey"), Objects.requireNonNull(trustedClientCa, "trustedClientCa"));
        }

        public boolean tls() {
            return certificate != null;
        }
    }

    /** Null when the transport has no peer credentials (TCP): then the bind address and TLS decide. */
    private final Set<Integer> allowedUids;
    private final Duration keepaliveTimeout;
    private final SslContext tls;
    private final FpcTransport transport;
    private final EventLoopGroup group;
    private final ChannelGroup connections = new DefaultChannelGroup("fpc-connections", GlobalEventExecutor.INSTANCE);
    private volatile Channel listener;

    private FpcServer(Set<Integer> allowedUids, Duration keepaliveTimeout, SslContext tls, FpcTransport transport,
            EventLoopGroup group) {
        this.allowedUids = allowedUids;
        this.keepaliveTimeout = keepaliveTimeout;
        this.tls = tls;
        this.transport = transport;
        this.group = group;
    }

    /** Listens on the UNIX socket of {@code options}; peers are checked by uid (SO_PEERCRED). */
    public static FpcServer start(Options options, Supplier<FpcApplier> perConnection) throws InterruptedException {
        return start(new FpcUnixTransport(options.socketPath()), options.allowedUids(), options.keepaliveTimeout(), null,
                perConnection);
    }

    /**
     * Listens on TCP, plain (loopback only) or TLS with required client certificates; see {@link TcpOptions}.
     * Fails with IllegalArgumentException when the certificate, key or CA cannot be used.
     */
    public static FpcServer startTcp(TcpOptions options, Supplier<FpcApplier> perConnection) throws InterruptedException {
        SslContext tls = options.tls()
                ? FpcTls.server(options.certificate(), options.privateKey(), options.trustedClientCa()) : null;
        return start(new FpcTcpTransport(options.bind(), tls != null), null, options.keepaliveTimeout(), tls, perConnection);
    }

    private static FpcServer start(FpcTransport transport, Set<Integer> allowedUids, Duration keepaliveTimeout,
            SslContext tls, Supplier<FpcApplier> perConnection) throws InterruptedException {
        Objects.requireNonNull(perConnection, "perConnection");
        try {
            transport.beforeBind();
        } catch (IOException e) {
            throw new UncheckedIOException("FPC server " + transport + ": " + e.getMessage(), e);
        }
        EventLoopGroup group = transport.newEventLoopGroup(0, "fpc-server");
        // Built before bind: a connection may be accepted before bind() returns.
        FpcServer server = new FpcServer(transport.hasPeerCredentials() ? allowedUids : null, keepaliveTimeout, tls,
                transport, group);
        try {
            ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(transport.serverChannelType())
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            server.initConnection(ch, perConnection);
                        }
                    });
            server.listener = bootstrap.bind(transport.address()).sync().channel();
            transport.afterBind();
            log.info("FPC server listening on {}{}", server.listener.localAddress() instanceof InetSocketAddress a
                    ? (tls != null ? "tls:" : "tcp:") + a.getHostString() + ":" + a.getPort() : transport,
                    server.allowedUids != null ? ", allowed uids " + server.allowedUids
                            : tls != null ? ", client certificates required" : ", plain TCP on loopback");
            return server;
        } catch (IOException e) {
            server.close();
            throw new UncheckedIOException("FPC server " + transport + ": " + e.getMessage(), e);
        } catch (Exception e) {
            server.close();
            if (e instanceof RuntimeException || e instanceof InterruptedException) {
                throw e;
            }
            // bind() reports a busy port or a missing address as a checked exception it does not declare
            throw new UncheckedIOException("FPC server " + transport + ": " + e.getMessage(), new IOException(e));
        }
    }

    /** Runs on the new connection's I/O thread before it reads anything: the peer check comes first. */
    private void initConnection(Channel ch, Supplier<FpcApplier> perConnection) {
        String peer = transport.describePeer(ch);
        if (allowedUids != null) {
            int uid;
            try {
                uid = transport.peerUid(ch);
            } catch (IOException | RuntimeException e) {
                log.warn("FPC connection on {} refused: cannot read peer credentials: {}", transport, e.toString());
                ch.close();
                return;
            }
            if (!allowedUids.contains(uid)) {
                log.warn("FPC connection from {} on {} refused: uid {} is not in the allowed uids {}", peer, transport,
                        uid, allowedUids);
                ch.close();
                return;
            }
        }
        connections.add(ch);
        if (tls != null) {
            SslHandler ssl = FpcTls.handler(tls, ch, null, 0, keepaliveTimeout);
            ch.pipeline().addLast("tls", ssl);
            ssl.handshakeFuture().addListener(done -> {
                if (done.isSuccess()) {
                    log.info("FPC TLS client {} authenticated as {}", peer, ssl.engine().getSession().getPeerPrincipal());
                } else {
                    log.warn("FPC TLS handshake with {} failed, closing: {}", peer, done.cause().toString());
                }
            });
        }
        FpcServerHandler.install(ch.pipeline(), keepaliveTimeout, peer, perConnection, serverIdentity());
    }

    /** The address the server listens on: the socket path's address, or the TCP address with the port bound. */
    public SocketAddress localAddress() {
        Channel l = listener;
        return l != null ? l.localAddress() : transport.address();
    }

    /** Open connections that passed the peer check. */
    public int connections() {
        return connections.size();
    }

    @Override
    public void close() {
        Channel l = listener;
        if (l != null) {
            l.close().awaitUninterruptibly();
        }
        connections.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        transport.afterClose();
        log.info("FPC server on {} closed", transport);
    }

    private static String serverIdentity() {
        return "xdpgate fpc server pid " + ProcessHandle.current().pid();
    }

    static int ownUid() {
        try {
            // /proc/self belongs to the process's effective uid.
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalStateException("cannot find this process's uid: " + e, e);
        }
    }
}
