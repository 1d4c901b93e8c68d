package io.xdpgate.netlink;

import io.xdpgate.netlink.sys.Errno;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One dump request on the request socket and its replies: every datagram must carry our sequence number
 * and port id (anything else is a late reply to an abandoned request and is skipped), errors end the dump
 * with an exception, and NLM_F_DUMP_INTR is reported so that the caller redoes the dump.
 */
final class RtnlDumper {
    private static final Logger log = LoggerFactory.getLogger(RtnlDumper.class);
    /** A dump that stays silent this long is broken; the monitor reopens its sockets and starts over. */
    private static final long SILENCE_LIMIT_NANOS = 30_000_000_000L;
    private static final int ENOENT = 2;

    private final NetlinkSocket socket;
    private final NetlinkMessageCounter counter;
    private final BooleanSupplier stopping;
    private final Consumer<ByteBuffer> accepted;
    private int seq = (int) (System.nanoTime() & 0x3fffffff); // distinct from a previous run's stale replies
    long messages;
    long staleDatagrams;

    RtnlDumper(NetlinkSocket socket, NetlinkMessageCounter counter, BooleanSupplier stopping) {
        this(socket, counter, stopping, null);
    }

    /** {@code accepted}, when not null, sees every reply datagram whose objects are delivered, before them. */
    RtnlDumper(NetlinkSocket socket, NetlinkMessageCounter counter, BooleanSupplier stopping,
               Consumer<ByteBuffer> accepted) {
        this.socket = socket;
        this.counter = counter;
        this.stopping = stopping;
        this.accepted = accepted;
    }

    /**
     * Dumps {@code rtmGetType} for {@code family}, delivering each object to {@code sink}.
     *
     * @return true when the kernel flagged the dump with NLM_F_DUMP_INTR (the table changed under it)
     */
    boolean dump(int rtmGetType, int family, Consumer<RtnlEvent> sink) throws NetlinkException {
        return dump(rtmGetType, family, sink, () -> { });
    }

    /**
     * As {@link #dump(int, int, Consumer)}, and runs {@code datagramDone} after the objects of each
     * datagram were delivered: a sink that gathers its output hands it on there.
     */
    boolean dump(int rtmGetType, int family, Consumer<RtnlEvent> sink, Runnable datagramDone) throws NetlinkException {
        int mySeq = ++seq;
        return receive(RtnlCodec.dumpRequest(rtmGetType, family, mySeq), mySeq,
                "dump " + Rtnl.messageTypeName(rtmGetType) + " family " + family, sink, datagramDone);
    }

    /**
     * Dumps the routes of {@code family} in table {@code table} alone where the socket's kernel filters dumps
     * ({@link NetlinkSocket#filterDumps()}), else every route of {@code family}. A table the kernel does not
     * have is empty: IPv4's local table, for one, exists only once a namespace has an address.
     */
    boolean dumpRoutes(int family, int table, Consumer<RtnlEvent> sink, Runnable datagramDone) throws NetlinkException {
        int mySeq = ++seq;
        String what = "dump RTM_GETROUTE family " + family + " table " + table;
        try {
            return receive(RtnlCodec.routeDumpRequest(family, table, mySeq), mySeq, what, sink, datagramDone);
        } catch (NetlinkException e) {
            if (e.errno() != ENOENT || !socket.filtersDumps()) throw e;
            log.debug("{}: no such table", what);
            return false;
        }
    }

    private boolean receive(ByteBuffer request, int mySeq, String what, Consumer<RtnlEvent> sink, Runnable datagramDone)
            throws NetlinkException {
        socket.send(request);
        boolean interrupted = false;
        long lastData = System.nanoTime();
        List<RtnlEvent> batch = new ArrayList<>();
        while (true) {
            if (stopping.getAsBoolean()) {
                throw new NetlinkException(what + " abandoned: monitor closing", 0);
            }
            ByteBuffer datagram = socket.receive();
            if (datagram == null) {
                if (System.nanoTime() - lastData > SILENCE_LIMIT_NANOS) {
                    throw new NetlinkException(what + ": no reply for 30 s", 0);
                }
                continue;
            }
            lastData = System.nanoTime();
            batch.clear();
            ParseResult r = RtnlCodec.parse(datagram, batch::add, counter);
            messages += r.messages();
            if (r.seq() != mySeq || r.portId() != socket.portId() || r.mixedHeaders()) {
                staleDatagrams++;
                log.debug("{}: skipped datagram with seq {} pid {} (want {} / {})", what, r.seq(), r.portId(),
                        mySeq, socket.portId());
                continue;
            }
            if (r.error() != 0) {
                throw new NetlinkException(what + " failed: " + Errno.describe(r.error())
                        + (r.extAck() == null ? "" : ": " + r.extAck()), r.error());
            }
            if (accepted != null) {
                accepted.accept(datagram);
            }
            batch.forEach(sink);
            datagramDone.run();
            interrupted |= r.dumpInterrupted();
            if (r.done()) {
                return interrupted;
            }
        }
    }
}
