package io.xdpgate.cachemanager;

import io.xdpgate.daemon.ListenAddress;
import io.xdpgate.daemon.YamlConfig;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/** Command-line options of the Cache Manager. */
public record CacheManagerOptions(String netns, int vrf, Path socketPath, int receiveBufferBytes, String identity,
                                  Path record, boolean ipv6, InetSocketAddress metrics) {

    public static final Path DEFAULT_SOCKET = Path.of("/run/xdpgate/fpc.sock");
    public static final int DEFAULT_RECEIVE_BUFFER = 32 << 20;
    public static final String DEFAULT_METRICS = "127.0.0.1:9466";

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
              --metrics ADDRESS:PORT
                                 serve Prometheus metrics over HTTP at
                                 http://ADDRESS:PORT/metrics (default 127.0.0.1:9466;
                                 [::1]:PORT for IPv6, port 0 for any free port);
                                 "--metrics off" serves none. If the port is taken,
                                 the daemon logs it and runs without metrics
              --record FILE      write the raw netlink stream (dumps and changes) to FILE,
                                 one file per namespace: FILE.NETNS ("FILE.default" for
                                 the daemon's own), rewritten at each FPC connection
              --config FILE      read options from a YAML file first: keys netns, vrf,
                                 socket, rcvbuf, ipv6 (true/false), metrics, record, with
                                 the values above (docs/config/cache-manager.yaml); the
                                 command line overrides the file
              --help             show this text

            Stop with SIGTERM or Ctrl-C.
            """;

    /** The keys of the configuration file and the options they stand for. */
    static final List<YamlConfig.Key> CONFIG_KEYS = List.of(
            new YamlConfig.Value("netns", "--netns"),
            new YamlConfig.Value("vrf", "--vrf"),
            new YamlConfig.Value("socket", "--socket"),
            new YamlConfig.Value("rcvbuf", "--rcvbuf"),
            new YamlConfig.Switch("ipv6", null, "--no-ipv6"),
            new YamlConfig.Value("metrics", "--metrics", "off"),
            new YamlConfig.Value("record", "--record"));

    /** The options of the command line, after those of the file {@code --config} names, if any. */
    public static CacheManagerOptions parse(String[] args) {
        return parseArguments(YamlConfig.commandLine(args, CONFIG_KEYS, one -> parseArguments(one.toArray(new String[0]))));
    }

    private static CacheManagerOptions parseArguments(String[] args) {
        String netns = "";
        int vrf = 0;
        Path socket = DEFAULT_SOCKET;
        int rcvbuf = DEFAULT_RECEIVE_BUFFER;
        Path record = null;
        boolean ipv6 = true;
        InetSocketAddress metrics = address(DEFAULT_METRICS, "--metrics");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--netns" -> netns = value(args, ++i, a);
                case "--vrf" -> vrf = number(value(args, ++i, a), a, 0, Integer.MAX_VALUE);
                case "--socket" -> socket = Path.of(value(args, ++i, a));
                case "--rcvbuf" -> rcvbuf = number(value(args, ++i, a), a, 4096, Integer.MAX_VALUE);
                case "--record" -> record = Path.of(value(args, ++i, a));
                case "--no-ipv6" -> ipv6 = false;
                case "--metrics" -> {
                    String v = value(args, ++i, a);
                    metrics = v.equals("off") ? null : address(v, a);
                }
                default -> throw new IllegalArgumentException("unknown option '" + a + "' (see --help)");
            }
        }
        // Stable across restarts: a restarted cache manager is the same sender, so its first
        // resync sweeps what its previous run had announced and the kernel no longer has.
        String identity = "cache-manager/" + (netns.isEmpty() ? "default" : netns);
        return new CacheManagerOptions(netns, vrf, socket, rcvbuf, identity, record, ipv6, metrics);
    }

    /** Where the stream of namespace {@code netns} (null: the daemon's own) is recorded, or null. */
    public Path recordingFor(String netns) {
        return record == null ? null : record.resolveSibling(record.getFileName() + "." + (netns == null ? "default" : netns));
    }

    private static InetSocketAddress address(String s, String option) {
        return ListenAddress.parse(s, option);
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
