package io.xdpgate.hitflags;

import io.xdpgate.daemon.MetricsServer;
import io.xdpgate.ebpf.BpfException;
import io.xdpgate.ebpf.MapLayouts;
import io.xdpgate.ebpf.NeighbourUse;
import io.xdpgate.ebpf.NeighbourUseMap;
import io.xdpgate.netlink.NeighbourRefresher;
import io.xdpgate.netlink.NetlinkException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The hitflags daemon: one thread scans xg_neigh_used at every interval and refreshes, VRF by VRF,
 * the neighbours used since the previous scan (see the package comment).
 */
public final class Hitflags implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Hitflags.class);
    /** The same problem is logged at most this often: a daemon must not flood its log once a second. */
    private static final long LOG_EVERY_NANOS = Duration.ofMinutes(1).toNanos();

    private final HitflagsOptions options;
    private final HitflagsMetrics metrics;
    private final UseTracker tracker = new UseTracker();
    private final VrfNamespaces namespaces;
    private final ScheduledExecutorService scanner;
    private final Map<String, Long> lastLogged = new HashMap<>();
    private MetricsServer metricsServer; // null: none
    private NeighbourUseMap useMap; // null: not open (yet)
    private Object useMapPin; // the file key of the pin useMap was opened from

    private Hitflags(HitflagsOptions options, HitflagsMetrics metrics) {
        this.options = options;
        this.metrics = metrics;
        this.namespaces = new VrfNamespaces(options.pinRoot());
        this.scanner = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "hitflags-scan"));
    }

    public static Hitflags start(HitflagsOptions options) {
        HitflagsMetrics metrics = new HitflagsMetrics();
        Hitflags h = new Hitflags(options, metrics);
        if (options.metrics() != null) {
            try {
                h.metricsServer = MetricsServer.start(options.metrics(), "hitflags-metrics-http", metrics::scrape);
                log.info("metrics at http://{}:{}/metrics", options.metrics().getHostString(), h.metricsServer.address().getPort());
            } catch (IOException e) {
                // Not fatal: keeping neighbours alive matters more than counting it.
                log.warn("cannot serve metrics on {}: {}; running without", options.metrics(), e.getMessage());
            }
        }
        long every = options.interval().toNanos();
        h.scanner.scheduleWithFixedDelay(h::scan, 0, every, TimeUnit.NANOSECONDS);
        log.info("scanning the neighbour uses under {} every {} ms", options.pinRoot(), options.interval().toMillis());
        return h;
    }

    /** One scan; never throws, so that the schedule goes on. */
    private void scan() {
        long start = System.nanoTime();
        try {
            if (!openUseMap()) return;
            namespaces.reload();
            List<NeighbourUse> connected = useMap.connectedUses();
            long[] slots = useMap.gatewayTimes();
            List<UseTracker.Neighbour> used = tracker.usedSince(connected, slots, useMap::gatewayUse);
            refresh(used);
            int gatewaySlots = 0;
            for (long t : slots) if (t != 0) gatewaySlots++;
            metrics.scanned(Duration.ofNanos(System.nanoTime() - start), connected.size() + gatewaySlots, used.size());
        } catch (IOException | RuntimeException e) { // BpfException and NetlinkException are IOExceptions
            metrics.scanFailed();
            logLimited("scan", "scan of {} failed: {}", options.pinRoot(), e.toString());
            closeUseMap(); // opened again by the next scan, maybe a new map after a restart of the manager
        }
    }

    /** Refreshes the neighbours, grouped by VRF: one dump and a window of requests per namespace. */
    private void refresh(List<UseTracker.Neighbour> used) {
        Map<Integer, List<NeighbourRefresher.Target>> byVrf = new TreeMap<>();
        for (UseTracker.Neighbour n : used) {
            byVrf.computeIfAbsent(n.vrf(), v -> new ArrayList<>()).add(new NeighbourRefresher.Target(n.ifindex(), n.address()));
        }
        for (Map.Entry<Integer, List<NeighbourRefresher.Target>> e : byVrf.entrySet()) {
            int vrf = e.getKey();
            List<NeighbourRefresher.Target> targets = e.getValue();
            try {
                NeighbourRefresher r = namespaces.refresher(vrf);
                if (r == null) {
                    metrics.failed(HitflagsMetrics.UNKNOWN_VRF, targets.size());
                    logLimited("vrf " + vrf, "vrf {} is not in the fast path manager's VRF table: its {} neighbours are not refreshed",
                            vrf, targets.size());
                    continue;
                }
                NeighbourRefresher.Outcome o = r.refresh(targets);
                metrics.refreshed(o);
                if (o.failed() > 0) {
                    logLimited("failures " + vrf, "vrf {} (namespace '{}'): {} of {} refreshes failed: {}", vrf,
                            namespaces.namespaceOf(vrf), o.failed(), o.sent(), o.failures());
                }
            } catch (NetlinkException ex) {
                namespaces.discard(vrf);
                metrics.failed(HitflagsMetrics.NETLINK_ERROR, targets.size());
                logLimited("netlink " + vrf, "vrf {} (namespace '{}'): {}", vrf, namespaces.namespaceOf(vrf), ex.getMessage());
            }
        }
    }

    /** Opens the maps of neighbour uses if they are not open or xg_neigh_used was pinned anew; false while it is not there. */
    private boolean openUseMap() throws BpfException, IOException {
        Path pin = options.pinRoot().resolve(MapLayouts.NEIGH_USED.name());
        if (!Files.exists(pin)) {
            closeUseMap();
            logLimited("waiting", "waiting for the fast path's maps under {} (is the fast path manager running with this --pin-root?)",
                    options.pinRoot());
            return false;
        }
        Object key = Files.readAttributes(pin, "unix:ino").get("ino");
        if (useMap != null && key.equals(useMapPin)) return true;
        closeUseMap();
        useMap = NeighbourUseMap.open(options.pinRoot());
        useMapPin = key;
        log.info("reading {}", pin);
        return true;
    }

    private void closeUseMap() {
        if (useMap != null) useMap.close();
        useMap = null;
        useMapPin = null;
    }

    private void logLimited(String what, String format, Object... args) {
        long now = System.nanoTime();
        Long last = lastLogged.get(what);
        if (last != null && now - last < LOG_EVERY_NANOS) return;
        lastLogged.put(what, now);
        log.warn(format, args);
    }

    /** Stops scanning (a scan in progress finishes first) and closes the sockets and the map. */
    @Override
    public void close() {
        scanner.shutdown();
        try {
            if (!scanner.awaitTermination(10, TimeUnit.SECONDS)) scanner.shutdownNow();
        } catch (InterruptedException e) {
            scanner.shutdownNow();
            Thread.currentThread().interrupt();
        }
        if (metricsServer != null) metricsServer.close();
        namespaces.close();
        closeUseMap();
        log.info("stopped");
    }
}
