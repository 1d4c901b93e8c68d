package io.xdpgate.fpc;

import java.util.Objects;

/**
 * A message with its header fields: what {@link FpcMessageDecoder} emits and {@link FpcMessageEncoder}
 * takes. {@code sequence} and {@code report} are the wire's u32 values (0 = unnumbered / nothing to report).
 */
public record FpcEnvelope(int flags, long sequence, long report, FpcMessage message) {
    public static final int ACK_REQUEST = FpcConstants.FLAG_ACK_REQUEST;

    public FpcEnvelope {
        if ((flags & ~FpcConstants.KNOWN_FLAGS) != 0) {
            throw new IllegalArgumentException("unknown header flags 0x" + Integer.toHexString(flags));
        }
        checkU32("sequence", sequence);
        checkU32("report", report);
        Objects.requireNonNull(message, "message");
        if (message.messageType().numbered() != (sequence != 0)) {
            throw new IllegalArgumentException(message.messageType()
                    + (sequence == 0 ? " must be numbered" : " must be unnumbered (sequence 0), not " + sequence));
        }
    }

    /** An unnumbered control message (HELLO, REPORT, KEEPALIVE). */
    public static FpcEnvelope control(FpcMessage message, long report) {
        return new FpcEnvelope(0, 0, report, message);
    }

    public boolean ackRequested() {
        return (flags & ACK_REQUEST) != 0;
    }

    private static void checkU32(String field, long value) {
        if (value < 0 || value > 0xffff_ffffL) {
            throw new IllegalArgumentException(field + " " + value + " does not fit in 32 bits");
        }
    }
}
