package io.xdpgate.fpc;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * The receiving end of FPC (fastpath-manager). Listens on a UNIX socket, accepts only peers whose
 * uid is allowed, and gives each connection its own {@link FpcApplier}. See {@link FpcServerHandler}
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

    private final Options options;
    private final FpcTransport transport;
    private final EventLoopGroup group;
    private final ChannelGroup connections = new DefaultChannelGroup("fpc-connections", GlobalEventExecutor.INSTANCE);
    private volatile Channel listener;

    private FpcServer(Options options, FpcTransport transport, EventLoopGroup group) {
        this.options = options;
        this.transport = transport;
        this.group = group;
    }

    public static FpcServer start(Options options, Supplier<FpcApplier> perConnection) throws InterruptedException {
        Objects.requireNonNull(perConnection, "perConnection");
        FpcTransport transport = new FpcUnixTransport(options.socketPath());
        try {
            transport.beforeBind();
        } catch (IOException e) {
            throw new UncheckedIOException("FPC server " + transport + ": " + e.getMessage(), e);
        }
        EventLoopGroup group = transport.newEventLoopGroup(0, "fpc-server");
        // Built before bind: a connection may be accepted before bind() returns.
        FpcServer server = new FpcServer(options, transport, group);
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
            log.info("FPC server listening on {}, allowed uids {}", transport, options.allowedUids());
            return server;
        } catch (IOException e) {
            server.close();
            throw new UncheckedIOException("FPC server " + transport + ": " + e.getMessage(), e);
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
    }

    /** Runs on the new connection's I/O thread before it reads anything: the peer check comes first. */
    private void initConnection(Channel ch, Supplier<FpcApplier> perConnection) {
        String peer = transport.describePeer(ch);
        int uid;
        try {
            uid = transport.peerUid(ch);
        } catch (IOException | RuntimeException e) {
            log.warn("FPC connection on {} refused: cannot read peer credentials: {}", transport, e.toString());
            ch.close();
            return;
        }
        if (!options.allowedUids().contains(uid)) {
            log.warn("FPC connection from {} on {} refused: uid {} is not in the allowed uids {}", peer, transport,
                    uid, options.allowedUids());
            ch.close();
            return;
        }
        connections.add(ch);
        FpcServerHandler.install(ch.pipeline(), options.keepaliveTimeout(), peer, perConnection, serverIdentity());
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
