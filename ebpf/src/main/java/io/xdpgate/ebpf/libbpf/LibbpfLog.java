package io.xdpgate.ebpf.libbpf;

import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives libbpf's messages (libbpf_set_print is process-wide). While a thread
 * runs an open or load it captures that thread's warnings, so they travel with
 * the exception; everything else goes to SLF4J.
 */
final class LibbpfLog {
    private static final Logger LOG = LoggerFactory.getLogger("io.xdpgate.ebpf.libbpf");
    private static final int LIBBPF_WARN = 0;
    private static final int LIBBPF_INFO = 1;
    /** libbpf's own lines are short; the verifier log it also prints is captured whole elsewhere. */
    private static final int LINE_MAX = 8192;

    private static final ThreadLocal<List<String>> CAPTURE = new ThreadLocal<>();

    /** Held strongly: libbpf keeps the function pointer for the life of the process. */
    private static final LibBpf.PrintFn PRINT = LibbpfLog::print;

    static {
        LibBpf.INSTANCE.libbpf_set_print(PRINT);
    }

    private LibbpfLog() {
    }

    /** Makes sure the callback is installed. */
    static void install() {
        // The static initializer does the work.
    }

    /** Starts capturing this thread's libbpf warnings; close() returns them. */
    static Capture capture() {
        install();
        List<String> lines = new ArrayList<>();
        CAPTURE.set(lines);
        return new Capture(lines);
    }

    static final class Capture implements AutoCloseable {
        private final List<String> lines;

        private Capture(List<String> lines) {
            this.lines = lines;
        }

        /** The warnings so far, each on a new line (libbpf starts them with "libbpf: "). */
        String text() {
            StringBuilder sb = new StringBuilder();
            for (String l : lines) {
                sb.append("\n").append(l);
            }
            return sb.toString();
        }

        @Override
        public void close() {
            CAPTURE.remove();
        }
    }

    private static int print(int level, Pointer format, Pointer args) {
        try {
            boolean wanted = level <= LIBBPF_INFO || LOG.isDebugEnabled();
            if (!wanted) {
                return 0;
            }
            byte[] buf = new byte[LINE_MAX];
            int n = LibC.INSTANCE.vsnprintf(buf, buf.length, format, args);
            if (n < 0) {
                return 0;
            }
            String line = new String(buf, 0, Math.min(n, buf.length - 1), StandardCharsets.UTF_8).stripTrailing();
            List<String> capture = CAPTURE.get();
            if (capture != null && level == LIBBPF_WARN) {
                // The verifier log is read from our own buffer, whole; skip libbpf's (truncated) copy.
                if (!line.contains("-- BEGIN PROG LOAD LOG --")) {
                    capture.add(line);
                }
                LOG.debug("{}", line);
            } else if (level == LIBBPF_WARN) {
                LOG.warn("{}", line);
            } else if (level == LIBBPF_INFO) {
                LOG.info("{}", line);
            } else {
                LOG.debug("{}", line);
            }
        } catch (RuntimeException | Error e) {
            // Never let an exception unwind into native code.
        }
        return 0;
    }
}
