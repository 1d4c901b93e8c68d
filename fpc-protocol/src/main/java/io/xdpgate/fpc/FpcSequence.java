package io.xdpgate.fpc;

/**
 * Maps the client's 64-bit sequence numbers to the wire's u32 and back. Wire values run
 * 1..2^32-1 and wrap to 1, because 0 means "unnumbered"; at a million messages a second a
 * connection wraps after about 71 minutes, so the wrap is a normal event, not an error.
 */
final class FpcSequence {
    /** Number of usable wire values. */
    static final long MODULUS = 0xffff_ffffL;

    private FpcSequence() {
    }

    /** Wire value of sequence {@code sequence} (>= 1). */
    static long toWire(long sequence) {
        return (sequence - 1) % MODULUS + 1;
    }

    /**
     * The sequence at or below {@code reference} (the highest one sent) whose wire value is {@code wire}.
     * Correct while fewer than 2^32-1 messages are in flight, which the client's bounded queue guarantees.
     */
    static long fromWire(long wire, long reference) {
        if (reference <= 0) {
            return 0;
        }
        return reference - Math.floorMod(toWire(reference) - wire, MODULUS);
    }
}
