package io.xdpgate.lab;

import io.xdpgate.ebpf.Stat;

import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code ./xdpgate demo}: the whole system on one machine. Builds the lab, runs both daemons,
 * sends real traffic, prints what the fast path did and what Linux did, and cleans up.
 */
public final class Demo {

    static final Path PIN_ROOT = Path.of("/sys/fs/bpf/xg-demo");
    static final Path SOCKET = Path.of("/run/xdpgate/xg-demo.sock");

    private Demo() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0) {
            System.out.println("Usage: ./xdpgate demo   (no options; see README.md)");
            System.exit(args[0].equals("--help") ? 0 : 2);
        }
        System.exit(run() ? 0 : 1);
    }

    /** Runs the demo; true when every check held. Leaves nothing behind either way. */
    public static boolean run() throws Exception {
        System.setProperty("xdpgate.process", "demo");
        Path logs = Path.of(System.getProperty("java.io.tmpdir"), "xdpgate-demo-logs");
        say("lab: xgh1 (" + Lab.H1_ADDR + ") -- xgr (router) -- xgh2 (" + Lab.H2_ADDR + ")");
        Lab.removePins(PIN_ROOT);
        boolean ok = true;
        try (Lab lab = Lab.create(); Daemons daemons = new Daemons(PIN_ROOT, SOCKET, logs)) {
            daemons.startFastPathManager();
            daemons.startCacheManager();
            Duration sync = daemons.awaitSynchronized(lab, Duration.ofSeconds(30));
            say("daemons up; fast path attached to xgr-h1 and xgr-h2 and synchronized in " + sync.toMillis() + " ms");

            Traffic.ping(Lab.H1, Lab.H2_ADDR, 3, 0.2); // resolves the neighbours: Linux's job, then synchronized
            Counters start = Counters.read(PIN_ROOT, lab);

            Traffic.Ping ping = Traffic.ping(Lab.H1, Lab.H2_ADDR, 200, 0.005);
            say(String.format("ping xgh1 -> xgh2: %d sent, %d answered", ping.transmitted(), ping.received()));
            ok &= check(ping.allAnswered(), "every ping answered");

            Traffic.Transfer tcp = Traffic.tcp(Lab.H1, Lab.H2, Lab.H2_ADDR, 1L << 30);
            say(String.format("TCP xgh1 -> xgh2 (iperf3): %.2f GB in %.1f s, %.2f Gbit/s",
                    tcp.bytes() / 1e9, tcp.seconds(), tcp.bitsPerSecond() / 1e9));
            ok &= check(tcp.bytes() >= 1_000_000_000L, "at least 1 GB received (" + tcp.bytes() + " bytes)");

            Sh.run(Sh.in(Lab.ROUTER, "ip", "neigh", "flush", "all"));
            Traffic.Ping afterFlush = Traffic.ping(Lab.H1, Lab.H2_ADDR, 20, 0.05);
            say(String.format("after 'ip neigh flush all' on xgr: %d/%d answered (Linux resolved, fast path resumed)",
                    afterFlush.received(), afterFlush.transmitted()));
            ok &= check(afterFlush.received() >= afterFlush.transmitted() - 1, "pings answered after the neighbour flush");

            String trace = Traffic.tracepath(Lab.H1, Lab.H2_ADDR);
            boolean hop = trace.contains(Lab.R_H1_ADDR);
            say("tracepath xgh1 -> xgh2: router hop " + Lab.R_H1_ADDR + (hop ? " shown" : " MISSING"));
            ok &= check(hop, "tracepath shows the router hop");

            Counters d = Counters.read(PIN_ROOT, lab).minus(start);
            System.out.println();
            System.out.print(d.table());
            System.out.println();
            System.out.println("  The fast path forwarded the traffic itself; Linux saw only the exceptions:");
            System.out.println("  TTL expiry (tracepath), packets to unresolved neighbours (after the flush),");
            System.out.println("  ARP and packets for the router itself. The kernel's own forwarding counter");
            System.out.println("  barely moves.");
            long forwarded = d.packets(Stat.FORWARDED);
            ok &= check(forwarded > 2L * ping.transmitted(), "the fast path forwarded the traffic");
            ok &= check(d.kernelForwarded() < forwarded / 100 + 50, "the kernel forwarded almost nothing");
            daemons.checkAlive();
        } finally {
            Lab.removePins(PIN_ROOT);
        }
        say(ok ? "demo passed; lab removed" : "demo FAILED (daemon logs in " + logs + "); lab removed");
        return ok;
    }

    private static boolean check(boolean held, String what) {
        if (!held) say("CHECK FAILED: " + what);
        return held;
    }

    private static void say(String s) {
        System.out.println("[demo] " + s);
    }
}
