package io.xdpgate.fastpath;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/** {@code xdpgate fastpath-manager}: runs until SIGTERM or SIGINT. */
public final class FastPathManagerMain {

    private FastPathManagerMain() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("xdpgate.process", "fastpath-manager");
        if (Arrays.asList(args).contains("--help")) {
            System.out.print(FastPathOptions.HELP);
            return;
        }
        FastPathOptions options;
        try {
            options = FastPathOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("fastpath-manager: " + e.getMessage());
            System.exit(2);
            return;
        }
        FastPathManager manager = FastPathManager.start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            manager.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
    }
}
