package io.xdpgate.cachemanager;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/** {@code xdpgate cache-manager}: runs until SIGTERM or SIGINT. */
public final class CacheManagerMain {

    private CacheManagerMain() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("xdpgate.process", "cache-manager");
        if (Arrays.asList(args).contains("--help")) {
            System.out.print(CacheManagerOptions.HELP);
            return;
        }
        CacheManagerOptions options;
        try {
            options = CacheManagerOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("cache-manager: " + e.getMessage());
            System.exit(2);
            return;
        }
        CacheManager manager = CacheManager.start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            manager.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
    }
}
