package io.xdpgate.cachemanager;

import io.xdpgate.fpc.FpcMessage;
import io.xdpgate.fpc.FpcSyncBegin;
import io.xdpgate.fpc.FpcSyncEnd;
import io.xdpgate.fpc.FpcVrf;
import io.xdpgate.netlink.Link;
import io.xdpgate.netlink.NetlinkException;
import io.xdpgate.netlink.RtnlEvent;
import io.xdpgate.netlink.Rtnl;
import io.xdpgate.netlink.RtnlMonitor;
import io.xdpgate.netlink.Rule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Follows one network namespace (one VRF) over rtnetlink and turns what it sees into FPC
 * messages. Every full dump of the namespace, whatever caused it (start, netlink overrun,
 * link down, a new FPC connection), is one generation scoped to this VRF: SYNC_BEGIN, the
 * VRF, every object, SYNC_END, after which the receiver sweeps what the dump left out.
 */
final class NamespaceFollower implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NamespaceFollower.class);
    /** Resync reasons of the cache manager's own (the monitor adds "overrun" and "error"). */
    static final String LINK_DOWN = "link_down";
    static final String NEXTHOP_CHANGE = "nexthop_change";
    static final String FPC_RECONNECT = "fpc_reconnect";

    private final String netns; // null: the namespace the daemon runs in
    private final String vrfName;
    private final int vrf;
    private final int receiveBufferBytes;
    private final boolean ipv6;
    private final java.nio.file.Path recording; // null: not recorded
    private final AtomicLong generations;
    private final Sink sink;
    /**
     * What the listener derived from the events of the datagram being delivered, handed to the sink
     * at the datagram's end: one lock and one wake-up of the send queue per datagram rather than per
     * route. Touched by the listener's calls only.
     */
    private final List<FpcMessage> pending = new ArrayList<>();
    private final StreamTranslator translator;
    private final PolicyRoutingTracker policyRouting;
    private final NamespaceMetrics metrics;
    private final Object lock = new Object();
    /** One resync at a time (the control thread's and the watcher's may meet); never taken by the listener. */
    private final Object resyncing = new Object();
    private volatile RtnlMonitor monitor;
    private CompletableFuture<Void> nextSyncEnd = new CompletableFuture<>();
    private volatile boolean closed;

    /**
     * @param out          takes each batch of messages, in order (the list is reused after the call)
     * @param queueDrained true when every message handed to {@code out} so far has been taken for sending
     */
    NamespaceFollower(String netns, int vrf, int receiveBufferBytes, boolean ipv6, java.nio.file.Path recording,
                      AtomicLong generations, Sink out, BooleanSupplier queueDrained,
                      NamespaceMetrics metrics) {
        this.netns = netns;
        this.vrfName = netns == null ? "" : netns;
        this.vrf = vrf;
        this.receiveBufferBytes = receiveBufferBytes;
        this.ipv6 = ipv6;
        this.recording = recording;
        this.generations = generations;
        this.sink = out;
        // Messages still pending here have not reached the queue: it is not drained of them.
        this.translator = new StreamTranslator(vrf, () -> pending.isEmpty() && queueDrained.getAsBoolean());
        this.policyRouting = new PolicyRoutingTracker(vrf, ipv6);
        this.metrics = metrics;
    }

    /** Where a follower's messages go, a datagram's worth at a time. */
    interface Sink {
        /**
         * @param messages in order; the list is reused after the call
         * @param dump     true while the namespace is dumped: the messages are the dump's and nothing else of
         *                 the VRF's (no live change is read meanwhile; see {@link io.xdpgate.fpc.FpcSendQueue#offerAll(List, boolean)})
         */
        void accept(List<FpcMessage> messages, boolean dump);
    }

    /** Gathers a message for the sender unless this follower was silenced; {@link #flush} hands them on. */
    private void out(FpcMessage m) {
        if (!closed) pending.add(m);
    }

    private void flush(boolean dump) {
        if (pending.isEmpty()) return;
        try {
            if (!closed) sink.accept(pending, dump);
        } finally {
            pending.clear();
        }
    }

    int vrf() {
        return vrf;
    }

    String name() {
        return vrfName;
    }

    /**
     * Starts a new generation from a fresh dump (the first one if not started yet), with a monitor
     * of its own. The future completes when that generation's SYNC_END has been handed to the sender.
     */
    CompletableFuture<Void> resync() throws NetlinkException {
        synchronized (resyncing) {
            return replaceMonitor();
        }
    }

    private CompletableFuture<Void> replaceMonitor() throws NetlinkException {
        // The old monitor is closed outside the lock: close() waits for a listener call in progress,
        // and onSyncEnd takes the lock.
        RtnlMonitor old;
        synchronized (lock) {
            if (closed) return CompletableFuture.completedFuture(null);
            old = monitor;
            monitor = null;
        }
        if (old != null) {
            old.close(); // no call of the old monitor's listener after this: the new one starts clean
            metrics.resyncStarted(FPC_RECONNECT); // a new monitor's first dump: not counted by the monitor
        }
        synchronized (lock) {
            if (closed) return CompletableFuture.completedFuture(null);
            CompletableFuture<Void> done = new CompletableFuture<>();
            nextSyncEnd = done;
            // The two route tables the fast path takes routes from (KernelTranslator), the local one first. Until
            // a policy rule is added, the kernel keeps IPv4's local and main tables in one trie, so that the local
            // table's dump walks every main route to find its few (0.23 s for a million routes): at the start of
            // the routes, that walk overlaps the fast path manager's work on the links (its program load); at the
            // end of IPv4's, where a dump of every table has it, the fast path manager waited for it.
            RtnlMonitor.Options options = new RtnlMonitor.Options(netns, receiveBufferBytes, ipv6).withObserver(metrics)
                    .withRouteTables(Rtnl.RT_TABLE_LOCAL, Rtnl.RT_TABLE_MAIN);
            if (recording != null) options = options.withRecording(recording);
            monitor = RtnlMonitor.start(options, new Listener());
            return done;
        }
    }

    private final class Listener implements RtnlMonitor.Listener {
        private final Map<Integer, Boolean> linkUp = new HashMap<>();
        private boolean inDump;
        private long generation;
        // No flushing here: the send queue flushes whenever it runs empty, so a live change goes
        // out at once and a dump goes out in full batches.

        @Override
        public void onSyncBegin(long epoch) {
            inDump = true;
            translator.dumpBegins();
            policyRouting.dumpBegins();
            generation = generations.incrementAndGet();
            out(new FpcSyncBegin(generation, vrf));
            out(new FpcVrf(true, vrf, vrfName));
            flush(inDump);
        }

        @Override
        public void onDatagramEnd() {
            flush(inDump);
        }

        @Override
        public void onEvent(RtnlEvent event) {
            // Before the event's own message: in a dump the rules come first, and the answer they give
            // then reaches the fast path ahead of the VRF's links, whose ports it decides.
            FpcMessage rules = policyRouting.onEvent(event, inDump);
            if (rules != null) out(rules);
            if (event.object() instanceof Rule) return; // nothing else to send
            if (translator.translate(event, NamespaceFollower.this::out) && !inDump) {
                log.info("vrf {}: a nexthop object changed in a way the fast path can only learn from a dump "
                        + "(see NexthopReferences): resynchronizing", vrf);
                RtnlMonitor current = monitor;
                if (current != null) current.requestResync(NEXTHOP_CHANGE);
            }
            if (event.object() instanceof Link link && linkWentDown(event.deleted(), link) && !inDump) {
                // The kernel drops every IPv4 route and nexthop through a link that goes down
                // without announcing it (only IPv6 deletions are announced). A full dump of this
                // namespace is the one way to learn what is left; its generation sweeps the rest.
                log.info("vrf {}: link {} (ifindex {}) went down: resynchronizing", vrf, link.name(), link.ifindex());
                RtnlMonitor current = monitor;
                if (current != null) current.requestResync(LINK_DOWN); // a new epoch of the same monitor: onSyncBegin, dump, onSyncEnd
            }
        }

        /** Tracks IFF_UP and IFF_LOWER_UP per ifindex; true on a transition from up to down. */
        private boolean linkWentDown(boolean deleted, Link link) {
            Boolean wasUp = deleted ? linkUp.remove(link.ifindex()) : linkUp.put(link.ifindex(), link.isUp());
            return Boolean.TRUE.equals(wasUp) && (deleted || !link.isUp());
        }

        @Override
        public void onSyncEnd(long epoch) {
            FpcMessage rules = policyRouting.dumpEnds();
            if (rules != null) out(rules);
            out(new FpcSyncEnd(generation, vrf));
            flush(inDump);
            inDump = false;
            CompletableFuture<Void> done;
            synchronized (lock) {
                done = nextSyncEnd;
            }
            done.complete(null);
            log.debug("vrf {} ('{}'): generation {} sent", vrf, vrfName, generation);
        }
    }

    /**
     * Drops everything this follower would still send, at once; {@link #close} (which waits for
     * a listener call in progress) may then run in the background.
     */
    void silence() {
        closed = true;
    }

    /**
     * Stops following; the caller announces the VRF's removal if the namespace is gone. Returns once
     * no listener call runs any more (the monitor's close waits for one in progress).
     */
    @Override
    public void close() {
        RtnlMonitor m;
        CompletableFuture<Void> pending;
        synchronized (lock) {
            closed = true;
            m = monitor;
            monitor = null;
            pending = nextSyncEnd;
        }
        if (m != null) m.close(); // outside the lock, which onSyncEnd takes
        pending.complete(null);
        metrics.close(); // a namespace gone leaves no series; the monitor tells it nothing more
    }

    long overruns() {
        RtnlMonitor m = monitor;
        return m == null ? 0 : m.overruns();
    }

    long resyncs() {
        RtnlMonitor m = monitor;
        return m == null ? 0 : m.resyncs();
    }
}
