package io.xdpgate.fastpath;

import io.xdpgate.daemon.DaemonMain;

/** {@code xdpgate fastpath-manager}: runs until SIGTERM or SIGINT. */
public final class FastPathManagerMain {

    private FastPathManagerMain() {}

    public static void main(String[] args) throws Exception {
        DaemonMain.run("fastpath-manager", FastPathOptions.HELP, args, FastPathOptions::parse, FastPathManager::start);
    }
}
