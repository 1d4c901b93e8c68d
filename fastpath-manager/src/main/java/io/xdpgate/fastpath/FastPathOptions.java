package io.xdpgate.fastpath;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Command-line options of the Fast Path Manager. */
public record FastPathOptions(Path pinRoot, Path socketPath, Set<Integer> allowedUids, List<String> ports) {

    public static final Path DEFAULT_PIN_ROOT = Path.of("/sys/fs/bpf/xdpgate");
    public static final Path DEFAULT_SOCKET = Path.of("/run/xdpgate/fpc.sock");

    public static final String HELP = """
            Usage: xdpgate fastpath-manager [OPTIONS]

            Receives the kernel's forwarding state over FPC, loads the XDP fast path,
            attaches it to the configured ports and keeps its pinned maps up to date.

            Options:
              --pin-root DIR     bpffs directory for the pinned maps and links
                                 (default /sys/fs/bpf/xdpgate)
              --socket PATH      FPC UNIX socket to listen on (default /run/xdpgate/fpc.sock)
              --allow-uid UID    also accept FPC peers running as UID (root and the
                                 daemon's own uid are always accepted); repeatable
              --ports LIST       comma-separated interface names that get the fast path,
                                 each NAME (any VRF) or NETNS/NAME; default: every
                                 non-loopback Ethernet interface
              --help             show this text

            Stop with SIGTERM or Ctrl-C: the pinned links keep forwarding after exit.
            """;

    public static FastPathOptions parse(String[] args) {
        Path pinRoot = DEFAULT_PIN_ROOT;
        Path socket = DEFAULT_SOCKET;
        Set<Integer> uids = new java.util.TreeSet<>();
        List<String> ports = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--pin-root" -> pinRoot = Path.of(value(args, ++i, a));
                case "--socket" -> socket = Path.of(value(args, ++i, a));
                case "--allow-uid" -> uids.add(parseUid(value(args, ++i, a)));
                case "--ports" -> {
                    for (String p : value(args, ++i, a).split(",")) {
                        if (!p.isBlank()) ports.add(p.trim());
                    }
                }
                default -> throw new IllegalArgumentException("unknown option '" + a + "' (see --help)");
            }
        }
        return new FastPathOptions(pinRoot, socket, Set.copyOf(uids), List.copyOf(ports));
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException(option + " needs a value (see --help)");
        return args[i];
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
