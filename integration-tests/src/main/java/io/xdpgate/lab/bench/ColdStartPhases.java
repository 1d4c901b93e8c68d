package io.xdpgate.lab.bench;

import io.xdpgate.lab.Daemons;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * When the fast path manager reached each step of a cold start, read from the timestamps of the log
 * lines it wrote after a given point of its log (the log is appended to across restarts): seconds
 * after the start, by step, in the order they happen. A step the log does not show is left out.
 */
final class ColdStartPhases {

    /** Each step and the text of the log line that marks it. */
    private static final String[][] STEPS = {
            {"listening", "listening for FPC"},
            {"generation_began", "over all its vrfs begins"},
            {"program_loaded", "fast path program loaded"},
            {"exception_device", "exception device"},
            {"port_attached", "fast path attached"},
            {"complete", Daemons.GENERATION_COMPLETE},
    };

    private ColdStartPhases() {}

    /** The size of the log now: the point after which {@link #read} looks. */
    static long mark(Path log) throws IOException {
        return Files.exists(log) ? Files.size(log) : 0;
    }

    /** @param start the local time of day the daemons were started, as the log's timestamps are written */
    static Map<String, Double> read(Path log, long from, LocalTime start) throws IOException {
        Map<String, Double> out = new LinkedHashMap<>();
        if (!Files.exists(log)) return out;
        String text;
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long length = f.length() - from;
            if (length <= 0) return out;
            byte[] bytes = new byte[(int) Math.min(length, 64 << 20)];
            f.seek(from);
            f.readFully(bytes);
            text = new String(bytes, StandardCharsets.UTF_8);
        }
        for (String[] step : STEPS) {
            for (String line : (Iterable<String>) text.lines()::iterator) {
                if (!line.contains(step[1]) || line.length() < 12) continue;
                try {
                    Duration after = Duration.between(start, LocalTime.parse(line.substring(0, 12)));
                    if (after.isNegative()) after = after.plusDays(1); // the run crossed midnight
                    out.put(step[0], Math.round(after.toMillis()) / 1000.0);
                } catch (DateTimeParseException e) {
                    continue; // not a log line of the daemon's own format
                }
                break;
            }
        }
        return out;
    }
}
