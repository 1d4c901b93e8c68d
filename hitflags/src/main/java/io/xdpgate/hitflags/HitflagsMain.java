package io.xdpgate.hitflags;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/** {@code xdpgate hitflags}: runs until SIGTERM or SIGINT. */
public final class HitflagsMain {

    private HitflagsMain() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("xdpgate.process", "hitflags");
        if (Arrays.asList(args).contains("--help")) {
            System.out.print(HitflagsOptions.HELP);
            return;
        }
        HitflagsOptions options;
        try {
            options = HitflagsOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("hitflags: " + e.getMessage());
            System.exit(2);
            return;
        }
        Hitflags daemon = Hitflags.start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            daemon.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
    }
}
