package io.xdpgate.cachemanager;

import java.nio.file.Path;

/** Command-line options of the Cache Manager. */
public record CacheManagerOptions(String netns, int vrf, Path socketPath, int receiveBufferBytes, String identity,
                                  Path record, boolean ipv6) {

    public static final Path DEFAULT_SOCKET = Path.of("/run/xdpgate/fpc.sock");
    public static final int DEFAULT_RECEIVE_BUFFER = 32 << 20;

    public static final String HELP = """
            Usage: xdpgate cache-manager [OPTIONS]

            Follows the kernel's links, IPv4 and IPv6 addresses, neighbours, nexthop
            objects and groups, and routes of the main table over rtnetlink and sends them
            as FPC messages to the Fast Path Manager. Every (re)connection and every
            netlink overrun starts a new generation: a full dump, after which the
            receiver removes what is gone.

            Options:
              --netns NAME       network namespace to follow (/run/netns/NAME);
                                 default: the namespace the daemon runs in
              --vrf ID           VRF id of that namespace (default 0)
              --socket PATH      FPC UNIX socket of the Fast Path Manager
                                 (default /run/xdpgate/fpc.sock)
              --rcvbuf BYTES     netlink receive buffer (default 33554432)
              --no-ipv6          follow IPv4 only (IPv6 addresses, routes and neighbours
                                 are left out)
              --record FILE      write the raw netlink stream (dumps and changes) to FILE,
                                 one file per namespace: FILE.NETNS ("FILE.default" for
                                 the daemon's own), rewritten at each FPC connection
              --help             show this text

            Stop with SIGTERM or Ctrl-C.
            """;

    public static CacheManagerOptions parse(String[] args) {
        String netns = "";
        int vrf = 0;
        Path socket = DEFAULT_SOCKET;
        int rcvbuf = DEFAULT_RECEIVE_BUFFER;
        Path record = null;
        boolean ipv6 = true;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--netns" -> netns = value(args, ++i, a);
                case "--vrf" -> vrf = number(value(args, ++i, a), a, 0, Integer.MAX_VALUE);
                case "--socket" -> socket = Path.of(value(args, ++i, a));
                case "--rcvbuf" -> rcvbuf = number(value(args, ++i, a), a, 4096, Integer.MAX_VALUE);
                case "--record" -> record = Path.of(value(args, ++i, a));
                case "--no-ipv6" -> ipv6 = false;
                default -> throw new IllegalArgumentException("unknown option '" + a + "' (see --help)");
            }
        }
        // Stable across restarts: a restarted cache manager is the same sender, so its first
        // resync sweeps what its previous run had announced and the kernel no longer has.
        String identity = "cache-manager/" + (netns.isEmpty() ? "default" : netns);
        return new CacheManagerOptions(netns, vrf, socket, rcvbuf, identity, record, ipv6);
    }

    /** Where the stream of namespace {@code netns} (null: the daemon's own) is recorded, or null. */
    public Path recordingFor(String netns) {
        return record == null ? null : record.resolveSibling(record.getFileName() + "." + (netns == null ? "default" : netns));
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException(option + " needs a value (see --help)");
        return args[i];
    }

    private static int number(String s, String option, int min, int max) {
        try {
            long v = Long.parseLong(s);
            if (v < min || v > max) throw new NumberFormatException();
            return (int) v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " expects a number from " + min + " to " + max + ", got '" + s + "'");
        }
    }
}
