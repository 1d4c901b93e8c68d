package io.xdpgate.netlink;

import static io.xdpgate.netlink.Rtnl.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recording files: the framing round-trips, and a malformed file only ever ends in a clear exception. */
class RtnlReplayHostileFileTest {
    @TempDir
    Path dir;

    /** Listener calls as strings: "begin 1", "event ...", "end 1". */
    static final class Calls implements RtnlMonitor.Listener {
        final List<String> calls = new ArrayList<>();

        @Override
        public void onSyncBegin(long epoch) {
            calls.add("begin " + epoch);
        }

        @Override
        public void onEvent(RtnlEvent event) {
            calls.add((event.deleted() ? "del " : "new ") + event.object());
        }

        @Override
        public void onSyncEnd(long epoch) {
            calls.add("end " + epoch);
        }
    }

    private static ByteBuffer neighbourDatagram(String address) {
        return new NlBuilder().begin(RTM_NEWNEIGH, NLM_F_MULTI, 0, 0)
                .u8(AF_INET).u8(0).u16(0).u32(3).u16(NUD_PERMANENT).u8(0).u8(RTN_UNICAST) // ndmsg
                .attrAddress(NDA_DST, address).attr(NDA_LLADDR, new byte[] {2, 0, 0, 0, 0, 3}).end().build();
    }

    private Path validRecording() throws IOException {
        Path file = dir.resolve("valid.xgnl");
        try (RtnlRecorder r = new RtnlRecorder(file)) {
            r.mark(RtnlRecorder.Source.SYNC_BEGIN);
            r.write(RtnlRecorder.Source.DUMP, neighbourDatagram("10.8.0.3"));
            r.write(RtnlRecorder.Source.DUMP, new NlBuilder().begin(NLMSG_DONE, NLM_F_MULTI, 0, 0).u32(0).end().build());
            r.mark(RtnlRecorder.Source.SYNC_END);
            r.write(RtnlRecorder.Source.MULTICAST, neighbourDatagram("10.8.0.4"));
            r.mark(RtnlRecorder.Source.OVERRUN);
            r.write(RtnlRecorder.Source.DUMP, neighbourDatagram("10.8.0.4"));
            r.mark(RtnlRecorder.Source.SYNC_END);
        }
        return file;
    }

    @Test
    void markersBecomeEpochsAndDatagramsEvents() throws Exception {
        Calls c = new Calls();
        RtnlReplay.replay(validRecording(), c);
        assertEquals(7, c.calls.size(), c.calls.toString());
        assertEquals("begin 1", c.calls.get(0));
        assertTrue(c.calls.get(1).contains("10.8.0.3"));
        assertEquals("end 1", c.calls.get(2));
        assertTrue(c.calls.get(3).contains("10.8.0.4"));
        assertEquals("begin 2", c.calls.get(4)); // the overrun marker
        assertEquals("end 2", c.calls.get(6));
    }

    @Test
    void headerAndRecordFramingAreAsDocumented() throws Exception {
        byte[] f = Files.readAllBytes(validRecording());
        ByteBuffer b = ByteBuffer.wrap(f);                // framing is big endian
        assertEquals(0x58474e4c, b.getInt(0));            // magic "XGNL"
        assertEquals(1, b.getShort(4));                   // version
        assertEquals(java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN ? 1 : 2, b.get(6));
        assertEquals(0, b.get(7));                        // reserved
        assertEquals(3, b.get(8));                        // first record: source SYNC_BEGIN
        assertEquals(0, b.getInt(8 + 9));                 // its length
        assertEquals(0, b.get(8 + 13));                   // second record: source DUMP
        assertEquals(neighbourDatagram("10.8.0.3").remaining(), b.getInt(8 + 13 + 9));
    }

    private NetlinkProtocolException rejects(byte[] file) throws IOException {
        Path p = dir.resolve("hostile.xgnl");
        Files.write(p, file);
        return assertThrows(NetlinkProtocolException.class, () -> RtnlReplay.replay(p, new Calls()));
    }

