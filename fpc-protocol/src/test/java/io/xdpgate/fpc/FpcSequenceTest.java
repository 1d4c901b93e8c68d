package io.xdpgate.fpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FpcSequenceTest {
    @Test
    void wireValuesSkipZeroWhenTheyWrap() {
        assertEquals(1, FpcSequence.toWire(1));
        assertEquals(0xffff_ffffL, FpcSequence.toWire(0xffff_ffffL));
        assertEquals(1, FpcSequence.toWire(0x1_0000_0000L)); // after 2^32-1 comes 1, never 0
        assertEquals(2, FpcSequence.toWire(0x1_0000_0001L));
    }

    @Test
    void reportsMapBackAcrossTheWrap() {
        long sent = 0x1_0000_0005L; // wire value 6
        assertEquals(sent, FpcSequence.fromWire(6, sent));
        assertEquals(0x1_0000_0000L, FpcSequence.fromWire(1, sent));
        assertEquals(0xffff_fff0L, FpcSequence.fromWire(0xffff_fff0L, sent)); // before the wrap
        assertEquals(100, FpcSequence.fromWire(100, 1000));
    }
}
