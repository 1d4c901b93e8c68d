package io.xdpgate.hitflags;

import io.xdpgate.daemon.DaemonMain;

/** {@code xdpgate hitflags}: runs until SIGTERM or SIGINT. */
public final class HitflagsMain {

    private HitflagsMain() {}

    public static void main(String[] args) throws Exception {
        DaemonMain.run("hitflags", HitflagsOptions.HELP, args, HitflagsOptions::parse, Hitflags::start);
    }
}
