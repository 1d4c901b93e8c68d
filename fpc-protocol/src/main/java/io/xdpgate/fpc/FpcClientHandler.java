package io.xdpgate.fpc;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One client connection: sends HELLO, checks the server's, turns reports into acknowledgements. */
final class FpcClientHandler extends SimpleChannelInboundHandler<FpcEnvelope> {
    private static final Logger log = LoggerFactory.getLogger(FpcClientHandler.class);

    private final FpcClient client;
    private final int version;
    private final String identity;
    private boolean helloDone;
    private Throwable cause; // why the connection ends, for Session.onDisconnected

    private FpcClientHandler(FpcClient client, int version, String identity) {
        this.client = client;
        this.version = version;
        this.identity = identity;
    }

    static void install(ChannelPipeline p, FpcClient client, int version, String identity, Duration keepaliveTimeout) {
        long timeout = keepaliveTimeout.toMillis();
        p.addLast("idle", new IdleStateHandler(timeout, timeout / 3, 0, TimeUnit.MILLISECONDS));
        p.addLast("frame", new FpcFrameDecoder());
        p.addLast("encode", FpcMessageEncoder.INSTANCE);
        p.addLast("fpc", new FpcClientHandler(client, version, identity));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(FpcEnvelope.control(new FpcHello(version, 0, identity), 0));
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FpcEnvelope envelope) {
        if (cause != null) {
            return;
        }
        if (helloDone && envelope.report() != 0) {
            client.acknowledged(envelope.report());
        }
        FpcMessage message = envelope.message();
        if (message instanceof FpcHello hello) {
            if (helloDone) {
                fail(ctx, new FpcProtocolException("the server sent a second HELLO"));
            } else if (hello.version() != version) {
                String text = "FPC version mismatch: the server (" + hello.identity() + ") speaks version "
                        + hello.version() + ", this client (" + identity + ") speaks version " + version;
                // REPORT keeps its format in every version, so the server can log why it was refused.
                ctx.writeAndFlush(FpcEnvelope.control(FpcReport.of(0, FpcStatus.VERSION_MISMATCH, text), 0));
                fail(ctx, new FpcProtocolException(text));
            } else {
                helloDone = true;
                log.info("FPC connected to '{}'", hello.identity());
                client.connected(ctx.channel(), hello.capabilities());
            }
        } else if (message instanceof FpcReport report) {
            if (!helloDone) {
                // The server answers a HELLO it refuses with a report (VERSION_MISMATCH, INVALID) and closes.
                fail(ctx, new FpcProtocolException("the server refused the connection: " + report.status()
                        + (report.text().isEmpty() ? "" : ": " + report.text())));
            } else {
                client.reported(report);
            }
        } else if (!(message instanceof FpcKeepalive)) {
            fail(ctx, new FpcProtocolException("the server sent " + message.messageType() + ", which only clients send"));
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent idle) {
            switch (idle.state()) {
                case WRITER_IDLE -> ctx.writeAndFlush(FpcEnvelope.control(new FpcKeepalive(), 0));
                case READER_IDLE -> fail(ctx, new IOException("nothing received from the FPC server within the keepalive timeout"));
                default -> {
                }
            }
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        client.writabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, cause);
    }

    private void fail(ChannelHandlerContext ctx, Throwable failure) {
        if (cause == null) {
            cause = failure instanceof DecoderException && failure.getCause() instanceof SSLException tls ? tls : failure;
            log.warn("FPC connection to the server closed: {}", cause.toString());
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Throwable why = cause != null ? cause : new IOException(helloDone ? "connection closed by the FPC server"
                : "connection closed by the FPC server before the HELLO exchange (refused? see the server's log)");
        client.disconnected(ctx.channel(), why);
        ctx.fireChannelInactive();
    }
}
