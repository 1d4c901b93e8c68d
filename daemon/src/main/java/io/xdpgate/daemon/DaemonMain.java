package io.xdpgate.daemon;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * What every xdpgate daemon's {@code main} does: {@code --help} prints the help and exits 0; options that
 * do not parse exit 2 with the reason on standard error; otherwise the daemon starts and runs until
 * SIGTERM or SIGINT, which close it.
 */
public final class DaemonMain {

    /** Parses the command line; throws IllegalArgumentException saying what is wrong. */
    @FunctionalInterface
    public interface Parser<O> {
        O parse(String[] args);
    }

    /** Starts the daemon with its options; it runs until closed. */
    @FunctionalInterface
    public interface Starter<O> {
        AutoCloseable start(O options) throws Exception;
    }

    private DaemonMain() {}

    /**
     * @param name the process name, also what the logging configuration calls it (set before any
     *             logger exists: this class has none of its own for that reason)
     */
    public static <O> void run(String name, String help, String[] args, Parser<O> parser, Starter<O> starter)
            throws Exception {
        System.setProperty("xdpgate.process", name);
        if (Arrays.asList(args).contains("--help")) {
            System.out.print(help);
            return;
        }
        O options;
        try {
            options = parser.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(name + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        AutoCloseable daemon = starter.start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                daemon.close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(DaemonMain.class).warn("{}: stopping failed", name, e);
            } finally {
                stopped.countDown();
            }
        }, "shutdown"));
        stopped.await();
    }
}
