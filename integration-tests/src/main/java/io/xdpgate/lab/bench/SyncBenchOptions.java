package io.xdpgate.lab.bench;

/** The command line of {@code ./xdpgate bench sync}. */
record SyncBenchOptions(int routes4, int routes6, int changes, long seed, int coldStarts, boolean json, boolean help) {

    static final String USAGE = """
            Usage: ./xdpgate bench sync [--json] [--routes4 N] [--routes6 N] [--changes N] [--seed S]
                                        [--cold-starts N]

            Measures, in one run, with the real fast path manager and cache manager following the
            namespace xgsb (created and removed by the benchmark):
              - latency of single route changes sent over netlink until the route is in (or out
                of) the fast path's FIB: p50 and p99 over --changes adds and as many deletes,
                after as many untimed ones (at least 20,000) for the daemons' JIT to settle;
              - bulk convergence: a synthetic Internet table (--routes4 IPv4 and --routes6 IPv6
                routes, realistic prefix lengths) installed with one ip -batch; the time until the
                fast path holds it all, as a ratio to the kernel's own installation time;
              - cold start: both daemons stopped, their pins removed and, once the machine is
                idle, both started in front of that table, until the fast path is
                complete (the median of --cold-starts runs; each run's steps are printed: when the
                fast path manager listened, the generation began, the program was loaded, ...);
              - resident memory growth of both daemons per route, from empty to the full table.

            Options:
              --json         print one JSON object (latency_p50_us, latency_p99_us, bulk_ratio,
                             cold_start_s, bytes_per_route, ...) on standard output
              --routes4 N    IPv4 routes in the table (default 1000000)
              --routes6 N    IPv6 routes in the table (default 250000)
              --changes N    timed single changes of each kind (default 10000)
              --seed S       seed of the table (default 1)
              --cold-starts N  cold starts to run, one after the other (default 1)
            Progress goes to standard error. Needs root, about 2 GiB of memory and a few minutes.""";

    static SyncBenchOptions parse(String[] args) {
        int routes4 = 1_000_000;
        int routes6 = 250_000;
        int changes = 10_000;
        long seed = 1;
        int coldStarts = 1;
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--json" -> json = true;
                case "--help", "-h" -> {
                    return new SyncBenchOptions(routes4, routes6, changes, seed, coldStarts, json, true);
                }
                case "--routes4" -> routes4 = count(args, ++i, 0);
                case "--routes6" -> routes6 = count(args, ++i, 0);
                case "--changes" -> changes = count(args, ++i, 1);
                case "--seed" -> seed = count(args, ++i, 0);
                case "--cold-starts" -> coldStarts = count(args, ++i, 1);
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        if (routes4 + routes6 == 0) throw new IllegalArgumentException("the table needs at least one route");
        return new SyncBenchOptions(routes4, routes6, changes, seed, coldStarts, json, false);
    }

    private static int count(String[] args, int i, int min) {
        if (i >= args.length) throw new IllegalArgumentException(args[i - 1] + " needs a value");
        try {
            int n = Integer.parseInt(args[i].replace("_", ""));
            if (n < min) throw new IllegalArgumentException(args[i - 1] + " must be at least " + min);
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(args[i - 1] + " expects a whole number, not '" + args[i] + "'");
        }
    }
}
