package io.xdpgate.cachemanager;

import io.xdpgate.fpc.FpcClient;
import io.xdpgate.fpc.FpcMessage;
import io.xdpgate.fpc.FpcReport;
import io.xdpgate.fpc.FpcStatus;
import io.xdpgate.fpc.FpcSyncBegin;
import io.xdpgate.fpc.FpcSyncEnd;
import io.xdpgate.fpc.FpcVrf;
import io.xdpgate.netlink.Link;
import io.xdpgate.netlink.NetlinkException;
import io.xdpgate.netlink.RtnlEvent;
import io.xdpgate.netlink.RtnlMonitor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Cache Manager of one namespace: follows the kernel over rtnetlink and mirrors it over FPC.
 *
 * <p>Every FPC (re)connection restarts the netlink monitor, whose first act is a full dump:
 * the dump becomes a new FPC generation (SYNC_BEGIN, VRF, every object, SYNC_END), after
 * which the receiver sweeps what the generation did not mention. A netlink overrun inside
 * the monitor is handled the same way, so there is one path to correctness: the full dump.
 */
public final class CacheManager implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CacheManager.class);

    private final CacheManagerOptions options;
    private final KernelTranslator translator;
    private final ExecutorService control = Executors.newSingleThreadExecutor(r -> new Thread(r, "cm-control"));
    /** Generations only need to differ from the previous one; the clock keeps a restarted daemon apart. */
    private final AtomicLong generations = new AtomicLong(System.currentTimeMillis());
    private final AtomicLong reportedErrors = new AtomicLong();
    private volatile FpcClient client;
    private volatile RtnlMonitor monitor;
    private volatile long generation;
    private volatile boolean closed;

    private CacheManager(CacheManagerOptions options) {
        this.options = options;
        this.translator = new KernelTranslator(options.vrf());
    }

    public static CacheManager start(CacheManagerOptions options) {
        CacheManager cm = new CacheManager(options);
        cm.client = FpcClient.start(new FpcClient.Options(options.socketPath(), options.identity(),
                FpcClient.Options.defaults(options.identity()).keepaliveTimeout()), cm.new Session());
        log.info("following namespace '{}' as vrf {}; FPC peer {}", options.netns(), options.vrf(), options.socketPath());
        return cm;
    }

    private final class Session implements FpcClient.Session {
        @Override
        public void onConnected(FpcClient c) {
            // Not on the I/O thread: the dump sends with backpressure.
            control.execute(CacheManager.this::restartMonitor);
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

    private void restartMonitor() {
        if (closed) return;
        RtnlMonitor old = monitor;
        if (old != null) old.close();
        try {
            monitor = RtnlMonitor.start(new RtnlMonitor.Options(options.netns().isEmpty() ? null : options.netns(),
                    options.receiveBufferBytes(), false), new Listener());
        } catch (NetlinkException e) {
            log.error("cannot follow namespace '{}': {}; retrying in 1 s", options.netns(), e.getMessage());
            control.execute(() -> {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
                restartMonitor();
            });
        }
    }

    private final class Listener implements RtnlMonitor.Listener {
        /** During a dump the client flushes in batches; live changes are flushed one by one. */
        private boolean inDump;
        private final Map<Integer, Boolean> linkUp = new HashMap<>();

        @Override
        public void onSyncBegin(long epoch) {
            inDump = true;
            generation = generations.incrementAndGet();
            send(new FpcSyncBegin(generation));
            send(new FpcVrf(true, options.vrf(), options.netns()));
        }

        @Override
        public void onEvent(RtnlEvent event) {
            FpcMessage m = translator.translate(event);
            if (m != null) {
                send(m);
                if (!inDump) client.flush();
            }
            if (event.object() instanceof Link link && linkWentDown(event.deleted(), link) && !inDump) {
                // The kernel drops every IPv4 route and nexthop through a link that goes down
                // without announcing it (only IPv6 deletions are announced). A full dump is the
                // one way to learn what is left; the new generation sweeps the rest.
                log.info("link {} (ifindex {}) went down: resynchronizing", link.name(), link.ifindex());
                control.execute(CacheManager.this::restartMonitor);
            }
        }

        /** Tracks IFF_UP and IFF_LOWER_UP per ifindex; true on a transition from up to down. */
        private boolean linkWentDown(boolean deleted, Link link) {
            Boolean wasUp = deleted ? linkUp.remove(link.ifindex()) : linkUp.put(link.ifindex(), link.isUp());
            return Boolean.TRUE.equals(wasUp) && (deleted || !link.isUp());
        }

        @Override
        public void onSyncEnd(long epoch) {
            send(new FpcSyncEnd(generation));
            client.flush();
            inDump = false;
            log.info("generation {} sent", generation);
        }
    }

    private void send(FpcMessage m) {
        client.send(m);
    }

    public long reportedErrors() {
        return reportedErrors.get();
    }

    @Override
    public void close() {
        closed = true;
        control.shutdownNow();
        RtnlMonitor m = monitor;
        if (m != null) m.close();
        client.close();
    }
}
