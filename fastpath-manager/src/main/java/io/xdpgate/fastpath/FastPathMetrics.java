package io.xdpgate.fastpath;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.xdpgate.ebpf.MapLayouts;
import io.xdpgate.ebpf.Stat;
import io.xdpgate.fpc.FpcMessage;
import io.xdpgate.fpc.FpcStatus;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The fast path manager's metrics, in Prometheus form: the fast path's own counters (read from the
 * per-CPU xg_stats map when scraped, so they never lag), the same per interface (xg_port_counts, see
 * {@link PortMetrics}), how full its tables are, and the FPC traffic and resynchronizations it applied.
 */
final class FastPathMetrics {

    /** A snapshot of the fast path's counters, taken once per scrape. */
    private volatile Map<Stat, io.xdpgate.ebpf.Counter> stats = new EnumMap<>(Stat.class);
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Supplier<Map<Stat, io.xdpgate.ebpf.Counter>> readStats;
    private final Supplier<List<PortMetrics.Reading>> readPorts;
    private final PortMetrics ports = new PortMetrics(registry);
    /** FPC messages applied, by message type (ordinal): found without building a name per message. */
    private final Counter[] messages = new Counter[io.xdpgate.fpc.FpcMessageType.values().length];
    private final Map<String, Counter> reports = new ConcurrentHashMap<>();
    private final Map<String, Timer> resyncs = new ConcurrentHashMap<>();

    /**
     * @param readStats reads xg_stats (summed over CPUs); null or an exception leaves the last values
     * @param occupancy what the manager holds, read at scrape time
     * @param readPorts reads the counters of every port with a stats slot; as readStats
     * @param portsCounted how many ports have a stats slot
     */
    FastPathMetrics(Supplier<Map<Stat, io.xdpgate.ebpf.Counter>> readStats, Supplier<ForwardingState.Occupancy> occupancy,
                    Supplier<List<PortMetrics.Reading>> readPorts, IntSupplier portsCounted) {
        this.readStats = readStats;
        this.readPorts = readPorts;
        for (Stat s : Stat.values()) {
            String kind = kind(s);
            FunctionCounter.builder("xdpgate.fp." + kind + ".packets", this, m -> m.packets(s))
                    .description("Packets the fast path " + describe(kind) + ", by reason").tag("reason", s.label())
                    .register(registry);
            FunctionCounter.builder("xdpgate.fp." + kind + ".bytes", this, m -> m.bytes(s))
                    .description("Bytes the fast path " + describe(kind) + ", by reason").tag("reason", s.label())
                    .baseUnit("bytes").register(registry);
        }
        table("routes", "ipv4", MapLayouts.FIB4_MAX, () -> occupancy.get().routes4());
        table("routes", "ipv6", MapLayouts.FIB6_MAX, () -> occupancy.get().routes6());
        table("nexthops", "all", MapLayouts.NH_MAX, () -> occupancy.get().nexthopSlots());
        table("nexthop_groups", "all", MapLayouts.NHG_MAX, () -> occupancy.get().groups());
        table("port_counters", "all", MapLayouts.PORT_STATS_SLOTS - 1, portsCounted::getAsInt);
        Gauge.builder("xdpgate.fp.vrfs", () -> occupancy.get().vrfs()).description("VRFs (namespaces) known").register(registry);
        Gauge.builder("xdpgate.fp.vrfs.fib.full", () -> occupancy.get().vrfsToLinux())
                .description("VRFs whose traffic Linux forwards, their ports written down: a route that did not fit its map"
                        + " (until a resync fits), a local route too large to list, or policy routing rules")
                .register(registry);
        Gauge.builder("xdpgate.fp.vrfs.policy.routing", () -> occupancy.get().vrfsPolicyRouting())
                .description("VRFs whose policy routing rules are not the kernel's defaults: Linux forwards all their traffic")
                .register(registry);
        // Every error status and generation scope starts at 0, so that a rate or an alert sees the series
        // before the first occurrence.
        for (FpcStatus status : FpcStatus.values()) {
            if (status != FpcStatus.OK) errorCounter(status);
        }
        // Likewise every message type, so that a manager just (re)started serves its series at 0. A route list
        // counts as the route adds it holds: the series say what was applied, however it was packed.
        for (io.xdpgate.fpc.FpcMessageType type : io.xdpgate.fpc.FpcMessageType.values()) {
            if (type == io.xdpgate.fpc.FpcMessageType.ROUTE_ADD_LIST) continue;
            messages[type.ordinal()] = Counter.builder("xdpgate.fp.fpc.messages")
                    .description("FPC messages applied, by type (the routes of a ROUTE_ADD_LIST as route_add)")
                    .tag("type", type.name().toLowerCase(java.util.Locale.ROOT)).register(registry);
        }
        generationTimer(true);
        generationTimer(false);
    }

