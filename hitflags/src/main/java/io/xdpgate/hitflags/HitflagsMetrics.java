package io.xdpgate.hitflags;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.xdpgate.netlink.NeighbourRefresher;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** hitflags' metrics, in Prometheus form: scans, refreshes sent, skipped and failed. */
final class HitflagsMetrics {

    /** Failure reasons that exist from the start, so that a rate or an alert sees them at 0. */
    static final String TIMEOUT = "timeout";
    static final String NETLINK_ERROR = "netlink_error";
    static final String UNKNOWN_VRF = "unknown_vrf";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer scans;
    private final Counter scanErrors;
    private final Counter sent;
    private final Counter skippedStatic;
    private final Counter skippedUnusable;
    private final Map<String, Counter> failures = new ConcurrentHashMap<>();
    private final AtomicLong tracked = new AtomicLong();
    private final AtomicLong used = new AtomicLong();

    HitflagsMetrics() {
        scans = Timer.builder("xdpgate.hitflags.scans").description("Scans of xg_neigh_used, with their duration")
                .publishPercentileHistogram().register(registry);
        scanErrors = Counter.builder("xdpgate.hitflags.scan.errors")
                .description("Scans that could not read xg_neigh_used (maps missing or unreadable)").register(registry);
        sent = Counter.builder("xdpgate.hitflags.refreshes.sent")
                .description("NTF_USE requests sent for neighbours the fast path used (acknowledged, or counted as failures)")
                .register(registry);
        skippedStatic = skipped("static");
        skippedUnusable = skipped("not_usable");
        Gauge.builder("xdpgate.hitflags.neighbours.tracked", tracked, AtomicLong::get)
                .description("Connected neighbours (xg_neigh_used) and gateway slots (xg_nh_used) with a recorded use at the last scan").register(registry);
        Gauge.builder("xdpgate.hitflags.neighbours.used", used, AtomicLong::get)
                .description("Neighbours the last scan found used since the scan before it").register(registry);
        for (String reason : new String[] {TIMEOUT, NETLINK_ERROR, UNKNOWN_VRF, "ENOENT", "ENODEV"}) failure(reason);
    }

    private Counter skipped(String reason) {
        return Counter.builder("xdpgate.hitflags.refreshes.skipped")
                .description("Neighbours used by the fast path that were not refreshed: static in the kernel, or not usable there")
                .tag("reason", reason).register(registry);
    }

    private Counter failure(String reason) {
        return failures.computeIfAbsent(reason, r -> Counter.builder("xdpgate.hitflags.refreshes.failed")
                .description("Refreshes that failed, by errno name, timeout, netlink_error (the namespace's socket) or unknown_vrf")
                .tag("reason", r).register(registry));
    }

    void scanned(Duration took, int entries, int usedSincePrevious) {
        scans.record(took);
        tracked.set(entries);
        used.set(usedSincePrevious);
    }

    void scanFailed() {
        scanErrors.increment();
    }

    void refreshed(NeighbourRefresher.Outcome o) {
        sent.increment(o.sent());
        skippedStatic.increment(o.skippedStatic());
        skippedUnusable.increment(o.skippedUnusable());
        o.failures().forEach((reason, n) -> failure(reason).increment(n));
    }

    void failed(String reason, int count) {
        failure(reason).increment(count);
    }

    String scrape() {
        return registry.scrape();
    }
}