    private static byte[] header() {
        return ByteBuffer.allocate(8).putInt(0x58474e4c).putShort((short) 1)
                .put((byte) (java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN ? 1 : 2)).put((byte) 0)
                .array();
    }

    private static byte[] file(byte[]... records) {
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        b.put(header());
        for (byte[] r : records) {
            b.put(r);
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    private static byte[] record(int source, long length, byte[] bytes) {
        return ByteBuffer.allocate(13 + bytes.length).put((byte) source).putLong(0).putInt((int) length).put(bytes).array();
    }

    @Test
    void badMagicVersionAndByteOrder() throws Exception {
        byte[] f = header();
        f[0] = 'Y';
        assertTrue(rejects(f).getMessage().contains("offset 0: magic"));
        f = header();
        f[5] = 2;
        assertTrue(rejects(f).getMessage().contains("offset 4: version 2"));
        f = header();
        f[6] = 7;
        assertTrue(rejects(f).getMessage().contains("offset 6: byte order 7"));
        assertTrue(rejects(new byte[3]).getMessage().contains("shorter than the 8-byte header"));
    }

    @Test
    void truncatedAndOversizedRecords() throws Exception {
        assertTrue(rejects(file(new byte[] {3, 0, 0})).getMessage().contains("offset 8: truncated record header"));
        byte[] syncBegin = record(3, 0, new byte[0]);
        assertTrue(rejects(file(syncBegin, record(0, 100, new byte[10]))).getMessage()
                .contains("offset 21: DUMP record of 100 bytes, only 10 left"));
        assertTrue(rejects(file(syncBegin, record(0, 0xffffffffL, new byte[0]))).getMessage()
                .contains("4294967295 bytes exceeds the limit"));
    }

    @Test
    void unknownSourceAndMarkersWithBytes() throws Exception {
        assertTrue(rejects(file(record(9, 0, new byte[0]))).getMessage().contains("offset 8: unknown record source 9"));
        assertTrue(rejects(file(record(2, 1, new byte[1]))).getMessage().contains("OVERRUN marker with 1 bytes"));
    }

    @Test
    void recordsOutOfOrder() throws Exception {
        byte[] neighbour = new byte[neighbourDatagram("10.8.0.3").remaining()];
        neighbourDatagram("10.8.0.3").get(neighbour);
        assertTrue(rejects(file(record(0, neighbour.length, neighbour))).getMessage()
                .contains("DUMP record outside an epoch"));
        assertTrue(rejects(file(record(3, 0, new byte[0]), record(1, neighbour.length, neighbour))).getMessage()
                .contains("MULTICAST record inside an epoch"));
        assertTrue(rejects(file(record(4, 0, new byte[0]))).getMessage().contains("SYNC_END outside"));
    }

    @Test
    void malformedDatagramNamesItsRecord() throws Exception {
        byte[] bad = new byte[20];
        ByteBuffer.wrap(bad).order(java.nio.ByteOrder.nativeOrder()).putInt(0, 400); // nlmsg_len past the datagram
        String m = rejects(file(record(1, bad.length, bad))).getMessage();
        assertTrue(m.contains("offset 8: MULTICAST datagram of 20 bytes: nlmsg_len 400 exceeds"), m);
    }

    @Test
    void mutatedRecordingsOnlyEverThrowTheProtocolException() throws Exception {
        byte[] valid = Files.readAllBytes(validRecording());
        Random random = new Random(5);
        Path p = dir.resolve("mutated.xgnl");
        for (int i = 0; i < 2_000; i++) {
            byte[] bytes = valid.clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            int length = random.nextInt(4) == 0 ? random.nextInt(bytes.length) : bytes.length;
            Files.write(p, Arrays.copyOf(bytes, length));
            try {
                RtnlReplay.replay(p, new Calls());
            } catch (NetlinkProtocolException expected) {
                assertTrue(expected.getMessage().contains("offset "), expected.getMessage());
            } catch (Throwable other) {
                fail("mutation " + i + " threw " + other, other);
            }
        }
    }
}
