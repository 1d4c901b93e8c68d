package io.xdpgate.fpc;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server connection: HELLO exchange, then every numbered message to the applier in order,
 * with reports back. Runs on the connection's I/O thread only, so it needs no locking.
 */
final class FpcServerHandler extends SimpleChannelInboundHandler<FpcEnvelope> {
    private static final Logger log = LoggerFactory.getLogger(FpcServerHandler.class);
    /** A cumulative report goes out at least this often while messages stream in. */
    static final int REPORT_INTERVAL = 256;

    private final String peer;
    private final Supplier<FpcApplier> perConnection;
    private final String identity;
    private FpcApplier applier; // created once the HELLO is accepted: refused peers never reach the application
    private long lastSequence; // wire value of the last numbered message processed
    private long lastReported;
    private int sinceReport;
    private boolean closing;

    private FpcServerHandler(String peer, Supplier<FpcApplier> perConnection, String identity) {
        this.peer = peer;
        this.perConnection = perConnection;
        this.identity = identity;
    }

    static void install(ChannelPipeline p, Duration keepaliveTimeout, String peer, Supplier<FpcApplier> perConnection,
            String identity) {
        long timeout = keepaliveTimeout.toMillis();
        p.addLast("idle", new IdleStateHandler(timeout, timeout / 3, 0, TimeUnit.MILLISECONDS));
        p.addLast("frame", new FpcFrameDecoder());
        p.addLast("encode", FpcMessageEncoder.INSTANCE);
        p.addLast("fpc", new FpcServerHandler(peer, perConnection, identity));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FpcEnvelope envelope) {
        if (closing) {
            return;
        }
        FpcMessage message = envelope.message();
        if (applier == null) {
            handshake(ctx, envelope);
            return;
        }
        switch (message.messageType()) {
            case KEEPALIVE -> {
                // reading it has already reset the idle timer
            }
            case REPORT -> {
                FpcReport report = (FpcReport) message;
                if (report.status() == FpcStatus.VERSION_MISMATCH) {
                    // The client refused this server's HELLO: its reason is the useful log line on this side.
                    log.warn("FPC client ({}) refused this server: {} {}; closing", peer, report.status(), report.text());
                    closing = true;
                    ctx.close();
                } else {
                    refuse(ctx, envelope.sequence(), FpcStatus.INVALID,
                            "REPORT after the HELLO exchange is not allowed from a client");
                }
            }
            case HELLO -> refuse(ctx, envelope.sequence(), FpcStatus.INVALID,
                    "HELLO after the HELLO exchange is not allowed from a client");
            default -> apply(ctx, envelope);
        }
    }

    private void handshake(ChannelHandlerContext ctx, FpcEnvelope envelope) {
        if (!(envelope.message() instanceof FpcHello hello)) {
            refuse(ctx, envelope.sequence(), FpcStatus.INVALID,
                    "expected HELLO first, got " + envelope.message().messageType());
            return;
        }
        if (hello.version() != FpcConstants.VERSION) {
            refuse(ctx, 0, FpcStatus.VERSION_MISMATCH, "this server speaks FPC version " + FpcConstants.VERSION
                    + ", the client (" + hello.identity() + ") speaks version " + hello.version());
            return;
        }
        applier = perConnection.get();
        applier.connected(hello);
        ctx.writeAndFlush(FpcEnvelope.control(new FpcHello(FpcConstants.VERSION, applier.capabilities(), identity), 0));
        log.info("FPC client '{}' ({}) connected", hello.identity(), peer);
    }

    private void apply(ChannelHandlerContext ctx, FpcEnvelope envelope) {
        FpcMessage message = envelope.message();
        FpcStatus status;
        String text = "";
        try {
            status = applier.apply(message);
            if (status == null) {
                status = FpcStatus.ERROR;
                text = "the applier returned no status";
            } else if (status != FpcStatus.OK) {
                text = message + ": " + status;
            }
        } catch (Exception e) {
            status = FpcStatus.ERROR;
            text = message + ": " + e;
            log.debug("applying {} failed", message, e);
        }
        lastSequence = envelope.sequence();
        if (status != FpcStatus.OK || envelope.ackRequested()) {
            ctx.write(FpcEnvelope.control(FpcReport.of(lastSequence, status, text), lastSequence));
            lastReported = lastSequence;
            sinceReport = 0;
        } else if (++sinceReport >= REPORT_INTERVAL || message instanceof FpcSyncEnd) {
            reportCumulative(ctx);
        }
    }

    private void reportCumulative(ChannelHandlerContext ctx) {
        ctx.write(FpcEnvelope.control(new FpcReport(lastSequence, FpcStatus.OK, ""), lastSequence));
        lastReported = lastSequence;
        sinceReport = 0;
    }

    /** The input went idle: report what was processed and send everything written meanwhile in one flush. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (lastSequence != lastReported && !closing) {
            reportCumulative(ctx);
        }
        ctx.flush();
    }

    /** A client that does not read its reports must not make this side buffer without end. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent idle) {
            switch (idle.state()) {
                case WRITER_IDLE -> ctx.writeAndFlush(FpcEnvelope.control(new FpcKeepalive(), lastSequence));
                case READER_IDLE -> {
                    log.warn("FPC client ({}): nothing received within the keepalive timeout, closing", peer);
                    closing = true;
                    ctx.close();
                }
                default -> {
                }
            }
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closing) {
            return; // the stream after a bad frame is meaningless; one log line per connection
        }
        if (cause instanceof FpcProtocolException) {
            refuse(ctx, 0, FpcStatus.INVALID, cause.getMessage());
        } else if (cause instanceof DecoderException && cause.getCause() instanceof SSLException tls) {
            // Refused certificate, wrong protocol, plain text on a TLS port: FpcServer has logged the handshake
            // failure already; the reason is all there is to say.
            log.debug("FPC client ({}): TLS failed, closing: {}", peer, tls.toString());
            closing = true;
            ctx.close();
        } else {
            log.warn("FPC client ({}): closing after error", peer, cause);
            closing = true;
            ctx.close();
        }
    }

    /** Tells the client why, then closes: nothing more from this connection is applied. */
    private void refuse(ChannelHandlerContext ctx, long sequence, FpcStatus status, String text) {
        log.warn("FPC client ({}): {} {}, closing", peer, status, text);
        closing = true;
        ctx.channel().config().setAutoRead(false);
        ctx.writeAndFlush(FpcEnvelope.control(FpcReport.of(sequence, status, text), lastSequence))
                .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        log.info("FPC client ({}) disconnected", peer);
        if (applier != null) {
            try {
                applier.connectionClosed();
            } catch (RuntimeException e) {
                log.warn("FPC applier failed on connection close ({})", peer, e);
            }
        }
        ctx.fireChannelInactive();
    }
}
