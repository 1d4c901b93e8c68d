package io.xdpgate.fpc;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Outcome of message {@code sequence}. With status OK and empty text it is also the cumulative
 * form: every message up to {@code sequence} has been processed, and any failure among them was
 * reported individually before. Text is at most 1024 UTF-8 bytes; see {@link #of}.
 */
public record FpcReport(long sequence, FpcStatus status, String text) implements FpcMessage {
    public FpcReport {
        if (sequence < 0) {
            throw new IllegalArgumentException("report sequence " + sequence + " is negative");
        }
        Objects.requireNonNull(status, "status");
        FpcChecks.string("report text", text, FpcConstants.MAX_REPORT_TEXT);
    }

    /** Builds a report whose text is cut to the wire limit (on a character boundary) when needed. */
    public static FpcReport of(long sequence, FpcStatus status, String text) {
        String t = text == null ? "" : text;
        if (t.getBytes(StandardCharsets.UTF_8).length > FpcConstants.MAX_REPORT_TEXT) {
            int end = Math.min(t.length(), FpcConstants.MAX_REPORT_TEXT);
            while (t.substring(0, end).getBytes(StandardCharsets.UTF_8).length > FpcConstants.MAX_REPORT_TEXT - 3) {
                end--;
            }
            if (end > 0 && Character.isHighSurrogate(t.charAt(end - 1))) {
                end--;
            }
            t = t.substring(0, end) + "...";
        }
        return new FpcReport(sequence, status, t);
    }

    @Override
    public FpcMessageType messageType() {
        return FpcMessageType.REPORT;
    }
}
