package io.xdpgate.fpc;

/** Outcome of one message, carried by REPORT. */
public enum FpcStatus {
    /** Applied (or, in a cumulative report, everything up to the sequence processed). */
    OK(0),
    /** The receiver failed to apply it; the text says why. */
    ERROR(1),
    /** Valid message the receiver does not implement (for example a route type it cannot forward). */
    UNSUPPORTED(2),
    /** A table of the receiver is full; the object is left to the slow path. */
    NO_SPACE(3),
    /** Well-formed bytes that break a protocol rule (message before HELLO, unknown object reference, ...). */
    INVALID(4),
    /** The peers speak different FPC versions; the connection is closed. */
    VERSION_MISMATCH(5);

    /** values() copies its array on every call; decoding looks codes up per message. */
    private static final FpcStatus[] VALUES = values();

    private final int code;

    FpcStatus(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static FpcStatus fromCode(int code) {
        for (FpcStatus s : VALUES) {
            if (s.code == code) {
                return s;
            }
        }
        throw new FpcProtocolException("unknown FPC report status " + code);
    }
}
