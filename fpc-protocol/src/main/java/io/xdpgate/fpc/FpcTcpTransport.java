package io.xdpgate.fpc;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * FPC over TCP with Netty's epoll transport. TCP carries no peer credentials: on loopback any local
 * process may connect (which is why plain TCP is refused on any other address), and remote peers are
 * authenticated by their TLS client certificate (see {@link FpcTls}).
 */
final class FpcTcpTransport implements FpcTransport {
    private final InetSocketAddress address;
    private final boolean tls;

    FpcTcpTransport(InetSocketAddress address, boolean tls) {
        this.address = address;
        this.tls = tls;
        Epoll.ensureAvailability();
    }

    @Override
    public Class<? extends ServerChannel> serverChannelType() {
        return EpollServerSocketChannel.class;
    }

    @Override
    public Class<? extends Channel> channelType() {
        return EpollSocketChannel.class;
    }

    @Override
    public SocketAddress address() {
        return address;
    }

    @Override
    public void beforeBind() {
        // nothing on the file system
    }

    @Override
    public void afterBind() {
        // access is restricted by the bind address and TLS, not by file modes
    }

    @Override
    public void afterClose() {
        // nothing left behind
    }

    @Override
    public boolean hasPeerCredentials() {
        return false;
    }

    @Override
    public int peerUid(Channel channel) {
        return -1;
    }

    @Override
    public String describePeer(Channel channel) {
        return String.valueOf(channel.remoteAddress());
    }

    @Override
    public String toString() {
        return (tls ? "tls:" : "tcp:") + address.getHostString() + ":" + address.getPort();
    }
}
