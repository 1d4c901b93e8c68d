package io.xdpgate.ctl;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.ebpf.Port;
import io.xdpgate.fastpath.FastPathOptions;
import io.xdpgate.fastpath.VrfTable;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@code xdpgate ctl}: operator commands against a running fast path. */
public final class CtlMain {

    static final String HELP = """
            Usage: xdpgate ctl COMMAND [OPTIONS]

            Commands:
              status             Whether the fast path is there, where it is attached, whether
                                 the fast path manager runs, with route counts and counters.
              show TOPIC         What the fast path holds, read from its pinned maps. TOPIC is
                                 one of: interfaces, routes, neighbours, nexthops, vrfs, stats.
                                 stats: the fast path's totals by reason, then each interface's
                                 counters by reason (of the packets it received; forwarded always,
                                 the other reasons when not zero).
              verify             Dump every VRF's namespace from the kernel and compare it with
                                 what the fast path holds: ports, local addresses, neighbours and
                                 routes of the main table, IPv4 and IPv6, with their nexthops and
                                 ECMP groups. Prints each difference; exits 0 when there is none,
                                 1 when there are differences, 2 on an error.
                                 With --packets N, after that comparison, N packets per VRF that has
                                 up fast path ports: UDP to random destinations (mostly inside random
                                 routes of the kernel, some anywhere, some to the router's own
                                 addresses), IPv4 and IPv6 in the proportion of the routes, each
                                 arriving on a random port from a host of its subnet. For each, the
                                 kernel's route lookup (as ip route get fibmatch DST from SRC iif PORT)
                                 and its neighbour table say what must happen; a copy of the VRF's XDP
                                 program, run on the packet through BPF_PROG_TEST_RUN, says what the
                                 fast path does: the verdict, the MACs it writes (the egress port's
                                 and the neighbour's), the exception or drop reason. The fast path
                                 must do what the kernel does (through any one path of an ECMP
                                 route) or hand the packet to Linux for the precise reason (no_neigh,
                                 not_port, local, no_route, route_type; blackhole routes drop):
                                 anything else is a mismatch, printed with the packet and both
                                 decisions, and verify exits 1. A difference that does not repeat
                                 on a second look (the state changed meanwhile) is printed apart.
                                 The copy counts in its own statistics, not in the fast path's, and
                                 records its neighbour uses apart, so that hitflags never keeps a
                                 neighbour alive for a test packet.
              detach             Remove the fast path: unpin its links (the XDP programs leave
                                 the ports) and its maps. Refused while the fast path manager runs
                                 (it would attach again), unless --force.

            Options:
              --pin-root DIR     the fast path manager's pin root (default /sys/fs/bpf/xdpgate)
              --socket PATH      its FPC socket, to tell whether it runs (default /run/xdpgate/fpc.sock)
              --json             print JSON instead of a table (status, show)
              --vrf ID           show only this VRF (show interfaces, routes, neighbours, stats), or verify
                                 only this VRF
              --packets N        verify: also check N test packets per VRF (default 0: none)
              --seed S           verify --packets: the seed of the random packets (default: the time);
                                 the same seed and state give the same packets
              --limit N          rows printed at most (show; default 100 in a table, all in JSON; -1: all)
              --max N            differences, and mismatches, printed per VRF at most (verify; default 50)
              --force            detach even though the fast path manager runs
            """;

    private CtlMain() {}

