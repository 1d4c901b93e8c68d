package io.xdpgate.cachemanager;

import io.xdpgate.daemon.DaemonMain;

/** {@code xdpgate cache-manager}: runs until SIGTERM or SIGINT. */
public final class CacheManagerMain {

    private CacheManagerMain() {}

    public static void main(String[] args) throws Exception {
        DaemonMain.run("cache-manager", CacheManagerOptions.HELP, args, CacheManagerOptions::parse, CacheManager::start);
    }
}
