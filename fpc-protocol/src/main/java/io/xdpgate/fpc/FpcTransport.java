package io.xdpgate.fpc;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.SocketAddress;

/**
 * Everything that depends on the kind of socket, so that TCP (and TLS) can be added as other
 * implementations without touching the protocol handlers: {@link FpcUnixTransport} and
 * {@link FpcTcpTransport} (TLS, when on, is a handler in front of the protocol, see {@link FpcTls}).
 */
interface FpcTransport {
    /** Both transports run on epoll: daemon threads, so a forgotten close never keeps the JVM alive. */
    default EventLoopGroup newEventLoopGroup(int threads, String threadName) {
        return new EpollEventLoopGroup(threads, new DefaultThreadFactory(threadName, true));
    }

    Class<? extends ServerChannel> serverChannelType();

    Class<? extends Channel> channelType();

    SocketAddress address();

    /** Makes the address bindable (directories, a stale socket file left by a dead server). */
    void beforeBind() throws IOException;

    /** Restricts who may connect at the file system level. */
    void afterBind() throws IOException;

    /** Removes what bind left behind. */
    void afterClose();

    /** Whether {@link #peerUid} tells who the peer is (SO_PEERCRED); the server checks it only then. */
    default boolean hasPeerCredentials() {
        return true;
    }

    /** The connected peer's uid, or -1 when the transport cannot tell. */
    int peerUid(Channel channel) throws IOException;

    /** The peer for log lines ("uid 0 pid 1234"). */
    String describePeer(Channel channel);
}
