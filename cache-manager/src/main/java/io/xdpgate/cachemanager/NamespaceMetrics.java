package io.xdpgate.cachemanager;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.xdpgate.netlink.Rtnl;
import io.xdpgate.netlink.RtnlMonitorObserver;

import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One namespace's netlink figures, tagged {@code netns}: what its monitor observes, and the resyncs the
 * cache manager asks for. {@link #close} removes them from the registry, so that a namespace that is
 * gone leaves no series behind (namespaces come and go by the thousand).
 */
final class NamespaceMetrics implements RtnlMonitorObserver, AutoCloseable {

    static final String MESSAGES = "xdpgate.cm.netlink.messages";
    static final String OVERRUNS = "xdpgate.cm.netlink.overruns";
    static final String RESYNCS = "xdpgate.cm.resyncs";
    static final String DUMP_DURATION = "xdpgate.cm.dump.duration";
    /** rtnetlink message types are below 128; anything above is tagged "other". */
    private static final int TYPES = 128;
    private static final String[] TYPE_TAGS = new String[TYPES];

    static {
        for (int t = 0; t < TYPES; t++) TYPE_TAGS[t] = typeTag(Rtnl.messageTypeName(t));
    }

    private final MeterRegistry registry;
    private final String netns;
    private final AtomicReferenceArray<Counter> byType = new AtomicReferenceArray<>(TYPES + 1); // + other
    private final Map<String, Counter> resyncs = new ConcurrentHashMap<>();
    private final Queue<Meter> meters = new ConcurrentLinkedQueue<>();
    private final Counter overruns;
    private final Timer dumps;
    private volatile boolean closed;

    /** @param netns the namespace's name, "default" for the daemon's own */
    NamespaceMetrics(MeterRegistry registry, String netns) {
        this.registry = registry;
        this.netns = netns;
        this.overruns = keep(Counter.builder(OVERRUNS).description("netlink multicast overruns (ENOBUFS): changes lost, "
                + "the namespace is dumped again").tag("netns", netns).register(registry));
        this.dumps = keep(Timer.builder(DUMP_DURATION).description("full dumps of the namespace, from start to end, "
                + "translation included").tag("netns", netns).register(registry));
        // The known reasons start at 0, so that a rate or an alert sees the series before the first resync.
        for (String reason : KNOWN_RESYNC_REASONS) resyncCounter(reason);
    }

    /** The reasons the monitor and the cache manager give (see {@link #resyncStarted}). */
    static final String[] KNOWN_RESYNC_REASONS = {"overrun", "error", "link_down", "nexthop_change", "fpc_reconnect"};

    private Counter resyncCounter(String reason) {
        return resyncs.computeIfAbsent(reason, r -> keep(Counter.builder(RESYNCS)
                .description("full dumps of a namespace after its first one, by reason")
                .tag("netns", netns).tag("reason", r).register(registry)));
    }

    /** "RTM_NEWROUTE" is "newroute", "NLMSG_DONE" is "done"; a type without a name ("type 104") is "other". */
    static String typeTag(String name) {
        int underscore = name.indexOf('_');
        if (name.startsWith("type ") || underscore < 0) return "other";
        return name.substring(underscore + 1).toLowerCase(Locale.ROOT);
    }

    @Override
    public void messageReceived(int type) {
        int slot = type >= 0 && type < TYPES ? type : TYPES;
        Counter c = byType.get(slot);
        if (c == null) {
            if (closed) return; // a late message of a namespace already gone: no series comes back
            c = keep(Counter.builder(MESSAGES).description("netlink messages received, dumps and changes, by type")
                    .tag("netns", netns).tag("type", slot == TYPES ? "other" : TYPE_TAGS[slot]).register(registry));
            byType.set(slot, c);
        }
        c.increment();
    }

    @Override
    public void overrun() {
        overruns.increment();
    }

    /**
     * A full dump after the first one: "overrun" and "error" from the monitor, "link_down",
     * "nexthop_change" and "fpc_reconnect" from the cache manager.
     */
    @Override
    public void resyncStarted(String reason) {
        if (closed) return;
        resyncCounter(reason).increment();
    }

    @Override
    public void dumpCompleted(long nanos) {
        dumps.record(nanos, TimeUnit.NANOSECONDS);
    }

    private <M extends Meter> M keep(M meter) {
        meters.add(meter);
        return meter;
    }

    /** Removes this namespace's series. */
    @Override
    public void close() {
        closed = true;
        for (Meter m; (m = meters.poll()) != null; ) registry.remove(m);
    }
}
