package io.xdpgate.cachemanager;

import io.xdpgate.daemon.MetricsServer;
import io.xdpgate.fpc.FpcClient;
import io.xdpgate.fpc.FpcMessage;
import io.xdpgate.fpc.FpcReport;
import io.xdpgate.fpc.FpcSendQueue;
import io.xdpgate.fpc.FpcStatus;
import io.xdpgate.fpc.FpcSyncBegin;
import io.xdpgate.fpc.FpcSyncEnd;
import io.xdpgate.fpc.FpcVrf;
import io.xdpgate.netlink.NetlinkException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Cache Manager: follows every network namespace (each one a VRF) over rtnetlink and
 * mirrors it over one FPC connection.
 *
 * <p>Each connection starts a generation over all VRFs: SYNC_BEGIN(all), a full dump of every
 * namespace (each itself a VRF-scoped generation), SYNC_END(all), after which the receiver
 * removes the VRFs this sender no longer has. Between connections each namespace resynchronizes
 * on its own (netlink overrun, link down) without disturbing the others.
 */
public final class CacheManager implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CacheManager.class);
    static final Path NETNS_DIR = Path.of("/run/netns");

    private final CacheManagerOptions options;
    private final ExecutorService control = Executors.newSingleThreadExecutor(r -> new Thread(r, "cm-control"));
    private final ExecutorService closer = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "cm-close");
        t.setDaemon(true);
        return t;
    });
    /** Generations only need to differ from the previous one; the clock keeps a restarted daemon apart. */
    private final AtomicLong generations = new AtomicLong(System.currentTimeMillis());
    private final AtomicLong reportedErrors = new AtomicLong();
    private final Map<String, NamespaceFollower> followers = new ConcurrentHashMap<>();
    private final VrfRegistry registry = new VrfRegistry();
    /**
     * Distinct objects queued for the fast path manager at most. A dump is paced by the fast path
     * manager beyond this (its reader waits, which the kernel's dump flow control allows), so a
     * million-route dump does not sit in the heap; a burst of live changes beyond it waits too, and
     * if the multicast socket overruns meanwhile, the namespace resynchronizes: never a silent gap.
     * Small enough to live in the young generation: with a queue of the whole table, a cold start
     * of 1.25M routes spent 3 s of CPU in the garbage collector, with 8,192 entries 0.2 s
     * (measured with ./xdpgate bench sync, BENCHMARKS.md).
     */
    static final int QUEUE_CAPACITY = 8_192;

    private final FpcSendQueue queue = new FpcSendQueue(QUEUE_CAPACITY);
    private final CacheManagerMetrics metrics = new CacheManagerMetrics();
    private volatile FpcClient client;
    private volatile MetricsServer metricsServer;
    private NamespaceWatcher watcher;
    private boolean following; // on the control thread only
    /** While the first scan runs (on the control thread): where the first dumps are collected. */
    private volatile List<CompletableFuture<Void>> initialDumps;
    private volatile boolean closed;

    private CacheManager(CacheManagerOptions options) {
        this.options = options;
    }

    public static CacheManager start(CacheManagerOptions options) {
        CacheManager cm = new CacheManager(options);
        cm.client = FpcClient.start(new FpcClient.Options(options.socketPath(), options.identity(),
                FpcClient.Options.defaults(options.identity()).keepaliveTimeout()), cm.new Session());
        cm.queue.start(cm.client);
        cm.metrics.watchQueue(cm.queue);
        cm.metrics.watchClient(cm.client);
        cm.serveMetrics();
        log.info("following {}; FPC peer {}", options.netns().isEmpty()
                ? "the default namespace and every namespace in " + NETNS_DIR
                : "namespace '" + options.netns() + "' as vrf " + options.vrf(), options.socketPath());
        return cm;
    }

    /**
     * Serves the metrics if asked to. A port already taken is logged and the daemon runs on without
     * metrics: several cache managers may share a host, and forwarding matters more than figures.
     */
    private void serveMetrics() {
        if (options.metrics() == null) return;
        try {
            metricsServer = MetricsServer.start(options.metrics(), "cm-metrics-http", metrics::scrape);
            log.info("metrics at http://{}:{}/metrics", metricsServer.address().getHostString(), metricsServer.address().getPort());
        } catch (IOException | RuntimeException e) {
            log.warn("metrics: cannot listen on {} ({}); running without metrics (see --metrics)", options.metrics(), e.toString());
        }
    }

    private final class Session implements FpcClient.Session {
        @Override
        public void onConnected(FpcClient c) {
            control.execute(CacheManager.this::resyncAll); // not on the I/O thread: dumps wait for room
        }

        @Override
        public void onReport(FpcReport r) {
            if (r.status() != FpcStatus.OK) {
                reportedErrors.incrementAndGet();
                log.warn("fast path refused message {}: {} {}", r.sequence(), r.status(), r.text());
            }
        }

        @Override
        public void onDisconnected(Throwable cause) {
            log.warn("FPC connection lost ({}); reconnecting", cause == null ? "closed" : cause.getMessage());
        }
    }

    /** A generation over all VRFs: every namespace dumped again, then the VRF set is complete. */
    private void resyncAll() {
        if (closed) return;
        long generation = generations.incrementAndGet();
        send(new FpcSyncBegin(generation, FpcSyncBegin.ALL_VRFS));
        List<CompletableFuture<Void>> dumps;
        if (!following) {
            following = true;
            dumps = startFollowing(); // first connection: discover the namespaces, each dumps once
        } else {
            dumps = new ArrayList<>();
            for (NamespaceFollower f : followers.values()) dumps.add(resync(f));
        }
        try {
            CompletableFuture.allOf(dumps.toArray(new CompletableFuture[0])).get(10, TimeUnit.MINUTES);
        } catch (Exception e) {
            log.warn("not every namespace finished its dump ({}); the VRF set is closed anyway", e.toString());
        }
        send(new FpcSyncEnd(generation, FpcSyncBegin.ALL_VRFS));
        log.info("generation {} over {} vrfs sent", generation, followers.size());
    }

    private CompletableFuture<Void> resync(NamespaceFollower f) {
        try {
            return f.resync();
        } catch (NetlinkException e) {
            log.error("vrf {} ('{}'): cannot dump: {}", f.vrf(), f.name(), e.getMessage());
            return CompletableFuture.completedFuture(null);
        }
    }

    /** Starts every follower; returns their first dumps. */
    private List<CompletableFuture<Void>> startFollowing() {
        List<CompletableFuture<Void>> dumps = new ArrayList<>();
        if (!options.netns().isEmpty()) {
            NamespaceFollower f = follower(options.netns(), options.vrf());
            followers.put(options.netns(), f);
            dumps.add(resync(f));
            return dumps;
        }
        NamespaceFollower root = follower(null, VrfRegistry.DEFAULT_VRF);
        followers.put("", root);
        dumps.add(resync(root));
        watcher = new NamespaceWatcher(NETNS_DIR, this::namespaceAppeared, this::namespaceDisappeared);
        initialDumps = dumps;
        watcher.scanNow(); // the namespaces present now belong to this generation
        initialDumps = null;
        watcher.start();
        return dumps;
    }

    private NamespaceFollower follower(String netns, int vrf) {
        return new NamespaceFollower(netns, vrf, options.receiveBufferBytes(), options.ipv6(), options.recordingFor(netns),
                generations, this::sendAll, () -> queue.size() == 0, metrics.namespace(netns));
    }

    private void namespaceAppeared(VrfRegistry.Namespace ns) {
        int vrf = registry.idOf(ns);
        NamespaceFollower f = follower(ns.name(), vrf);
        followers.put(ns.name(), f);
        log.info("namespace '{}' appeared: vrf {}", ns.name(), vrf);
        CompletableFuture<Void> dump = resync(f);
        List<CompletableFuture<Void>> collecting = initialDumps;
        if (collecting != null) collecting.add(dump);
    }

    private void namespaceDisappeared(VrfRegistry.Namespace ns) {
        NamespaceFollower f = followers.remove(ns.name());
        if (f == null) return;
        f.silence(); // nothing of this VRF may follow its deletion
        send(new FpcVrf(false, f.vrf(), ns.name()));
        registry.release(ns);
        closer.execute(f::close); // closing waits for a listener call in progress: not on the watcher's thread
        log.info("namespace '{}' gone: vrf {} removed", ns.name(), f.vrf());
    }

    private void sendAll(java.util.List<FpcMessage> messages, boolean dump) {
        messages.forEach(metrics::queued);
        queue.offerAll(messages, dump);
    }

    private void send(FpcMessage m) {
        metrics.queued(m);
        if (m instanceof FpcSyncBegin || m instanceof FpcSyncEnd) queue.offerBarrier(m);
        else queue.offer(m);
    }

    public long reportedErrors() {
        return reportedErrors.get();
    }

    /** Where the metrics are served (the actual port when 0 was asked for), null when they are not. */
    public java.net.InetSocketAddress metricsAddress() {
        MetricsServer m = metricsServer;
        return m == null ? null : m.address();
    }

    public int vrfs() {
        return followers.size();
    }

    @Override
    public void close() {
        closed = true;
        control.shutdownNow();
        closer.shutdown();
        if (watcher != null) watcher.close();
        // Silenced and the queue closed first: a listener waiting for room in the queue returns at once,
        // so closing each follower (which waits for its listener call in progress) is quick.
        followers.values().forEach(NamespaceFollower::silence);
        queue.close();
        followers.values().forEach(NamespaceFollower::close);
        client.close();
        if (metricsServer != null) metricsServer.close();
    }
}