    public static void main(String[] args) {
        System.setProperty("xdpgate.process", "ctl");
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
            out.print(HELP);
            return args.length == 0 ? 2 : 0;
        }
        String command = args[0];
        String topic = null;
        int first = 1;
        if (command.equals("show")) {
            if (args.length < 2 || args[1].startsWith("--")) {
                err.println("ctl show: which topic? one of " + CtlShow.TOPICS);
                return 2;
            }
            topic = args[1];
            first = 2;
        }
        Path pinRoot = FastPathOptions.DEFAULT_PIN_ROOT;
        Path socket = FastPathOptions.DEFAULT_SOCKET;
        int max = 50;
        int vrf = -1;
        int packets = 0;
        long seed = System.nanoTime() & 0xffffffffL;
        Integer limit = null;
        boolean json = false;
        boolean force = false;
        try {
            for (int i = first; i < args.length; i++) {
                switch (args[i]) {
                    case "--pin-root" -> pinRoot = Path.of(value(args, ++i));
                    case "--socket" -> socket = Path.of(value(args, ++i));
                    case "--max" -> max = number(args, ++i);
                    case "--vrf" -> vrf = number(args, ++i);
                    case "--limit" -> limit = number(args, ++i);
                    case "--packets" -> packets = number(args, ++i);
                    case "--seed" -> seed = longNumber(args, ++i);
                    case "--json" -> json = true;
                    case "--force" -> force = true;
                    default -> throw new IllegalArgumentException("unknown option '" + args[i] + "' (see --help)");
                }
            }
        } catch (IllegalArgumentException e) {
            err.println("ctl " + command + ": " + e.getMessage());
            return 2;
        }
        try {
            return switch (command) {
                case "verify" -> verify(pinRoot, max, new PacketOptions(vrf, packets, seed), out);
                case "status" -> {
                    Map<String, Object> status = CtlStatus.status(pinRoot, socket);
                    if (json) out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(status));
                    else CtlStatus.print(status, out);
                    yield "present".equals(status.get("fast_path")) ? 0 : 1;
                }
                case "show" -> show(topic, pinRoot, vrf, json, limit == null ? (json ? -1 : 100) : limit, out, err);
                case "detach" -> {
                    if (!force && CtlStatus.listening(socket)) {
                        err.println("ctl detach: the fast path manager is running (it listens on " + socket
                                + ") and would attach again: stop it first, or use --force");
                        yield 1;
                    }
                    List<String> removed = CtlStatus.detach(pinRoot);
                    removed.forEach(out::println);
                    out.println(removed.isEmpty() ? "nothing to remove under " + pinRoot : "fast path removed from " + pinRoot);
                    yield 0;
                }
                default -> {
                    err.println("ctl: unknown command '" + command + "' (see --help)");
                    yield 2;
                }
            };
        } catch (Exception e) {
            err.println("ctl " + command + ": " + e.getMessage());
            return 2;
        }
    }

    private static int show(String topic, Path pinRoot, int vrf, boolean json, int limit, PrintStream out, PrintStream err)
            throws Exception {
        if (!Files.exists(pinRoot.resolve("xg_fib4"))) {
            err.println("ctl show: no fast path under " + pinRoot + ": is the fast path manager running with this --pin-root?");
            return 1;
        }
        Map<Integer, String> vrfs = Files.exists(VrfTable.pathFor(pinRoot)) ? VrfTable.read(pinRoot) : Map.of();
        try (FastPathMaps maps = FastPathMaps.open(pinRoot)) {
            Table t = CtlShow.table(topic, maps, vrfs, vrf, limit);
            if (t == null) {
                err.println("ctl show: unknown topic '" + topic + "' (one of " + CtlShow.TOPICS + ")");
                return 2;
            }
            t.print(out, json, limit);
            return 0;
        }
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) throw new IllegalArgumentException(args[i - 1] + " needs a value");
        return args[i];
    }

    private static long longNumber(String[] args, int i) {
        String v = value(args, i);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(args[i - 1] + " expects a number, got '" + v + "'");
        }
    }

    private static int number(String[] args, int i) {
        String v = value(args, i);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(args[i - 1] + " expects a number, got '" + v + "'");
        }
    }

    /** Prints every difference (at most {@code max} per VRF); 0 when in sync, 1 otherwise. */
    public static int verify(Path pinRoot, int max) throws Exception {
        return verify(pinRoot, max, System.out);
    }

    /** Which VRF to verify (-1: all) and how many test packets per VRF (0: none), from which seed. */
    record PacketOptions(int vrf, int packets, long seed) {
        static final PacketOptions NONE = new PacketOptions(-1, 0, 0);
    }

    /** As {@link #verify(Path, int)}, printing to {@code out}. */
    public static int verify(Path pinRoot, int max, PrintStream out) throws Exception {
        return verify(pinRoot, max, PacketOptions.NONE, out);
    }

    static int verify(Path pinRoot, int max, PacketOptions packets, PrintStream out) throws Exception {
        if (packets.packets() < 0) throw new IllegalArgumentException("--packets must not be negative");
        Map<Integer, String> vrfs = VrfTable.read(pinRoot);
        int total = 0;
        int checked = 0;
        int sent = 0;
        int mismatches = 0;
        int changed = 0;
        try (FastPathMaps maps = FastPathMaps.open(pinRoot)) {
            for (var e : vrfs.entrySet()) {
                if (packets.vrf() >= 0 && e.getKey() != packets.vrf()) continue;
                checked++;
                String netns = e.getValue().isEmpty() ? null : e.getValue();
                List<String> diffs;
                KernelSnapshot kernel = null;
                try {
                    kernel = KernelSnapshot.of(netns);
                    diffs = Verifier.differences(kernel, Verifier.FastPathView.of(maps, e.getKey(), kernel.routes().size()));
                } catch (io.xdpgate.netlink.NetlinkException ex) {
                    // Typically a namespace removed a moment ago: the fast path still has its VRF.
                    diffs = List.of("the namespace cannot be dumped (" + ex.getMessage() + ") but the fast path holds its vrf");
                }
                out.printf("vrf %d (%s): %s%n", e.getKey(), netns == null ? "default namespace" : "netns " + netns,
                        diffs.isEmpty() ? "in sync" : diffs.size() + " differences");
                diffs.stream().limit(max).forEach(d -> out.println("  " + d));
                if (diffs.size() > max) out.println("  ... and " + (diffs.size() - max) + " more");
                total += diffs.size();
                if (packets.packets() > 0 && kernel != null) {
                    int vrf = e.getKey();
                    PacketCheck.Result r = PacketCheck.run(pinRoot, vrf, netns, kernel, ports(maps, vrf),
                            () -> ports(maps, vrf), packets.packets(), packets.seed(), max, out);
                    sent += r.packets();
                    mismatches += r.mismatches();
                    changed += r.changed();
                }
            }
        }
        if (packets.vrf() >= 0 && checked == 0) out.println("no vrf " + packets.vrf() + " in the fast path");
        out.println(total == 0 ? "fast path in sync with the kernel (" + checked + " vrfs)" : total + " differences");
        if (packets.packets() > 0) {
            out.println(sent + " packets in " + checked + " vrfs, " + mismatches + " mismatches"
                    + (changed == 0 ? "" : " (and " + changed + " differences that did not repeat)"));
        }
        return total == 0 && mismatches == 0 && (packets.vrf() < 0 || checked > 0) ? 0 : 1;
    }

    /** The fast path's ports of one VRF, by ifindex. */
    private static Map<Integer, Port> ports(FastPathMaps maps, int vrf) throws io.xdpgate.ebpf.BpfException {
        Map<Integer, Port> out = new java.util.HashMap<>();
        for (FastPathMaps.PortEntry p : maps.ports()) if (p.vrf() == vrf) out.put(p.ifindex(), p.port());
        return out;
    }
}
