package io.xdpgate.fpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A hand-driven UNIX socket peer (plain JDK) for feeding the server what a real client never would. */
final class FpcRawPeer implements AutoCloseable {
    private final SocketChannel channel;

    FpcRawPeer(SocketChannel channel) {
        this.channel = channel;
    }

    static FpcRawPeer connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        return new FpcRawPeer(ch);
    }

    void write(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    void send(FpcEnvelope... envelopes) throws IOException {
        write(FpcTestSupport.encode(envelopes));
    }

    /** Everything the other side sends until it closes; fails if it does not close within {@code timeout}. */
    List<FpcEnvelope> readUntilClosed(Duration timeout) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            ByteBuffer b = ByteBuffer.allocate(4096);
            try {
                while (channel.read(b) >= 0) {
                    synchronized (all) {
                        all.write(b.array(), 0, b.position());
                    }
                    b.clear();
                }
            } catch (IOException ignored) {
                // closed under us: the timeout case
            }
        });
        reader.start();
        reader.join(timeout.toMillis());
        if (reader.isAlive()) {
            channel.close();
            throw new AssertionError("the peer did not close the connection within " + timeout);
        }
        byte[] bytes;
        synchronized (all) {
            bytes = all.toByteArray();
        }
        return FpcTestSupport.decode(bytes);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    static String hex(ByteBuf b) {
        return ByteBufUtil.hexDump(b);
    }

    static byte[] bytes(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    static ByteBuf wrap(byte[] b) {
        return Unpooled.wrappedBuffer(b);
    }
}
