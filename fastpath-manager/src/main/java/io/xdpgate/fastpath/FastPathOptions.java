package io.xdpgate.fastpath;

import io.xdpgate.daemon.ListenAddress;
import io.xdpgate.daemon.YamlConfig;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Command-line options of the Fast Path Manager (metrics: null when off). */
public record FastPathOptions(Path pinRoot, Path socketPath, Set<Integer> allowedUids, List<String> ports,
                              InetSocketAddress metrics, int largeTableRoutes) {

    /** Options with the default DIR-24 threshold. */
    public FastPathOptions(Path pinRoot, Path socketPath, Set<Integer> allowedUids, List<String> ports,
                           InetSocketAddress metrics) {
        this(pinRoot, socketPath, allowedUids, ports, metrics, DEFAULT_LARGE_TABLE_ROUTES);
    }

    /** Options with the default metrics address. */
    public FastPathOptions(Path pinRoot, Path socketPath, Set<Integer> allowedUids, List<String> ports) {
        this(pinRoot, socketPath, allowedUids, ports, ListenAddress.parse(DEFAULT_METRICS, "--metrics"));
    }

    public static final Path DEFAULT_PIN_ROOT = Path.of("/sys/fs/bpf/xdpgate");
    public static final Path DEFAULT_SOCKET = Path.of("/run/xdpgate/fpc.sock");
    public static final String DEFAULT_METRICS = "127.0.0.1:9467";
    /**
     * Routes of one family from which a VRF's routes of that family move to its large-table
     * layout (IPv4: a DIR-24 table, 64 MiB; IPv6: route classes with a 32 MiB guide): lookups
     * then cost about the same at any table size, worth the memory for large tables only.
     */
    public static final int DEFAULT_LARGE_TABLE_ROUTES = 8192;

    public static final String HELP = """
            Usage: xdpgate fastpath-manager [OPTIONS]

            Receives the kernel's forwarding state over FPC, loads the XDP fast path,
            attaches it to the configured ports and keeps its pinned maps up to date.

            Options:
              --pin-root DIR     bpffs directory for the pinned maps and links
                                 (default /sys/fs/bpf/xdpgate)
              --socket PATH      FPC UNIX socket to listen on (default /run/xdpgate/fpc.sock)
              --allow-uid UID    also accept FPC peers running as UID (root and the
                                 daemon's own uid are always accepted); repeatable,
                                 or several separated by commas
              --ports LIST       comma-separated interface names that get the fast path,
                                 each NAME (any VRF) or NETNS/NAME; default: every
                                 non-loopback Ethernet interface
              --metrics ADDRESS:PORT
                                 serve Prometheus metrics over HTTP at
                                 http://ADDRESS:PORT/metrics (default 127.0.0.1:9467;
                                 [::1]:PORT for IPv6, port 0 for any free port);
                                 "--metrics off" serves none. If the port is taken,
                                 the daemon logs it and runs without metrics
              --large-table-routes N
                                 a VRF with N routes of a family or more gets that
                                 family's large-table layout, whose lookups cost about
                                 the same at any table size: IPv4 a DIR-24 table
                                 (64 MiB), IPv6 route classes (a 32 MiB guide and a
                                 hash); default 8192, at most 256 VRFs per family
              --config FILE      read options from a YAML file first: keys pin-root,
                                 socket, allow-uid (a list), ports (a list), metrics,
                                 large-table-routes, with the values above
                                 (docs/config/fastpath-manager.yaml);
                                 the command line overrides the file
              --help             show this text

            Stop with SIGTERM or Ctrl-C: the pinned links keep forwarding after exit.
            """;

    /** The keys of the configuration file and the options they stand for. */
    static final List<YamlConfig.Key> CONFIG_KEYS = List.of(
            new YamlConfig.Value("pin-root", "--pin-root"),
            new YamlConfig.Value("socket", "--socket"),
            new YamlConfig.ListOf("allow-uid", "--allow-uid"),
            new YamlConfig.ListOf("ports", "--ports"),
            new YamlConfig.Value("metrics", "--metrics", "off"),
            new YamlConfig.Value("large-table-routes", "--large-table-routes"));

    /** The options of the command line, after those of the file {@code --config} names, if any. */
    public static FastPathOptions parse(String[] args) {
        return parseArguments(YamlConfig.commandLine(args, CONFIG_KEYS, one -> parseArguments(one.toArray(new String[0]))));
    }

    private static FastPathOptions parseArguments(String[] args) {
        Path pinRoot = DEFAULT_PIN_ROOT;
        Path socket = DEFAULT_SOCKET;
        Set<Integer> uids = new java.util.TreeSet<>();
        List<String> ports = new ArrayList<>();
        InetSocketAddress metrics = ListenAddress.parse(DEFAULT_METRICS, "--metrics");
        int largeTableRoutes = DEFAULT_LARGE_TABLE_ROUTES;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--pin-root" -> pinRoot = Path.of(value(args, ++i, a));
                case "--socket" -> socket = Path.of(value(args, ++i, a));
                case "--allow-uid" -> {
                    for (String u : value(args, ++i, a).split(",")) uids.add(parseUid(u.trim()));
                }
                case "--metrics" -> {
                    String v = value(args, ++i, a);
                    metrics = v.equals("off") ? null : ListenAddress.parse(v, a);
                }
                case "--ports" -> {
                    for (String p : value(args, ++i, a).split(",")) {
                        if (!p.isBlank()) ports.add(p.trim());
                    }
                }
                case "--large-table-routes" -> largeTableRoutes = parseCount(value(args, ++i, a), a);
                default -> throw new IllegalArgumentException("unknown option '" + a + "' (see --help)");
            }
        }
        return new FastPathOptions(pinRoot, socket, Set.copyOf(uids), List.copyOf(ports), metrics, largeTableRoutes);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException(option + " needs a value (see --help)");
        return args[i];
    }

    private static int parseCount(String s, String option) {
        try {
            int n = Integer.parseInt(s);
            if (n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " expects a non-negative number, got '" + s + "'");
        }
    }

    private static int parseUid(String s) {
        try {
            int uid = Integer.parseInt(s);
            if (uid < 0) throw new NumberFormatException();
            return uid;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--allow-uid expects a non-negative number, got '" + s + "'");
        }
    }

    /** Whether interface {@code name} of namespace {@code netns} gets the fast path. */
    public boolean isPort(String netns, String name, String kind, byte[] mac) {
        if (ExceptionDevice.isExceptionDevice(name)) {
            return false; // the fast path's own way into Linux
        }
        if (ports.isEmpty()) {
            return mac != null && mac.length == 6 && !"lo".equals(name);
        }
        for (String p : ports) {
            int slash = p.indexOf('/');
            if (slash < 0 ? p.equals(name) : p.substring(0, slash).equals(netns) && p.substring(slash + 1).equals(name)) {
                return true;
            }
        }
        return false;
    }
}