    private Timer generationTimer(boolean allVrfs) {
        return resyncs.computeIfAbsent(allVrfs ? "all_vrfs" : "vrf",
                s -> Timer.builder("xdpgate.fp.generations").description("Generations applied, from SYNC_BEGIN to the sweep")
                        .tag("scope", s).publishPercentileHistogram().register(registry));
    }

    private Counter errorCounter(FpcStatus status) {
        return reports.computeIfAbsent(status.name().toLowerCase(java.util.Locale.ROOT),
                t -> Counter.builder("xdpgate.fp.fpc.errors").description("FPC messages answered with an error, by status")
                        .tag("status", t).register(registry));
    }

    private void table(String name, String family, int capacity, Supplier<Number> entries) {
        Gauge.builder("xdpgate.fp.table.entries", entries).description("Entries the fast path manager holds in a table")
                .tag("table", name).tag("family", family).register(registry);
        Gauge.builder("xdpgate.fp.table.capacity", () -> capacity).description("Capacity of a fast path table")
                .tag("table", name).tag("family", family).register(registry);
    }

    static String kind(Stat s) {
        if (s.name().startsWith("FORWARDED")) return "forwarded";
        if (s.name().startsWith("DROP")) return "dropped";
        return "exceptions";
    }

    static String describe(String kind) {
        return switch (kind) {
            case "forwarded" -> "forwarded (forwarded_ecmp: the part through ECMP groups)";
            case "dropped" -> "dropped";
            default -> "handed to Linux";
        };
    }

    private long packets(Stat s) {
        io.xdpgate.ebpf.Counter c = stats.get(s);
        return c == null ? 0 : c.packets();
    }

    private long bytes(Stat s) {
        io.xdpgate.ebpf.Counter c = stats.get(s);
        return c == null ? 0 : c.bytes();
    }

    /** One FPC message applied with {@code status}. */
    void applied(FpcMessage m, FpcStatus status) {
        if (m instanceof io.xdpgate.fpc.FpcRouteList l) {
            messages[io.xdpgate.fpc.FpcMessageType.ROUTE_ADD.ordinal()].increment(l.routes().size());
        } else {
            messages[m.messageType().ordinal()].increment();
        }
        if (status != FpcStatus.OK) errorCounter(status).increment();
    }

    /** A generation (resynchronization) completed, over all VRFs of a sender or one VRF. */
    void generationCompleted(boolean allVrfs, Duration took) {
        generationTimer(allVrfs).record(took);
    }

    private volatile Supplier<Map<io.xdpgate.ebpf.TcStat, io.xdpgate.ebpf.Counter>> readSpecial;
    private volatile Map<io.xdpgate.ebpf.TcStat, io.xdpgate.ebpf.Counter> special = new EnumMap<>(io.xdpgate.ebpf.TcStat.class);

    /**
     * Serves the counters of special exceptions, packet capture and VXLAN (xg_tc_stats) as
     * xdpgate_fp_special_packets and _bytes by reason, read at scrape time like the others.
     */
    void specialStats(Supplier<Map<io.xdpgate.ebpf.TcStat, io.xdpgate.ebpf.Counter>> read) {
        readSpecial = read;
        for (io.xdpgate.ebpf.TcStat s : io.xdpgate.ebpf.TcStat.values()) {
            FunctionCounter.builder("xdpgate.fp.special.packets", this, m -> m.special(s).packets())
                    .description("Special exceptions, packet capture and VXLAN: packets by what happened")
                    .tag("reason", s.label()).register(registry);
            FunctionCounter.builder("xdpgate.fp.special.bytes", this, m -> m.special(s).bytes())
                    .description("Special exceptions, packet capture and VXLAN: bytes by what happened")
                    .tag("reason", s.label()).baseUnit("bytes").register(registry);
        }
    }

    private io.xdpgate.ebpf.Counter special(io.xdpgate.ebpf.TcStat s) {
        io.xdpgate.ebpf.Counter c = special.get(s);
        return c == null ? io.xdpgate.ebpf.Counter.ZERO : c;
    }

    /** The Prometheus text of every metric, with the fast path's counters read now. */
    String scrape() {
        try {
            Map<Stat, io.xdpgate.ebpf.Counter> now = readStats.get();
            if (now != null) stats = now;
            List<PortMetrics.Reading> perPort = readPorts.get();
            if (perPort != null) ports.update(perPort);
            Supplier<Map<io.xdpgate.ebpf.TcStat, io.xdpgate.ebpf.Counter>> r = readSpecial;
            Map<io.xdpgate.ebpf.TcStat, io.xdpgate.ebpf.Counter> s = r == null ? null : r.get();
            if (s != null) special = s;
        } catch (RuntimeException e) {
            // The maps are closing or unreadable: the counters keep their last values.
        }
        return registry.scrape();
    }
}
