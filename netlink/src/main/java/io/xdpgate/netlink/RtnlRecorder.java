package io.xdpgate.netlink;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes the raw netlink datagrams a {@link RtnlMonitor} receives, and the points where its epochs begin and
 * end, to a file that {@link RtnlReplay} turns back into the same listener calls.
 *
 * <h2>File format, version 1</h2>
 * All framing integers are big endian; the datagrams inside are stored exactly as received (netlink is host
 * byte order, named by the header).
 * <pre>
 * header (8 bytes):
 *   u32 magic       0x58474e4c ("XGNL")
 *   u16 version     1
 *   u8  byte order  of the datagrams: 1 little endian, 2 big endian
 *   u8  reserved    0
 * then records until the end of the file, each:
 *   u8  source      0 DUMP        a dump reply datagram the monitor accepted (our sequence number and port)
 *                   1 MULTICAST   a datagram from the multicast groups
 *                   2 OVERRUN     marker, no bytes: the multicast socket overran; a new epoch begins here
 *                   3 SYNC_BEGIN  marker, no bytes: a new epoch for any other reason (start, requested
 *                                 resync, recovery from an error)
 *                   4 SYNC_END    marker, no bytes: the epoch's dump is complete
 *   u64 nanos       since the recorder was opened
 *   u32 length      bytes that follow (0 for markers, at most {@value #MAX_DATAGRAM})
 *   u8[length]      the datagram
 * </pre>
 * A live epoch reads: OVERRUN or SYNC_BEGIN, DUMP records, SYNC_END; MULTICAST records only come between
 * epochs (the monitor reads no multicast while it dumps). An epoch cut short by an error has no SYNC_END:
 * the next SYNC_BEGIN follows directly, as the monitor's own onSyncBegin does. Dump replies that carried an
 * error or belonged to an earlier request are not recorded: the listener never saw anything of them.
 * <p>Thread-safe. A file is written by one recorder only.
 */
public final class RtnlRecorder implements Closeable {
    static final int MAGIC = 0x58474e4c;
    static final int VERSION = 1;
    static final int HEADER_LEN = 8;
    static final int RECORD_HEADER_LEN = 13;
    /** Far above any netlink datagram (dumps are cut at 32 KiB); bounds what a replay allocates. */
    public static final int MAX_DATAGRAM = 16 << 20;
    static final int LITTLE_ENDIAN = 1;
    static final int BIG_ENDIAN = 2;

    /** What a record holds; the code is its byte in the file. */
    public enum Source {
        DUMP(0), MULTICAST(1), OVERRUN(2), SYNC_BEGIN(3), SYNC_END(4);

        private final int code;

        Source(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        /** @throws IllegalArgumentException for a code that is not a source, naming it */
        public static Source fromCode(int code) {
            for (Source s : values()) {
                if (s.code == code) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown record source " + code);
        }

        boolean isMarker() {
            return this != DUMP && this != MULTICAST;
        }
    }

    private final Path file;
    private final DataOutputStream out;
    private final long startNanos = System.nanoTime();
    private long records;
    private long bytes;
    private boolean closed;

    /** Creates (or truncates) {@code file} and writes the header. */
    public RtnlRecorder(Path file) throws IOException {
        this.file = file;
        this.out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), 1 << 16));
        out.writeInt(MAGIC);
        out.writeShort(VERSION);
        out.writeByte(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? LITTLE_ENDIAN : BIG_ENDIAN);
        out.writeByte(0);
        bytes = HEADER_LEN;
    }

    public Path file() {
        return file;
    }

    /** Appends the remaining bytes of {@code datagram} (position unchanged) as a DUMP or MULTICAST record. */
    public synchronized void write(Source source, ByteBuffer datagram) throws IOException {
        if (source.isMarker()) {
            throw new IllegalArgumentException(source + " is a marker: it carries no datagram");
        }
        if (datagram.remaining() > MAX_DATAGRAM) {
            throw new IllegalArgumentException(datagram.remaining() + "-byte datagram exceeds " + MAX_DATAGRAM);
        }
        append(source, datagram);
    }

    /** Appends an OVERRUN, SYNC_BEGIN or SYNC_END marker. */
    public synchronized void mark(Source marker) throws IOException {
        if (!marker.isMarker()) {
            throw new IllegalArgumentException(marker + " is not a marker");
        }
        append(marker, null);
    }

    private void append(Source source, ByteBuffer datagram) throws IOException {
        if (closed) {
            throw new IOException("recording " + file + " is closed");
        }
        int length = datagram == null ? 0 : datagram.remaining();
        out.writeByte(source.code());
        out.writeLong(System.nanoTime() - startNanos);
        out.writeInt(length);
        if (length > 0) {
            if (datagram.hasArray()) {
                out.write(datagram.array(), datagram.arrayOffset() + datagram.position(), length);
            } else {
                byte[] copy = new byte[length];
                datagram.duplicate().get(copy);
                out.write(copy);
            }
        }
        records++;
        bytes += RECORD_HEADER_LEN + length;
    }

    /** Pushes buffered records to the file (the monitor does so whenever it is idle). */
    public synchronized void flush() throws IOException {
        if (!closed) {
            out.flush();
        }
    }

    public synchronized long records() {
        return records;
    }

    /** File size so far, header included. */
    public synchronized long bytes() {
        return bytes;
    }

    /** Flushes and closes; idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            out.close();
        }
    }
}
