package io.xdpgate.fpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FpcFuzzMainTest {
    @Test
    void allocationBoundFollowsTheBytesReceivedUpToTwoLargestFramesAndOneRead() {
        assertEquals(64, FpcFuzz.allocationBound(0));
        assertEquals(64, FpcFuzz.allocationBound(30));
        assertEquals(128, FpcFuzz.allocationBound(65));
        assertEquals(65536, FpcFuzz.allocationBound(40_000));
        assertEquals(65536, FpcFuzz.allocationBound(65_000));
        assertEquals(131072, FpcFuzz.allocationBound(70_000), "a whole frame and the next read");
        assertEquals(262144, FpcFuzz.allocationBound(131_131), "a decoded frame not yet discarded, the next, a read");
        assertEquals(262144, FpcFuzz.allocationBound(Integer.MAX_VALUE));
    }

    @Test
    void aHeaderClaimingTheLargestFrameAllocatesOnlyWhatArrived() {
        FpcAllocationWatch watch = new FpcAllocationWatch();
        EmbeddedChannel ch = new EmbeddedChannel(new FpcFrameDecoder());
        ch.config().setAllocator(watch);
        try {
            // A ROUTE_ADD header announcing 65535 bytes, then the body trickling in a few bytes at a time.
            byte[] header = FpcTestSupport.hex("01 28 00 00 00 00 00 01 00 00 00 00 00 00 ff ff");
            for (int i = 0; i < header.length; i += 3) {
                ch.writeInbound(Unpooled.wrappedBuffer(header, i, Math.min(3, header.length - i)));
            }
            for (int i = 0; i < 10; i++) {
                ch.writeInbound(Unpooled.wrappedBuffer(new byte[7]));
            }
            assertNull(ch.readInbound(), "the frame is incomplete");
            int largest = watch.takeLargest();
            assertTrue(largest <= FpcFuzz.allocationBound(16 + 70), "allocated " + largest + " bytes for 86 received");
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void aShortRunPassesAndSaysSo() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        boolean ok = FpcFuzzMain.run(20_000, 2_026L, 0, 2, 2000, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(progress, true, StandardCharsets.UTF_8));
        String summary = out.toString(StandardCharsets.UTF_8);
        assertTrue(ok, summary + progress);
        assertTrue(summary.startsWith("FPC fuzz seed 2026: 20000 inputs in "), summary);
        assertTrue(summary.contains(" 0 unexpected,") && summary.trim().endsWith("OK"), summary);
        String p = progress.toString(StandardCharsets.UTF_8);
        assertTrue(p.contains(" 50 %") && p.contains(" 90 %"), p);
        // Each input depends on (seed, index) only: the same input alone gives the same outcome.
        FpcAllocationWatch watch = new FpcAllocationWatch();
        FpcFuzz.Outcome a = FpcFuzz.runOne(2_026L, 12_345, watch);
        FpcFuzz.Outcome b = FpcFuzz.runOne(2_026L, 12_345, watch);
        assertEquals(a.decoded(), b.decoded());
        assertEquals(a.rejected(), b.rejected());
    }
}
