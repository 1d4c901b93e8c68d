package io.xdpgate.hitflags;

import io.xdpgate.daemon.ListenAddress;
import io.xdpgate.daemon.YamlConfig;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Command-line options of hitflags (metrics: null when off). */
public record HitflagsOptions(Path pinRoot, Duration interval, InetSocketAddress metrics) {

    public static final Path DEFAULT_PIN_ROOT = Path.of("/sys/fs/bpf/xdpgate");
    /**
     * Well inside the kernel's default timers (REACHABLE for 15 to 45 s, then STALE entries are
     * collected gc_stale_time, 60 s, after their last use), and inside much shorter ones too.
     */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    public static final String DEFAULT_METRICS = "127.0.0.1:9468";
    static final Duration MIN_INTERVAL = Duration.ofMillis(10);
    static final Duration MAX_INTERVAL = Duration.ofMinutes(10);

    public static final String HELP = """
            Usage: xdpgate hitflags [OPTIONS]

            Keeps alive in the kernel the neighbours the XDP fast path sends to. The fast
            path records when it last used each neighbour (maps xg_neigh_used and xg_nh_used
            under the pin root); at every interval hitflags asks the kernel to treat each neighbour used
            since its previous scan as used (RTM_NEWNEIGH with NTF_USE, in the neighbour's
            namespace as published by the fast path manager). The kernel then keeps the
            entry and revalidates it when it is STALE; one that stops answering fails and
            leaves the fast path. Unused neighbours age out normally. Static (PERMANENT,
            NOARP) entries and entries the kernel no longer has are never touched, and
            nothing is ever written to the fast path's maps.

            Options:
              --pin-root DIR     bpffs directory of the fast path's pinned maps, as given to
                                 the fast path manager (default /sys/fs/bpf/xdpgate); hitflags
                                 waits for the maps if they are not there yet
              --interval DURATION
                                 time between two scans, e.g. 500ms or 2s (default 1s; from
                                 10ms to 10m). Keep it well under the kernel's
                                 base_reachable_time and gc_stale_time
              --metrics ADDRESS:PORT
                                 serve Prometheus metrics over HTTP at
                                 http://ADDRESS:PORT/metrics (default 127.0.0.1:9468;
                                 [::1]:PORT for IPv6, port 0 for any free port);
                                 "--metrics off" serves none. If the port is taken,
                                 the daemon logs it and runs without metrics
              --config FILE      read options from a YAML file first: keys pin-root,
                                 interval, metrics, with the values above
                                 (docs/config/hitflags.yaml); the command line overrides it
              --help             show this text

            Stop with SIGTERM or Ctrl-C. Without hitflags the fast path keeps forwarding;
            only the kernel's entries are no longer kept alive for it.
            """;

    /** The keys of the configuration file and the options they stand for. */
    static final List<YamlConfig.Key> CONFIG_KEYS = List.of(
            new YamlConfig.Value("pin-root", "--pin-root"),
            new YamlConfig.Value("interval", "--interval"),
            new YamlConfig.Value("metrics", "--metrics", "off"));

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)");

    /** The options of the command line, after those of the file {@code --config} names, if any. */
    public static HitflagsOptions parse(String[] args) {
        return parseArguments(YamlConfig.commandLine(args, CONFIG_KEYS, one -> parseArguments(one.toArray(new String[0]))));
    }

    private static HitflagsOptions parseArguments(String[] args) {
        Path pinRoot = DEFAULT_PIN_ROOT;
        Duration interval = DEFAULT_INTERVAL;
        InetSocketAddress metrics = ListenAddress.parse(DEFAULT_METRICS, "--metrics");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--pin-root" -> pinRoot = Path.of(value(args, ++i, a));
                case "--interval" -> interval = parseInterval(value(args, ++i, a));
                case "--metrics" -> {
                    String v = value(args, ++i, a);
                    metrics = v.equals("off") ? null : ListenAddress.parse(v, a);
                }
                default -> throw new IllegalArgumentException("unknown option '" + a + "' (see --help)");
            }
        }
        return new HitflagsOptions(pinRoot, interval, metrics);
    }

    static Duration parseInterval(String s) {
        Matcher m = DURATION.matcher(s.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("--interval expects a whole number with ms, s or m (500ms, 1s, 2m), got '" + s + "'");
        }
        Duration d;
        try {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMinutes(n);
            };
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("--interval: '" + s + "' is too large", e);
        }
        if (d.compareTo(MIN_INTERVAL) < 0 || d.compareTo(MAX_INTERVAL) > 0) {
            throw new IllegalArgumentException("--interval must be from 10ms to 10m, got '" + s + "'");
        }
        return d;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException(option + " needs a value (see --help)");
        return args[i];
    }
}
