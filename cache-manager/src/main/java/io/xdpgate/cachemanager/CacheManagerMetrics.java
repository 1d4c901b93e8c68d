package io.xdpgate.cachemanager;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.xdpgate.fpc.FpcClient;
import io.xdpgate.fpc.FpcMessage;
import io.xdpgate.fpc.FpcMessageType;
import io.xdpgate.fpc.FpcSendQueue;
import io.xdpgate.fpc.FpcSyncLatencyListener;

import java.time.Duration;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The cache manager's metrics, in a Prometheus registry (names follow its conventions: counters end in
 * _total, durations in _seconds). Per namespace: {@link NamespaceMetrics}; here: the FPC side.
 */
final class CacheManagerMetrics implements FpcSyncLatencyListener {

    static final String QUEUE_DEPTH = "xdpgate.cm.fpc.queue.depth";
    static final String SENT = "xdpgate.cm.fpc.messages.sent";
    static final String QUEUED = "xdpgate.cm.fpc.messages.queued";
    static final String SYNC_LATENCY = "xdpgate.cm.sync.latency";
    static final String SYNC_LATENCY_DROPPED = "xdpgate.cm.sync.latency.dropped";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<FpcMessageType, Counter> queued = new EnumMap<>(FpcMessageType.class);
    /** Registered from the start, so that the series is served before the first change is synchronized. */
    private final Timer syncLatency = Timer.builder(SYNC_LATENCY)
            .description("kernel changes (not the state a dump sends again) from entering the FPC send queue to the fast"
                    + " path manager's report covering them, sent after writing its maps")
            .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry);
    /** Held here: Micrometer holds a function counter's object only weakly. */
    private SentCount sent;

    CacheManagerMetrics() {
        for (FpcMessageType t : FpcMessageType.values()) {
            if (!t.numbered()) continue; // HELLO, REPORT, KEEPALIVE: the client's own, never queued
            if (t == FpcMessageType.ROUTE_ADD_LIST) continue; // formed by the client from queued route adds, never queued
            queued.put(t, Counter.builder(QUEUED).description("FPC messages handed to the send queue, before coalescing")
                    .tag("type", t.name().toLowerCase(Locale.ROOT)).register(registry));
        }
    }

    /** The figures of one namespace; {@code netns} null for the daemon's own ("default"). Close them with it. */
    NamespaceMetrics namespace(String netns) {
        return new NamespaceMetrics(registry, netns == null ? "default" : netns);
    }

    void watchQueue(FpcSendQueue queue) {
        Gauge.builder(QUEUE_DEPTH, queue, FpcSendQueue::size)
                .description("FPC messages and barriers waiting in the send queue").register(registry);
        FunctionCounter.builder(SYNC_LATENCY_DROPPED, queue, FpcSendQueue::syncLatencyDropped)
                .description("sent changes left out of " + SYNC_LATENCY.replace('.', '_')
                        + "_seconds: too many waited for a report at once").register(registry);
        queue.observeSyncLatency(this);
    }

    /** A change reached the fast path manager's maps this long after it entered the send queue. */
    @Override
    public void onSynchronized(long latencyNanos) {
        syncLatency.record(latencyNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Messages the client has numbered and handed to a connection (not those discarded while
     * disconnected), read from its acknowledgement counters.
     */
    void watchClient(FpcClient client) {
        sent = new SentCount(client);
        FunctionCounter.builder(SENT, sent, SentCount::get)
                .description("FPC messages sent to the fast path manager").register(registry);
    }

    /** A message handed to the send queue. */
    void queued(FpcMessage m) {
        Counter c = queued.get(m.messageType());
        if (c != null) c.increment();
    }

    /** The Prometheus text exposition format (version 0.0.4). */
    String scrape() {
        return registry.scrape();
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * The client's last sequence number, never going back. The client numbers every message it sends
     * from 1 up over its whole life (reconnections included); it tells the last acknowledged one and
     * how many were sent after it. Reading the acknowledged one first means an acknowledgement landing
     * between the two reads can only make the sum smaller, never larger than what was sent.
     */
    private static final class SentCount {
        private final FpcClient client;
        private long highest;

        SentCount(FpcClient client) {
            this.client = client;
        }

        synchronized double get() {
            long acknowledged = client.lastAcknowledged();
            highest = Math.max(highest, acknowledged + client.unacknowledged());
            return highest;
        }
    }
}
