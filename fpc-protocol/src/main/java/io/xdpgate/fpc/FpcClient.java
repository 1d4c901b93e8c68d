package io.xdpgate.fpc;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sending end of FPC (cache-manager), over the server's UNIX socket ({@link #start}) or TCP
 * ({@link #startTcp}, plain to loopback or TLS). Keeps one connection to the server, reconnecting with
 * exponential backoff (100 ms doubling to 5 s; every 50 ms for the first 10 s before a
 * first connection) until closed; after each HELLO exchange
 * {@link Session#onConnected} starts a new generation.
 *
 * <p>Sending: {@link #send} numbers the message and queues it; the I/O thread encodes queued messages
 * in batches and flushes once per batch: when {@value #BATCH} messages are queued, when
 * {@link #flush()} is called, and otherwise {@value #LINGER_MICROS} µs after the first message of a batch.
 * When the queue holds {@value #MAX_QUEUED} messages or the socket buffer is above its high-water mark,
 * send() blocks its caller until there is room, so memory stays bounded whatever the burst. Called on the
 * I/O thread (from onConnected), send() cannot block and queues without limit: a large dump belongs on
 * the caller's own thread.
 *
 * <p>While no connection is up, messages are discarded and send() returns 0: the next connection
 * starts with a full resync, which supersedes them. For the same reason a sequence number counts as
 * acknowledged once the server has reported it or any later one: a message lost with its connection
 * is covered by the resync that follows. A caller that needs "the server has the complete state"
 * waits for the sequence of the generation's SYNC_END.
 */
public final class FpcClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FpcClient.class);

    static final int BATCH = 512;
    static final int MAX_QUEUED = 8192;
    static final long LINGER_MICROS = 500;
    /** Messages are encoded into buffers of about this size, one write each. */
    private static final int WRITE_CHUNK = 16 * 1024;
    /**
     * A write buffer's first capacity: small enough for Netty's per-thread cache of pooled buffers (32 KiB),
     * so that a stream of writes reuses a few buffers instead of making the pool allocate, zero and free
     * whole chunks (a 128 KiB buffer per write cost the I/O thread an eighth of its time in a dump); a
     * larger message makes the buffer grow.
     */
    private static final int WRITE_BUFFER = 32 * 1024;
    private static final long MIN_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 5000;
    /**
     * Before the first connection, attempts every STARTUP_RETRY_MILLIS during the first
     * STARTUP_RETRIES attempts: both daemons are usually started together and the server's socket
     * appears a second or so later, which a doubling backoff would miss by up to as much again.
     */
    private static final long STARTUP_RETRY_MILLIS = 50;
    private static final int STARTUP_RETRIES = 200;

    public interface Session {
        /**
         * Called on the I/O thread after a HELLO exchange succeeded: the caller starts a new generation
         * (SYNC_BEGIN, full state, SYNC_END) from here, preferably by waking a thread of its own.
         */
        void onConnected(FpcClient client);

        /** Every report from the server, its sequence mapped back to the value send() returned. */
        default void onReport(FpcReport report) {
        }

        /** A connection ended (whether or not its HELLO exchange completed); reconnection follows by itself. */
        default void onDisconnected(Throwable cause) {
        }
    }

    public record Options(Path socketPath, String identity, Duration keepaliveTimeout) {
        public Options {
            Objects.requireNonNull(socketPath, "socketPath");
            FpcChecks.string("identity", identity, FpcConstants.MAX_IDENTITY);
            if (keepaliveTimeout.toMillis() < 3) {
                throw new IllegalArgumentException("keepalive timeout " + keepaliveTimeout + " is too short");
            }
        }

        /** The server's default socket ({@code /run/xdpgate/fpc.sock}) and a 3 s keepalive timeout. */
        public static Options defaults(String identity) {
            return new Options(FpcServer.Options.DEFAULT_SOCKET, identity, FpcServer.Options.DEFAULT_KEEPALIVE_TIMEOUT);
        }
    }

    /**
     * FPC over TCP to {@code server}. Plain TCP only to a loopback address; any other address requires
     * TLS: {@code certificate} and {@code privateKey} (PEM, the key in PKCS#8) identify this client to the
     * server, and the server's certificate must be signed by {@code trustedServerCa} and name the address
     * connected to in its subjectAltName (the host string of {@code server}: a DNS name or an IP address).
     */
    public record TcpOptions(InetSocketAddress server, String identity, Duration keepaliveTimeout, Path certificate,
            Path privateKey, Path trustedServerCa) {
        public TcpOptions {
            Objects.requireNonNull(server, "server");
            FpcChecks.string("identity", identity, FpcConstants.MAX_IDENTITY);
            Objects.requireNonNull(keepaliveTimeout, "keepaliveTimeout");
            if (keepaliveTimeout.toMillis() < 3) {
                throw new IllegalArgumentException("keepalive timeout " + keepaliveTimeout + " is too short");
            }
            int tlsPaths = (certificate != null ? 1 : 0) + (privateKey != null ? 1 : 0) + (trustedServerCa != null ? 1 : 0);
            if (tlsPaths != 0 && tlsPaths != 3) {
                throw new IllegalArgumentException("FPC TLS needs a certificate, its private key and the trusted server CA"
                        + " together (certificate=" + certificate + ", privateKey=" + privateKey + ", trustedServerCa="
                        + trustedServerCa + ")");
            }
            if (tlsPaths == 0 && (server.isUnresolved() || !server.getAddress().isLoopbackAddress())) {
                throw new IllegalArgumentException("refusing plain TCP to " + server.getHostString() + ":" + server.getPort()
                        + ": FPC over TCP without TLS is only allowed to a loopback address");
            }
        }

        /** Plain TCP to a loopback address, default keepalive timeout (3 s). */
        public static TcpOptions plain(InetSocketAddress server, String identity) {
            return new TcpOptions(server, identity, FpcServer.Options.DEFAULT_KEEPALIVE_TIMEOUT, null, null, null);
        }

        /** TLS with this client's certificate, default keepalive timeout (3 s). */
        public static TcpOptions tls(InetSocketAddress server, String identity, Path certificate, Path privateKey,
                Path trustedServerCa) {
            return new TcpOptions(server, identity, FpcServer.Options.DEFAULT_KEEPALIVE_TIMEOUT,
                    Objects.requireNonNull(certificate, "certificate"), Objects.requireNonNull(privateKey, "privateKey"),
                    Objects.requireNonNull(trustedServerCa, "trustedServerCa"));
        }

        public boolean tls() {
            return certificate != null;
        }
    }

    private final Session session;
    private final FpcTransport transport;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition room = lock.newCondition();
    private final Condition acked = lock.newCondition();
    // Guarded by lock.
    private final ArrayDeque<FpcEnvelope> queue = new ArrayDeque<>();
    private boolean drainNow;
    private boolean drainLater;
    private long lastSent;
    private long backoffMillis = MIN_BACKOFF_MILLIS;
    private boolean everConnected; // under lock
    private int startupRetries;    // under lock
    // Written under lock, read without.
    private volatile Channel channel; // set once a connection's HELLO exchange succeeded
    private boolean routeLists; // the connected server takes ROUTE_ADD_LIST (under the lock)
    private volatile long lastAcknowledged;
    private volatile boolean closed;
    /** Told each new highest acknowledged sequence, on the I/O thread: the send queue times its messages with it. */
    private volatile LongConsumer acknowledgementListener;

    /** {@code tls} null for plain connections; {@code server} is what a TLS server certificate must name. */
    private FpcClient(FpcTransport transport, String identity, Duration keepaliveTimeout, SslContext tls,
            InetSocketAddress server, Session session, int version) {
        this.session = Objects.requireNonNull(session, "session");
        this.transport = transport;
        this.group = transport.newEventLoopGroup(1, "fpc-client");
        this.bootstrap = new Bootstrap().group(group).channel(transport.channelType())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast("tls", FpcTls.handler(tls, ch, server.getHostString(), server.getPort(),
                                    keepaliveTimeout));
                        }
                        FpcClientHandler.install(ch.pipeline(), FpcClient.this, version, identity, keepaliveTimeout);
                    }
                });
    }

    /** Connects to the server's UNIX socket. */
    public static FpcClient start(Options options, Session session) {
        return start(options, session, FpcConstants.VERSION);
    }

    /** Tests use another version to check that a mismatch is refused. */
    static FpcClient start(Options options, Session session, int version) {
        return start(new FpcClient(new FpcUnixTransport(options.socketPath()), options.identity(),
                options.keepaliveTimeout(), null, null, session, version));
    }

    /**
     * Connects over TCP, plain (loopback only) or TLS; see {@link TcpOptions}. Fails with
     * IllegalArgumentException when the certificate, key or CA cannot be used.
     */
    public static FpcClient startTcp(TcpOptions options, Session session) {
        return startTcp(options, session, FpcConstants.VERSION);
    }

    static FpcClient startTcp(TcpOptions options, Session session, int version) {
        SslContext tls = options.tls()
                ? FpcTls.client(options.certificate(), options.privateKey(), options.trustedServerCa()) : null;
        return start(new FpcClient(new FpcTcpTransport(options.server(), tls != null), options.identity(),
                options.keepaliveTimeout(), tls, options.server(), session, version));
    }

    private static FpcClient start(FpcClient client) {
        client.group.execute(client::connect);
        return client;
    }

    // ---- sending

    /** {@code send(message, false)}. */
    public long send(FpcMessage message) {
        return send(message, false);
    }

    /**
     * Numbers and queues a state message; thread-safe. Returns its sequence number, or 0 when it was
     * discarded because no connection is up (or the calling thread was interrupted while waiting for room).
     * With {@code ackRequest} the server reports this message individually.
     */
    public long send(FpcMessage message, boolean ackRequest) {
        return send(message, ackRequest, false);
    }

    /**
     * As {@link #send(FpcMessage, boolean)}; with {@code flushNow} the queued messages are written at
     * once, as {@link #flush()} right after would, but without first arming the linger timer: a single
     * change then costs the I/O thread one wake-up instead of two.
     */
    long send(FpcMessage message, boolean ackRequest, boolean flushNow) {
        checkNumbered(message);
        lock.lock();
        try {
            return sendLocked(message, ackRequest, flushNow);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends {@code messages} in order as {@link #send(FpcMessage, boolean, boolean)} would one after the
     * other (no acknowledgement requests), under one lock: for the send queue, which takes many at once.
     * Each one's sequence number (or 0) goes to {@code sequences} at the same index; with {@code flushAtEnd}
     * the last one is written at once.
     */
    void sendAll(List<FpcMessage> messages, long[] sequences, boolean flushAtEnd) {
        messages.forEach(FpcClient::checkNumbered);
        lock.lock();
        try {
            int last = messages.size() - 1;
            for (int i = 0; i <= last; ) {
                // Lists are formed only once there is room: waiting lets go of the lock, and the connection
                // may meanwhile have been replaced by one to a server that does not take them.
                Channel ch = awaitRoom();
                int end = ch != null && routeLists ? routeListEnd(messages, i) : i + 1;
                FpcMessage m = end - i == 1 ? messages.get(i) : new FpcRouteList(routes(messages, i, end));
                long sequence = ch == null ? 0 : enqueue(ch, m, false, flushAtEnd && end > last);
                java.util.Arrays.fill(sequences, i, end, sequence); // the list's report covers each of its routes
                i = end;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Where the run of route adds from {@code from} ends that one ROUTE_ADD_LIST carries: consecutive adds,
     * as many as fit in one message; {@code from + 1} when the message there is not a route add.
     */
    private static int routeListEnd(List<FpcMessage> messages, int from) {
        int length = FpcRouteList.emptyLength();
        int end = from;
        while (end < messages.size() && end - from < FpcRouteList.MAX_ROUTES
                && messages.get(end) instanceof FpcRoute r && r.add()) {
            length += FpcRouteList.bodyLength(r);
            if (length > FpcConstants.MAX_MESSAGE_LENGTH) break;
            end++;
        }
        return Math.max(end, from + 1);
    }

    private static List<FpcRoute> routes(List<FpcMessage> messages, int from, int end) {
        FpcRoute[] routes = new FpcRoute[end - from];
        for (int i = from; i < end; i++) {
            routes[i - from] = (FpcRoute) messages.get(i);
        }
        return List.of(routes);
    }

    private static void checkNumbered(FpcMessage message) {
        if (!message.messageType().numbered()) {
            throw new IllegalArgumentException(message.messageType() + " is sent by the client itself, not by send()");
        }
    }

    private long sendLocked(FpcMessage message, boolean ackRequest, boolean flushNow) {
        Channel ch = awaitRoom();
        return ch == null ? 0 : enqueue(ch, message, ackRequest, flushNow);
    }

    /**
     * Under the lock: waits (letting go of it meanwhile) until the queue has room for one more message,
     * and returns the connection it goes to; null when there is none (not connected, closed, interrupted).
     */
    private Channel awaitRoom() {
        while (true) {
            Channel ch = channel;
            if (ch == null || closed) {
                return null;
            }
            if (ch.eventLoop().inEventLoop() || (queue.size() < MAX_QUEUED && ch.isWritable())) {
                return ch;
            }
            try {
                room.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    /** Under the lock, right after {@link #awaitRoom} returned {@code target}: queues one message for it. */
    private long enqueue(Channel target, FpcMessage message, boolean ackRequest, boolean flushNow) {
        long sequence = ++lastSent;
        queue.add(new FpcEnvelope(ackRequest ? FpcEnvelope.ACK_REQUEST : 0, FpcSequence.toWire(sequence), 0, message));
        if (flushNow || queue.size() >= BATCH) {
            requestDrainNow(target);
        } else if (!drainLater && !drainNow) {
            drainLater = true;
            target.eventLoop().schedule(() -> drain(target, false), LINGER_MICROS, TimeUnit.MICROSECONDS);
        }
        return sequence;
    }

    /** Writes everything queued so far to the socket now, instead of when the batch fills or lingers out. */
    public void flush() {
        lock.lock();
        try {
            Channel ch = channel;
            if (ch != null && !queue.isEmpty()) {
                requestDrainNow(ch);
            }
        } finally {
            lock.unlock();
        }
    }

    private void requestDrainNow(Channel ch) {
        if (!drainNow) {
            drainNow = true;
            ch.eventLoop().execute(() -> drain(ch, true));
        }
    }

    /** On the I/O thread: encodes the queued messages into a few large buffers and flushes once. */
    private void drain(Channel ch, boolean now) {
        List<FpcEnvelope> batch;
        lock.lock();
        try {
            if (now) {
                drainNow = false;
            } else {
                drainLater = false;
            }
            if (channel != ch || queue.isEmpty()) {
                return;
            }
            batch = new ArrayList<>(queue);
            queue.clear();
            room.signalAll();
        } finally {
            lock.unlock();
        }
        ByteBuf buf = ch.alloc().ioBuffer(WRITE_BUFFER);
        for (FpcEnvelope envelope : batch) {
            FpcMessageEncoder.encode(envelope, buf);
            if (buf.readableBytes() >= WRITE_CHUNK) {
                ch.write(buf, ch.voidPromise());
                buf = ch.alloc().ioBuffer(WRITE_BUFFER);
            }
        }
        if (buf.isReadable()) {
            ch.write(buf, ch.voidPromise());
        } else {
            buf.release();
        }
        ch.flush();
    }

    // ---- acknowledgements

    public boolean isConnected() {
        return channel != null;
    }

    /** Highest sequence number covered by a report from the server (0 = none yet). */
    public long lastAcknowledged() {
        return lastAcknowledged;
    }

    /** Messages numbered by send() and not yet covered by a report. */
    public long unacknowledged() {
        lock.lock();
        try {
            return lastSent - lastAcknowledged;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until {@code sequence} is covered by a report; false on timeout or when the client is closed. */
    public boolean awaitAcknowledged(long sequence, Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (lastAcknowledged < sequence) {
                if (closed || nanos <= 0) {
                    return false;
                }
                nanos = acked.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    // ---- called by FpcClientHandler on the I/O thread

    /** Set by the {@link FpcSendQueue} that sends to this client; one at a time. */
    void acknowledgementListener(LongConsumer listener) {
        acknowledgementListener = listener;
    }

    void acknowledged(long wireSequence) {
        if (wireSequence == 0) {
            return; // "nothing to report"
        }
        long advancedTo = 0;
        lock.lock();
        try {
            long sequence = FpcSequence.fromWire(wireSequence, lastSent);
            if (sequence > lastAcknowledged) {
                lastAcknowledged = sequence;
                acked.signalAll();
                advancedTo = sequence;
            }
        } finally {
            lock.unlock();
        }
        LongConsumer listener = acknowledgementListener;
        if (advancedTo > 0 && listener != null) {
            try {
                listener.accept(advancedTo); // outside the lock: senders must not wait for it
            } catch (RuntimeException e) {
                log.warn("FPC acknowledgement listener failed", e);
            }
        }
    }

    void reported(FpcReport report) {
        acknowledged(report.sequence());
        long sequence;
        lock.lock();
        try {
            sequence = report.sequence() == 0 ? 0 : FpcSequence.fromWire(report.sequence(), lastSent);
        } finally {
            lock.unlock();
        }
        if (report.status() != FpcStatus.OK) {
            log.warn("FPC server reported message {}: {} {}", sequence, report.status(), report.text());
        }
        try {
            session.onReport(new FpcReport(Math.max(sequence, 0), report.status(), report.text()));
        } catch (RuntimeException e) {
            log.warn("FPC session failed on a report", e);
        }
    }

    void connected(Channel ch, long serverCapabilities) {
        lock.lock();
        try {
            if (closed) {
                ch.close();
                return;
            }
            channel = ch;
            routeLists = (serverCapabilities & FpcHello.ROUTE_ADD_LISTS) != 0;
            backoffMillis = MIN_BACKOFF_MILLIS;
            everConnected = true;
        } finally {
            lock.unlock();
        }
        try {
            session.onConnected(this);
        } catch (RuntimeException e) {
            // A generation that could not start leaves the server with stale state: start over.
            log.warn("FPC session failed to start a generation; reconnecting", e);
            ch.close();
        }
    }

    void writabilityChanged() {
        lock.lock();
        try {
            room.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void disconnected(Channel ch, Throwable cause) {
        lock.lock();
        try {
            if (channel == ch) {
                channel = null;
                queue.clear(); // superseded by the resync of the next connection
            }
            room.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            session.onDisconnected(cause);
        } catch (RuntimeException e) {
            log.warn("FPC session failed on disconnect", e);
        }
    }

    // ---- connection management, on the I/O thread

    private void connect() {
        if (closed) {
            return;
        }
        ChannelFuture f = bootstrap.connect(transport.address());
        f.addListener(done -> {
            if (done.isSuccess()) {
                f.channel().closeFuture().addListener(c -> reconnectLater());
            } else {
                log.debug("FPC connect to {} failed: {}", transport, done.cause().toString());
                reconnectLater();
            }
        });
    }

    private void reconnectLater() {
        if (closed) {
            return;
        }
        long delay;
        lock.lock();
        try {
            if (!everConnected && startupRetries < STARTUP_RETRIES) {
                startupRetries++;
                delay = STARTUP_RETRY_MILLIS;
            } else {
                delay = backoffMillis;
                backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS);
            }
        } finally {
            lock.unlock();
        }
        group.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            room.signalAll();
            acked.signalAll();
        } finally {
            lock.unlock();
        }
        Channel ch = channel;
        if (ch != null) {
            ch.close().awaitUninterruptibly();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
