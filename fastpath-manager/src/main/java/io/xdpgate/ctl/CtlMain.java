package io.xdpgate.ctl;

import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.fastpath.FastPathOptions;
import io.xdpgate.fastpath.VrfTable;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@code xdpgate ctl}: operator commands against a running fast path. */
public final class CtlMain {

    static final String HELP = """
            Usage: xdpgate ctl COMMAND [OPTIONS]

            Commands:
              verify             Dump every VRF's namespace from the kernel and compare it with
                                 what the fast path holds: ports, local addresses, neighbours and
                                 routes of the main table. Prints each difference; exits 0 when
                                 there is none, 1 when there are differences, 2 on an error.

            Options:
              --pin-root DIR     the fast path manager's pin root (default /sys/fs/bpf/xdpgate)
              --max N            differences printed per VRF at most (default 50)
            """;

    private CtlMain() {}

    public static void main(String[] args) {
        System.setProperty("xdpgate.process", "ctl");
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
            System.out.print(HELP);
            return args.length == 0 ? 2 : 0;
        }
        Path pinRoot = FastPathOptions.DEFAULT_PIN_ROOT;
        int max = 50;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--pin-root" -> pinRoot = Path.of(value(args, ++i));
                case "--max" -> max = Integer.parseInt(value(args, ++i));
                default -> {
                    System.err.println("ctl: unknown option '" + args[i] + "' (see --help)");
                    return 2;
                }
            }
        }
        if (!args[0].equals("verify")) {
            System.err.println("ctl: unknown command '" + args[0] + "' (see --help)");
            return 2;
        }
        try {
            return verify(pinRoot, max);
        } catch (Exception e) {
            System.err.println("ctl verify: " + e.getMessage());
            return 2;
        }
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) throw new IllegalArgumentException(args[i - 1] + " needs a value");
        return args[i];
    }

    /** Prints every difference (at most {@code max} per VRF); 0 when in sync, 1 otherwise. */
    public static int verify(Path pinRoot, int max) throws Exception {
        Map<Integer, String> vrfs = VrfTable.read(pinRoot);
        int total = 0;
        try (FastPathMaps maps = FastPathMaps.open(pinRoot)) {
            for (var e : vrfs.entrySet()) {
                String netns = e.getValue().isEmpty() ? null : e.getValue();
                List<String> diffs;
                try {
                    KernelSnapshot kernel = KernelSnapshot.of(netns);
                    diffs = Verifier.differences(kernel, Verifier.FastPathView.of(maps, e.getKey()));
                } catch (io.xdpgate.netlink.NetlinkException ex) {
                    // Typically a namespace removed a moment ago: the fast path still has its VRF.
                    diffs = List.of("the namespace cannot be dumped (" + ex.getMessage() + ") but the fast path holds its vrf");
                }
                System.out.printf("vrf %d (%s): %s%n", e.getKey(), netns == null ? "default namespace" : "netns " + netns,
                        diffs.isEmpty() ? "in sync" : diffs.size() + " differences");
                diffs.stream().limit(max).forEach(d -> System.out.println("  " + d));
                if (diffs.size() > max) System.out.println("  ... and " + (diffs.size() - max) + " more");
                total += diffs.size();
            }
        }
        System.out.println(total == 0 ? "fast path in sync with the kernel (" + vrfs.size() + " vrfs)" : total + " differences");
        return total == 0 ? 0 : 1;
    }
}
