package io.xdpgate.fpc;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.PeerCredentials;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** FPC over a UNIX stream socket with Netty's epoll transport; the peer is identified by SO_PEERCRED. */
final class FpcUnixTransport implements FpcTransport {
    /** S_IFMT / S_IFSOCK from sys/stat.h. */
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private final Path path;

    FpcUnixTransport(Path path) {
        this.path = path.toAbsolutePath();
        Epoll.ensureAvailability();
    }

    @Override
    public Class<? extends ServerChannel> serverChannelType() {
        return EpollServerDomainSocketChannel.class;
    }

    @Override
    public Class<? extends Channel> channelType() {
        return EpollDomainSocketChannel.class;
    }

    @Override
    public SocketAddress address() {
        return new DomainSocketAddress(path.toFile());
    }

    @Override
    public void beforeBind() throws IOException {
        Path dir = path.getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            // Only a directory we create is restricted; an existing one (say /tmp) is not ours to chmod.
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException raced) {
                // created meanwhile by someone else: fine
            }
        }
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new IOException(path + " exists and is not a socket; refusing to replace it");
        }
        // A socket file nobody accepts on is what a dead server leaves; a live one must not be stolen.
        boolean live;
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            live = true;
        } catch (IOException refused) {
            live = false;
        }
        if (live) {
            throw new IOException(path + " is in use by a running FPC server");
        }
        Files.deleteIfExists(path);
    }

    @Override
    public void afterBind() throws IOException {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
    }

    @Override
    public void afterClose() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // a later start replaces a stale socket file anyway
        }
    }

    @Override
    public int peerUid(Channel channel) throws IOException {
        return ((EpollDomainSocketChannel) channel).peerCredentials().uid();
    }

    @Override
    public String describePeer(Channel channel) {
        try {
            PeerCredentials c = ((EpollDomainSocketChannel) channel).peerCredentials();
            return "uid " + c.uid() + " pid " + c.pid();
        } catch (IOException | RuntimeException e) {
            return "unknown peer (" + e.getMessage() + ")";
        }
    }

    @Override
    public String toString() {
        return "unix:" + path;
    }
}
