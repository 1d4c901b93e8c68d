package io.xdpgate.fastpath;

import io.xdpgate.ebpf.BpfException;
import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.ebpf.FastPathProgram;
import io.xdpgate.daemon.MetricsServer;
import io.xdpgate.fpc.FpcServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The Fast Path Manager: FPC server in front, pinned maps and XDP programs behind. */
public final class FastPathManager implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FastPathManager.class);
    private static final int NEXTHOP_CAPACITY = 65536; // XG_NH_MAX
    /** How often a changed VRF table is written for operator tools (besides at the end of each sync). */
    static final long VRF_TABLE_FLUSH_MILLIS = 100;
    /** How often the VRFs whose program failed to load are looked at (see {@link ForwardingState#retryFailedLoads}). */
    static final long LOAD_RETRY_POLL_MILLIS = 1_000;

    private final ForwardingState state;
    private final FpcServer server;
    private final ScheduledExecutorService housekeeping;
    private final MetricsServer metricsServer; // null: none
    private final SpecialPaths specialPaths;

    private FastPathManager(ForwardingState state, FpcServer server, ScheduledExecutorService housekeeping,
                            MetricsServer metricsServer, SpecialPaths specialPaths) {
        this.specialPaths = specialPaths;
        this.state = state;
        this.server = server;
        this.housekeeping = housekeeping;
        this.metricsServer = metricsServer;
    }

    public static FastPathManager start(FastPathOptions options) throws BpfException, InterruptedException {
        // Every pinned map created (or adopted and checked) before any peer connects. The programs are
        // verified by each VRF's own load: verifying them here too cost a second of CPU at every start.
        boolean pinnedBefore = FastPathProgram.anyMapPinned(options.pinRoot());
        FastPathProgram.createMaps(options.pinRoot());
        FastPathMaps maps = FastPathMaps.open(options.pinRoot());
        int aligned = maps.alignIndexedTables(); // maps of an older manager, whose programs read only the keyed maps
        if (aligned > 0) log.info("{} entries of the VRF-indexed tables (xg_fib4_dirs, xg_fib6_guides, xg_port_tables) aligned", aligned);
        ForwardingState state = new ForwardingState(options, maps, NEXTHOP_CAPACITY);
        SpecialPaths specialPaths = new SpecialPaths(options.pinRoot());
        state.specialPaths(specialPaths); // before adopt(): adopted VRFs get their exception devices too
        if (pinnedBefore) {
            state.adopt(); // a restart: the attached programs keep forwarding from these entries meanwhile
        } else {
            // Every map new and empty: nothing to adopt. Reading them for entries took 0.1 s of the start.
            log.info("no map was pinned under {} before: starting empty", options.pinRoot());
        }
        Set<Integer> uids = new HashSet<>(options.allowedUids());
        uids.addAll(FpcServer.Options.defaults().allowedUids());
        FpcServer.Options serverOptions = new FpcServer.Options(options.socketPath(), Set.copyOf(uids),
                FpcServer.Options.defaults().keepaliveTimeout());
        FastPathMetrics metrics = new FastPathMetrics(state::stats, state::occupancy, state::portStats,
                state::portStatsSlotsInUse);
        metrics.specialStats(specialPaths::stats);
        FpcServer server = FpcServer.start(serverOptions, () -> new ConnectionApplier(state, metrics));
        MetricsServer metricsServer = null;
        if (options.metrics() != null) {
            try {
                metricsServer = MetricsServer.start(options.metrics(), "fpm-metrics-http", metrics::scrape);
                log.info("metrics at http://{}:{}/metrics", options.metrics().getHostString(), metricsServer.address().getPort());
            } catch (java.io.IOException e) {
                // Not fatal: forwarding matters more than its statistics.
                log.warn("cannot serve metrics on {}: {}; running without", options.metrics(), e.getMessage());
            }
        }
        ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fpm-housekeeping");
            t.setDaemon(true);
            return t;
        });
        housekeeping.scheduleWithFixedDelay(state::flushVrfTable, VRF_TABLE_FLUSH_MILLIS, VRF_TABLE_FLUSH_MILLIS,
                TimeUnit.MILLISECONDS);
        housekeeping.scheduleWithFixedDelay(state::retryFailedLoads, LOAD_RETRY_POLL_MILLIS, LOAD_RETRY_POLL_MILLIS,
                TimeUnit.MILLISECONDS);
        // tcpdump on a port is noticed within this period, and so is its end.
        housekeeping.scheduleWithFixedDelay(() -> specialPaths.pollCaptures(state.dataplanes()),
                SpecialPaths.CAPTURE_POLL_MILLIS, SpecialPaths.CAPTURE_POLL_MILLIS, TimeUnit.MILLISECONDS);
        log.info("listening for FPC on {}; maps pinned under {}", options.socketPath(), options.pinRoot());
        return new FastPathManager(state, server, housekeeping, metricsServer, specialPaths);
    }

    @Override
    public void close() {
        if (metricsServer != null) metricsServer.close();
        server.close();
        housekeeping.shutdownNow();
        state.flushVrfTable();
        state.close();
        specialPaths.close();
        log.info("stopped; the attached fast path keeps forwarding");
    }
}
