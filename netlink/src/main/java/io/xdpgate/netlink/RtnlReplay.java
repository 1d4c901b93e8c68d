package io.xdpgate.netlink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Plays an {@link RtnlRecorder} file back into a {@link RtnlMonitor.Listener}: every datagram goes through
 * {@link RtnlCodec#parse} as it did live, and the epoch markers become onSyncBegin / onSyncEnd with the
 * same epoch numbers, so the listener sees the calls the live monitor made.
 * <p>The file is hostile input: anything malformed (header, framing, record order, or a datagram the codec
 * rejects) ends the replay with a {@link NetlinkProtocolException} that names the file and the offset of the
 * record. Listener calls made before it stand. Exceptions thrown by the listener propagate unchanged.
 */
public final class RtnlReplay {
    private RtnlReplay() {}

    /** Replays {@code file} into {@code listener} on the calling thread. */
    public static void replay(Path file, RtnlMonitor.Listener listener) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            new Reader(file, channel, listener).run();
        }
    }

    private static final class Reader {
        private final Path file;
        private final FileChannel channel;
        private final RtnlMonitor.Listener listener;
        private final long size;
        private final ByteBuffer recordHeader = ByteBuffer.allocate(RtnlRecorder.RECORD_HEADER_LEN);
        private final List<RtnlEvent> batch = new ArrayList<>();
        private long epoch;
        private boolean inSync;

        Reader(Path file, FileChannel channel, RtnlMonitor.Listener listener) throws IOException {
            this.file = file;
            this.channel = channel;
            this.listener = listener;
            this.size = channel.size();
        }

        void run() throws IOException {
            readHeader();
            long at = RtnlRecorder.HEADER_LEN;
            while (at < size) {
                at = record(at);
            }
        }

        private void readHeader() throws IOException {
            ByteBuffer h = ByteBuffer.allocate(RtnlRecorder.HEADER_LEN);
            if (size < RtnlRecorder.HEADER_LEN) {
                throw error(0, "file of " + size + " bytes is shorter than the " + RtnlRecorder.HEADER_LEN
                        + "-byte header");
            }
            readFully(h, 0);
            int magic = h.getInt(0);
            if (magic != RtnlRecorder.MAGIC) {
                throw error(0, "magic 0x" + Integer.toHexString(magic) + " is not XGNL (0x58474e4c)");
            }
            int version = Short.toUnsignedInt(h.getShort(4));
            if (version != RtnlRecorder.VERSION) {
                throw error(4, "version " + version + ", this reader knows version " + RtnlRecorder.VERSION);
            }
            int order = Byte.toUnsignedInt(h.get(6));
            int native_ = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
                    ? RtnlRecorder.LITTLE_ENDIAN : RtnlRecorder.BIG_ENDIAN;
            if (order != RtnlRecorder.LITTLE_ENDIAN && order != RtnlRecorder.BIG_ENDIAN) {
                throw error(6, "byte order " + order + " is neither 1 (little endian) nor 2 (big endian)");
            }
            if (order != native_) {
                throw error(6, "recorded on a host of the other byte order; netlink datagrams are host order");
            }
        }

        /** Plays the record at {@code at}; returns the offset of the next one. */
        private long record(long at) throws IOException {
            if (size - at < RtnlRecorder.RECORD_HEADER_LEN) {
                throw error(at, "truncated record header: " + (size - at) + " bytes left, a header is "
                        + RtnlRecorder.RECORD_HEADER_LEN);
            }
            recordHeader.clear();
            readFully(recordHeader, at);
            int code = Byte.toUnsignedInt(recordHeader.get(0));
            // bytes 1..8: nanos since the start of the recording, informational
            long length = Integer.toUnsignedLong(recordHeader.getInt(9));
            RtnlRecorder.Source source;
            try {
                source = RtnlRecorder.Source.fromCode(code);
            } catch (IllegalArgumentException e) {
                throw error(at, e.getMessage());
            }
            long body = at + RtnlRecorder.RECORD_HEADER_LEN;
            if (source.isMarker() && length != 0) {
                throw error(at, source + " marker with " + length + " bytes; markers carry none");
            }
            if (length > RtnlRecorder.MAX_DATAGRAM) {
                throw error(at, source + " record of " + length + " bytes exceeds the limit of "
                        + RtnlRecorder.MAX_DATAGRAM);
            }
            if (length > size - body) {
                throw error(at, source + " record of " + length + " bytes, only " + (size - body)
                        + " left in the file");
            }
            switch (source) {
                case OVERRUN, SYNC_BEGIN -> {
                    long current = ++epoch;
                    inSync = true;
                    listener.onSyncBegin(current);
                }
                case SYNC_END -> {
                    if (!inSync) {
                        throw error(at, "SYNC_END outside an epoch's dump");
                    }
                    inSync = false;
                    listener.onSyncEnd(epoch);
                }
                case DUMP, MULTICAST -> {
                    if (source == RtnlRecorder.Source.DUMP && !inSync) {
                        throw error(at, "DUMP record outside an epoch (no SYNC_BEGIN or OVERRUN before it)");
                    }
                    if (source == RtnlRecorder.Source.MULTICAST && inSync) {
                        throw error(at, "MULTICAST record inside an epoch's dump (the monitor reads none then)");
                    }
                    datagram(at, source, body, (int) length);
                }
            }
            return body + length;
        }

        private void datagram(long at, RtnlRecorder.Source source, long body, int length) throws IOException {
            ByteBuffer d = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder()); // length checked above
            readFully(d, body);
            d.flip();
            batch.clear();
            ParseResult r;
            try {
                r = RtnlCodec.parse(d, batch::add);
            } catch (NetlinkProtocolException e) {
                throw error(at, source + " datagram of " + length + " bytes: " + e.getMessage());
            }
            if (source == RtnlRecorder.Source.DUMP && r.error() != 0) {
                throw error(at, "DUMP datagram carries error " + r.error() + "; the monitor records no failed reply");
            }
            for (RtnlEvent event : batch) {
                listener.onEvent(event);
            }
            listener.onDatagramEnd();
        }

        private void readFully(ByteBuffer into, long position) throws IOException {
            long p = position;
            while (into.hasRemaining()) {
                int n = channel.read(into, p);
                if (n < 0) {
                    throw error(position, "file ended early (changed while being read?)");
                }
                p += n;
            }
        }

        private NetlinkProtocolException error(long offset, String what) {
            return new NetlinkProtocolException("replay " + file + ": offset " + offset + ": " + what);
        }
    }
}
