package io.xdpgate.lab.bench;

import java.util.ArrayList;
import java.util.List;

/** The command line of {@code ./xdpgate bench forward}. */
record ForwardBenchOptions(List<Integer> routes4Sizes, int routes6, int frames, int rounds, double rateSeconds,
                           int rateRounds, long seed, boolean json, boolean help, int captureAt) {

    /** The IPv4 table size of the captured-port runs by default, when it is one of the sizes. */
    static final int DEFAULT_CAPTURE_AT = 100_000;


    static final String USAGE = """
            Usage: ./xdpgate bench forward [--json] [--routes4-sizes N,N,...] [--routes6 N] [--frames N]
                                           [--rounds N] [--rate-seconds S] [--rate-rounds N] [--seed S]
                                           [--capture-at N | --no-capture]

            Compares, on the same routes, the xdpgate fast path with a reference XDP forwarder that
            asks the kernel's FIB (bpf_fib_lookup, ebpf/src/main/c/xdp_fib_ref.bpf.c) and with Linux's
            own forwarding. A router namespace (xgb-r) gets a synthetic Internet table via a resolved
            gateway, installed with ip -batch; the real fast path manager and cache manager copy it
            into the fast path's maps. At each table size:
              - cost per packet: both programs run through BPF_PROG_TEST_RUN, once per frame, over
                --frames frames whose destinations are drawn at random from the table, in --rounds
                rounds alternating which goes first; ns/packet is the median of the rounds' means;
              - forwarding rate: the same sender (a packet socket and sendmmsg, compiled with gcc,
                pinned to the last CPU) sends the same UDP frames through a relay (xgb-g, an XDP
                redirect: the router's ports receive XDP frames, as from a NIC's receive ring, not
                the sender's socket buffers) and the router to a sink for --rate-seconds, entering
                once on a port without XDP (the kernel forwards), once on the fast path's port, and
                once from the relay straight to the sink; the CPU time of each chain
                (sender plus the softirq work on its CPU) less the straight one is the router's own
                CPU time per packet, and rate_vs_kernel the kernel's over the fast path's (how many
                times more packets one core forwards); packets per wall-clock second are reported
                too; --rate-rounds rounds of the three, ratios taken within each round, medians;
              - the memory of the fast path's maps (bpftool memlock) and of the kernel's IPv4 FIB.
            At one IPv4 size (--capture-at) each rate round has a fourth run: the fast path's
            port captured by a real tcpdump in xgb-r (tcpdump -i xgb-r-h -w /dev/null, on another
            CPU than the sender, started and stopped by pid around the run; the run starts once the
            fast path manager shows the port captured), its packets forwarded by the ports' TC
            program; rate_captured_pps is reported beside rate_uncaptured_pps (the fast path runs of
            the same rounds). The run checks that the TC program forwarded what arrived, that the
            kernel forwarded nothing, that tcpdump's filter saw every packet, and that the fast
            path runs after it went through XDP again (no TC forwarding).
            The IPv6 table is measured after the IPv4 sizes, on top of the largest one.

            Options:
              --json               print one JSON object (ratio_ipv4_1m, ratio_ipv6_280k,
                                   rate_vs_kernel, rate_captured_pps, rate_uncaptured_pps,
                                   captured_over_uncaptured and the figures of every size)
                                   on standard output
              --routes4-sizes LIST IPv4 table sizes, ascending (default 1,100000,1000000)
              --routes6 N          IPv6 routes, 0 for none (default 280000)
              --frames N           distinct destinations per size (default 65536)
              --rounds N           cost rounds per size (default 5)
              --rate-seconds S     length of one rate run, 0 for no rate runs (default 1)
              --rate-rounds N      rate runs of each kind per size (default 7)
              --seed S             seed of the table and the destinations (default 1)
              --capture-at N       the IPv4 size of the captured-port runs, one of --routes4-sizes
                                   (default 100000 if it is one, else the largest)
              --no-capture         no captured-port runs
            Progress goes to standard error. Needs root, gcc and about 2 GiB of memory.""";

    static ForwardBenchOptions parse(String[] args) {
        List<Integer> sizes = List.of(1, 100_000, 1_000_000);
        int routes6 = 280_000;
        int frames = 65_536;
        int rounds = 5;
        double rateSeconds = 1;
        int rateRounds = 7;
        long seed = 1;
        boolean json = false;
        Integer captureAt = null;
        boolean noCapture = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--json" -> json = true;
                case "--help", "-h" -> {
                    return new ForwardBenchOptions(sizes, routes6, frames, rounds, rateSeconds, rateRounds, seed, json, true, 0);
                }
                case "--routes4-sizes" -> sizes = sizes(value(args, ++i));
                case "--routes6" -> routes6 = count(args, ++i, 0);
                case "--frames" -> frames = count(args, ++i, 1);
                case "--rounds" -> rounds = count(args, ++i, 1);
                case "--rate-seconds" -> rateSeconds = seconds(args, ++i);
                case "--rate-rounds" -> rateRounds = count(args, ++i, 1);
                case "--seed" -> seed = count(args, ++i, 0);
                case "--capture-at" -> captureAt = count(args, ++i, 1);
                case "--no-capture" -> noCapture = true;
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        if (sizes.isEmpty() && routes6 == 0) throw new IllegalArgumentException("nothing to measure: no IPv4 size and --routes6 0");
        if (noCapture && captureAt != null) throw new IllegalArgumentException("--capture-at and --no-capture exclude each other");
        if (captureAt != null && !sizes.contains(captureAt)) {
            throw new IllegalArgumentException("--capture-at " + captureAt + " is not one of the IPv4 sizes " + sizes);
        }
        if (captureAt != null && rateSeconds == 0) {
            throw new IllegalArgumentException("--capture-at needs rate runs (--rate-seconds above 0)");
        }
        int capture = noCapture || rateSeconds == 0 || sizes.isEmpty() ? 0
                : captureAt != null ? captureAt
                : sizes.contains(DEFAULT_CAPTURE_AT) ? DEFAULT_CAPTURE_AT : sizes.get(sizes.size() - 1);
        return new ForwardBenchOptions(sizes, routes6, frames, rounds, rateSeconds, rateRounds, seed, json, false, capture);
    }

    /** True if the rate runs at this IPv4 size include the captured port's. */
    boolean capturesAt(int routes4) {
        return captureAt > 0 && captureAt == routes4;
    }

    int maxRoutes4() {
        return routes4Sizes.isEmpty() ? 0 : routes4Sizes.get(routes4Sizes.size() - 1);
    }

    private static List<Integer> sizes(String list) {
        List<Integer> out = new ArrayList<>();
        for (String s : list.split(",")) {
            if (s.isBlank()) continue;
            int n;
            try {
                n = Integer.parseInt(s.strip().replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--routes4-sizes expects numbers separated by commas, not '" + list + "'");
            }
            if (n < 1) throw new IllegalArgumentException("--routes4-sizes: a size must be at least 1, not " + n);
            if (!out.isEmpty() && n <= out.get(out.size() - 1)) {
                throw new IllegalArgumentException("--routes4-sizes must ascend (each size adds routes to the last): " + list);
            }
            out.add(n);
        }
        return List.copyOf(out);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) throw new IllegalArgumentException(args[i - 1] + " needs a value");
        return args[i];
    }

    private static double seconds(String[] args, int i) {
        String v = value(args, i);
        try {
            double s = Double.parseDouble(v);
            if (s < 0 || s > 600) throw new IllegalArgumentException(args[i - 1] + " must be between 0 and 600");
            return s;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(args[i - 1] + " expects seconds, not '" + v + "'");
        }
    }

    private static int count(String[] args, int i, int min) {
        String v = value(args, i);
        try {
            int n = Integer.parseInt(v.replace("_", ""));
            if (n < min) throw new IllegalArgumentException(args[i - 1] + " must be at least " + min);
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(args[i - 1] + " expects a whole number, not '" + v + "'");
        }
    }
}
