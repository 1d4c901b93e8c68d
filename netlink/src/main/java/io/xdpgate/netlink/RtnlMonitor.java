package io.xdpgate.netlink;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mirrors one network namespace's policy routing rules, namespace ids, links, addresses, neighbours, nexthop
 * objects and routes (all tables) to a {@link Listener}, the way the kernel allows it to be done without losing anything: subscribe to the
 * multicast groups first, then dump everything on a second socket, then stream the changes that queued
 * up meanwhile and after. Multicast is lossy: an overrun (ENOBUFS) starts a new epoch with a full dump,
 * after which the listener deletes whatever the new epoch did not re-announce.
 * <p><b>Threads.</b> A cache manager runs one monitor per namespace, thousands of them, so monitors own no
 * thread: both sockets are opened inside the namespace (by a short-lived thread that enters it), after
 * which any thread may use them. One poller thread shared by all monitors waits until a multicast socket
 * is readable and hands that monitor's work to a few shared workers ({@link MonitorThreads}). A turn of
 * work reads what is queued without blocking, runs a pending dump first if one is due, and re-arms the
 * socket. Each monitor runs its turns one at a time and in order ({@link SerialExecutor}), so its listener
 * and observer are called as from a single thread; different namespaces proceed in parallel. A dump of a
 * large namespace holds one worker while the others serve the rest.
 * <p>The monitor never gives up on its own: on unexpected errors it logs, backs off, reopens and resyncs.
 * Per monitor: two sockets (whose receive buffers are limits, not memory held) and a few objects.
 */
public final class RtnlMonitor implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(RtnlMonitor.class);
    private static final int REQUEST_SOCKET_BUFFER = 1 << 20; // dumps are flow-controlled: size only sets speed
    private static final long MIN_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 5_000;
    private static final long LOG_INTERVAL_NANOS = 1_000_000_000L;
    /** Multicast datagrams read in one turn; the rest waits for the next turn, after the other monitors' turns. */
    private static final int DATAGRAMS_PER_TURN = 64;

    /**
     * Receives the namespace's state. Calls come from the shared worker threads, one at a time and in order,
     * each seeing what the previous ones did (as if from a single thread). A call that blocks keeps one of
     * the few workers from the other namespaces: waiting for room in a bounded consumer is fine, waiting
     * for another monitor's listener is not.
     */
    public interface Listener {
        /** A full dump starts (epoch 1 at start, then one more per resync). */
        void onSyncBegin(long epoch);

        /** Dump content and live changes, in kernel order. */
        void onEvent(RtnlEvent event);

        /**
         * The events of one datagram were all delivered (dump content or live changes): a listener
         * that gathers what it derives from events hands it on here, one batch per datagram.
         */
        default void onDatagramEnd() {
        }

        /** The dump is complete: everything not re-announced since onSyncBegin(epoch) is gone. */
        void onSyncEnd(long epoch);
    }

    /**
     * @param netns              namespace name under /run/netns, null for the current one
     * @param receiveBufferBytes multicast socket buffer; bursts beyond it overrun and cost a resync
     * @param ipv6               also follow IPv6 addresses, routes, neighbours and rules (nexthop objects and
     *                           namespace ids are followed either way: IPv4 routes may use IPv6 nexthops)
     * @param recording          file to record every received datagram to (see {@link RtnlRecorder}), null for none
     * @param observer           told of messages, overruns, resyncs and dump durations (metrics); null for none
     * @param routeTables        the route tables a dump asks for, one after the other in this order (1 to 255);
     *                           empty for every table at once. Where the kernel cannot filter dumps by table,
     *                           every table is dumped anyway. Changes are delivered whatever their table.
     */
    public record Options(String netns, int receiveBufferBytes, boolean ipv6, Path recording,
                          RtnlMonitorObserver observer, List<Integer> routeTables) {
        public static final int DEFAULT_RECEIVE_BUFFER = 32 << 20;

        public Options {
            if (receiveBufferBytes <= 0) {
                throw new IllegalArgumentException("receiveBufferBytes must be positive: " + receiveBufferBytes);
            }
            if (observer == null) {
                observer = RtnlMonitorObserver.NONE;
            }
            routeTables = routeTables == null ? List.of() : List.copyOf(routeTables);
            for (int table : routeTables) {
                if (table < 1 || table > 255) {
                    throw new IllegalArgumentException("route table " + table + ": a dump names tables 1 to 255");
                }
            }
        }

        /** No recording, no observer, every route table. */
        public Options(String netns, int receiveBufferBytes, boolean ipv6) {
            this(netns, receiveBufferBytes, ipv6, null, null, null);
        }

        /** No observer, every route table. */
        public Options(String netns, int receiveBufferBytes, boolean ipv6, Path recording) {
            this(netns, receiveBufferBytes, ipv6, recording, null, null);
        }

        /** 32 MiB receive buffer, IPv4 and IPv6, no recording. */
        public static Options defaults(String netns) {
            return new Options(netns, DEFAULT_RECEIVE_BUFFER, true);
        }

        /** The same options, recording to {@code file} (created or truncated at start); null for none. */
        public Options withRecording(Path file) {
            return new Options(netns, receiveBufferBytes, ipv6, file, observer, routeTables);
        }

        /** The same options, told to {@code o}; null for none. */
        public Options withObserver(RtnlMonitorObserver o) {
            return new Options(netns, receiveBufferBytes, ipv6, recording, o, routeTables);
        }

        /** The same options, dumping only these route tables, in this order (see {@link Options}). */
        public Options withRouteTables(Integer... tables) {
            return new Options(netns, receiveBufferBytes, ipv6, recording, observer, List.of(tables));
        }
    }

    private final Options options;
    private final Listener listener;
    /** "rtnl-NETNS" ("rtnl-current" for the current namespace): names the monitor in logs and errors. */
    private final String name;
    private final SocketPoller poller;
    /** Runs this monitor's turns one at a time on the shared workers: the listener's single-thread view. */
    private final SerialExecutor turns;
    /** A turn is queued and has not started yet: further triggers need no other turn. */
    private final AtomicBoolean turnQueued = new AtomicBoolean();
    private volatile boolean stopped;
    private final NetlinkMessageCounter byType;
    private final AtomicLong overruns = new AtomicLong();
    private final AtomicLong resyncs = new AtomicLong();
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong dumpIntrRetries = new AtomicLong();
    private final AtomicLong listenerErrors = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong dumps = new AtomicLong();
    private final AtomicLong totalDumpNanos = new AtomicLong();
    private final AtomicLong recordingErrors = new AtomicLong();
    /** The reason of a requested resync not started yet, null if none. */
    private final AtomicReference<String> resyncRequested = new AtomicReference<>();
    private volatile long lastDumpNanos;
    private volatile RtnlRecorder recorder;

    // The rest is the turns' own state: set up by start() before the first turn, then used by the turns
    // only (the serial executor orders them), and released by close() once no turn runs any more.

    /** Joined to the groups; null after an error until the sockets are reopened. */
    private NetlinkSocket multicast;
    /** The multicast socket's token in the poller. */
    private long multicastToken;
    /**
     * Dumps. It also anchors the monitor to its namespace: sockets opened again later (after an overrun or
     * an error) are opened where this one lives, so it is replaced only by a socket opened next to it.
     */
    private NetlinkSocket request;
    /** The next turn dumps first: the first epoch, or a resync after an overrun or an error. */
    private boolean needSync = true;
    private long backoffMillis = MIN_BACKOFF_MILLIS;
    /** After an error, the sockets are reopened no earlier than this (System.nanoTime()). */
    private long reopenNotBeforeNanos;
    private long epoch;
    private long lastListenerLog;
    /** Why the next epoch dumps again (observer's reason), null until something asks for it. */
    private String nextResyncReason;
    /** How the recording marks the next epoch: OVERRUN after an overrun, SYNC_BEGIN otherwise. */
    private RtnlRecorder.Source nextSyncCause = RtnlRecorder.Source.SYNC_BEGIN;

    private RtnlMonitor(Options options, Listener listener, SocketPoller poller) {
        this.options = options;
        this.listener = listener;
        this.poller = poller;
        this.byType = new NetlinkMessageCounter(options.observer() == RtnlMonitorObserver.NONE ? null : this::messageReceived);
        this.name = "rtnl-" + (NetworkNamespace.isCurrent(options.netns()) ? "current" : options.netns());
        this.turns = new SerialExecutor(MonitorThreads.workers(), name);
    }

    /**
     * Opens both sockets inside the namespace, joins the groups and returns; the initial dump (epoch 1)
     * then follows asynchronously on the shared workers. For the current namespace ({@code netns} null)
     * the sockets are opened by the calling thread, in its namespace.
     *
     * @throws NetlinkException when the namespace cannot be entered or the sockets cannot be set up
     */
    public static RtnlMonitor start(Options options, Listener listener) throws NetlinkException {
        Objects.requireNonNull(options);
        Objects.requireNonNull(listener);
        RtnlMonitor monitor = new RtnlMonitor(options, listener, MonitorThreads.poller());
        try {
            if (options.recording() != null) {
                try {
                    monitor.recorder = new RtnlRecorder(options.recording());
                } catch (IOException e) {
                    throw new NetlinkException("recording to " + options.recording() + ": " + e, 0, e);
                }
            }
            monitor.install(NetworkNamespace.isCurrent(options.netns()) ? monitor.openSockets()
                    : inNamespace(() -> NetworkNamespace.call(options.netns(), monitor::openSockets)));
        } catch (NetlinkException e) {
            monitor.close();
            throw new NetlinkException("rtnl monitor " + monitor.name + ": " + e.getMessage(), e.errno(), e);
        } catch (RuntimeException e) {
            monitor.close();
            throw new NetlinkException("rtnl monitor " + monitor.name + " failed to start: " + e, 0, e);
        }
        monitor.scheduleTurn();
        return monitor;
    }

    private boolean stopping() {
        return stopped;
    }

    /** Queues a turn unless one is queued already; any thread. */
    private void scheduleTurn() {
        if (turnQueued.compareAndSet(false, true)) {
            turns.execute(this::turn);
        }
    }

    /**
     * One turn: reopen the sockets if an error closed them, dump if an epoch is due, then read what the
     * multicast socket holds without blocking (DATAGRAMS_PER_TURN at most, then another turn is queued
     * behind the other monitors' turns) and re-arm it once it is empty. The socket stays disarmed while a
     * turn is queued or running, so the poller does not queue turns for a monitor that is busy anyway.
     */
    private void turn() {
        turnQueued.set(false); // from here on a trigger queues another turn: none is lost
        try {
            if (stopping()) {
                return;
            }
            if (multicast == null) {
                if (System.nanoTime() - reopenNotBeforeNanos < 0) {
                    return; // backing off after an error: the timer queues the turn that reopens
                }
                reopenSockets();
            }
            for (int i = 0; i < DATAGRAMS_PER_TURN && !stopping(); i++) {
                syncIfDue(); // before reading on: requests made by the listener are served in order
                ByteBuffer datagram = multicast.receiveNow();
                if (datagram == null) {
                    flushRecording(); // idle: a good moment to put the recording on disk
                    poller.rearm(multicast, multicastToken);
                    return;
                }
                record(RtnlRecorder.Source.MULTICAST, datagram);
                ParseResult r = RtnlCodec.parse(datagram, this::deliver, byType);
                datagramDelivered();
                messages.addAndGet(r.messages());
            }
            scheduleTurn(); // more may be queued: read on after the other monitors' turns
        } catch (NetlinkOverrunException e) {
            overrun(e);
        } catch (NetlinkException | RuntimeException e) {
            failed(e);
        } finally {
            if (stopping()) {
                release(); // closed meanwhile, maybe by our own listener: nothing of ours runs after this
            }
        }
    }

    private void syncIfDue() throws NetlinkException {
        String requested = resyncRequested.getAndSet(null);
        if (requested != null) {
            needSync = true; // requests made during this sync's dump cause one more: never lost
            resyncReason(requested);
        }
        if (needSync) {
            sync();
            needSync = false;
            backoffMillis = MIN_BACKOFF_MILLIS;
        }
    }

    private void overrun(NetlinkOverrunException e) {
        overruns.incrementAndGet();
        observe(RtnlMonitorObserver::overrun);
        resyncReason("overrun");
        nextSyncCause = RtnlRecorder.Source.OVERRUN;
        log.warn("{}: netlink overrun, messages were lost; resynchronizing ({})", name, e.getMessage());
        needSync = true;
        try {
            discardQueuedMessages();
        } catch (NetlinkException reopen) {
            if (stopping()) {
                return;
            }
            errors.incrementAndGet();
            log.warn("{}: reopening the multicast socket: {}", name, reopen.getMessage());
            dropMulticast(); // the next turn reopens both sockets and resyncs
        }
        scheduleTurn(); // the resync
    }

    /** Unexpected: reopen both sockets and resync, after a pause that doubles while the errors go on. */
    private void failed(Exception e) {
        if (stopping()) {
            return;
        }
        errors.incrementAndGet();
        log.warn("{}: {}; reopening and resynchronizing in {} ms", name, e.toString(), backoffMillis, e);
        dropMulticast();
        needSync = true;
        resyncReason("error");
        reopenNotBeforeNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMillis);
        CompletableFuture.delayedExecutor(backoffMillis, TimeUnit.MILLISECONDS).execute(this::scheduleTurn);
        backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS);
    }

    /** Both sockets, opened by a thread in the namespace. */
    private record Sockets(NetlinkSocket multicast, NetlinkSocket request) {}

    private Sockets openSockets() throws NetlinkException {
        NetlinkSocket m = openMulticast();
        try {
            NetlinkSocket r = NetlinkSocket.open(REQUEST_SOCKET_BUFFER);
            try {
                if (!options.routeTables().isEmpty()) r.filterDumps();
                return new Sockets(m, r);
            } catch (NetlinkException e) {
                r.close();
                throw e;
            }
        } catch (NetlinkException e) {
            m.close();
            throw e;
        }
    }

    /** A multicast socket already joined to our groups: subscribed before any dump, so no change falls between. */
    private NetlinkSocket openMulticast() throws NetlinkException {
        NetlinkSocket m = NetlinkSocket.open(options.receiveBufferBytes());
        try {
            m.joinGroups(groups());
            return m;
        } catch (NetlinkException e) {
            m.close();
            throw e;
        }
    }

    /** Takes over freshly opened sockets and has the multicast one watched. */
    private void install(Sockets s) throws NetlinkException {
        try {
            multicastToken = poller.watch(s.multicast(), this::scheduleTurn);
        } catch (NetlinkException e) {
            s.multicast().close();
            s.request().close();
            throw e;
        }
        multicast = s.multicast();
        request = s.request();
    }

    /** After an error: a new pair, opened where the old request socket lives, which it then replaces. */
    private void reopenSockets() throws NetlinkException {
        NetlinkSocket old = request;
        install(inNamespace(() -> NetworkNamespace.callWhere(old, this::openSockets)));
        old.close();
    }

    /** Runs a task given to NetworkNamespace, whose failures are whatever the task throws. */
    private static <T> T inNamespace(Callable<T> task) throws NetlinkException {
        try {
            return task.call();
        } catch (NetlinkException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new NetlinkException("opening sockets in the namespace: " + e, 0, e);
        }
    }

    private int[] groups() {
        List<Integer> groups = new ArrayList<>(List.of(Rtnl.RTNLGRP_NSID, Rtnl.RTNLGRP_LINK,
                Rtnl.RTNLGRP_IPV4_IFADDR, Rtnl.RTNLGRP_IPV4_ROUTE, Rtnl.RTNLGRP_NEIGH, Rtnl.RTNLGRP_NEXTHOP,
                Rtnl.RTNLGRP_IPV4_RULE));
        if (options.ipv6()) {
            groups.add(Rtnl.RTNLGRP_IPV6_IFADDR);
            groups.add(Rtnl.RTNLGRP_IPV6_ROUTE);
            groups.add(Rtnl.RTNLGRP_IPV6_RULE);
        }
        return groups.stream().mapToInt(Integer::intValue).toArray();
    }

    private void dropMulticast() {
        NetlinkSocket m = multicast;
        multicast = null;
        if (m != null) {
            poller.unwatch(m, multicastToken);
            m.close();
        }
    }

    /** Closes everything; called once no turn runs any more (or by the last turn itself). Idempotent. */
    private void release() {
        dropMulticast();
        NetlinkSocket r = request;
        request = null;
        if (r != null) {
            r.close();
        }
        RtnlRecorder rec = recorder;
        recorder = null;
        closeRecorder(rec);
    }

    /**
     * One epoch: begin, dump everything in dependency order (policy routing rules, namespace ids, links,
     * addresses, neighbours, nexthop objects, routes), end. If any part was interrupted (NLM_F_DUMP_INTR) the whole dump is redone
     * inside the same epoch: the listener only sweeps at the end, and re-announcing an object replaces it.
     */
    private void sync() throws NetlinkException {
        long started = System.nanoTime();
        long current = ++epoch;
        if (current > 1) {
            resyncs.incrementAndGet();
            String reason = nextResyncReason == null ? "requested" : nextResyncReason;
            observe(o -> o.resyncStarted(reason));
        }
        nextResyncReason = null;
        mark(nextSyncCause);
        nextSyncCause = RtnlRecorder.Source.SYNC_BEGIN;
        callListener(() -> listener.onSyncBegin(current), "onSyncBegin");
        RtnlDumper dumper = new RtnlDumper(request, byType, this::stopping,
                recorder == null ? null : d -> record(RtnlRecorder.Source.DUMP, d));
        try {
            while (true) {
                boolean interrupted = dumpAll(dumper);
                if (!interrupted) {
                    break;
                }
                dumpIntrRetries.incrementAndGet();
                log.info("{}: dump interrupted by concurrent changes (NLM_F_DUMP_INTR); dumping again",
                        name);
            }
        } finally {
            messages.addAndGet(dumper.messages);
        }
        mark(RtnlRecorder.Source.SYNC_END);
        long took = System.nanoTime() - started;
        lastDumpNanos = took;
        totalDumpNanos.addAndGet(took);
        dumps.incrementAndGet(); // before onSyncEnd, so that the listener sees this epoch's figures
        observe(o -> o.dumpCompleted(took));
        callListener(() -> listener.onSyncEnd(current), "onSyncEnd");
        flushRecording();
    }

    private boolean dumpAll(RtnlDumper dumper) throws NetlinkException {
        int[] families = options.ipv6() ? new int[] {Rtnl.AF_INET, Rtnl.AF_INET6} : new int[] {Rtnl.AF_INET};
        // Policy routing rules first: they depend on nothing, and whether the namespace forwards by its
        // main table alone is then known before its links and routes arrive.
        boolean interrupted = false;
        for (int family : families) {
            interrupted |= dumper.dump(Rtnl.RTM_GETRULE, family, this::deliver, this::datagramDelivered);
        }
        // Namespace ids next: links name the namespace of their peer by it (IFLA_LINK_NETNSID).
        interrupted |= dumper.dump(Rtnl.RTM_GETNSID, Rtnl.AF_UNSPEC, this::deliver, this::datagramDelivered);
        interrupted |= dumper.dump(Rtnl.RTM_GETLINK, Rtnl.AF_UNSPEC, this::deliver, this::datagramDelivered);
        // The FDB, after the links: a VXLAN device's default remote (the decoder keeps no other entry).
        interrupted |= dumper.dump(Rtnl.RTM_GETNEIGH, Rtnl.AF_BRIDGE, this::deliver, this::datagramDelivered);
        for (int type : new int[] {Rtnl.RTM_GETADDR, Rtnl.RTM_GETNEIGH}) {
            for (int family : families) {
                interrupted |= dumper.dump(type, family, this::deliver, this::datagramDelivered);
            }
        }
        // Nexthop objects of both families and groups in one AF_UNSPEC dump, after the links and neighbours
        // they use and before the routes that reference them (RTA_NH_ID).
        interrupted |= dumper.dump(Rtnl.RTM_GETNEXTHOP, Rtnl.AF_UNSPEC, this::deliver, this::datagramDelivered);
        // Dependency order: neighbours before routes, so that a consumer rebuilding its state
        // resolves each gateway as its routes arrive instead of briefly leaving them unresolved.
        if (options.routeTables().isEmpty()) {
            for (int family : families) {
                interrupted |= dumper.dump(Rtnl.RTM_GETROUTE, family, this::deliver, this::datagramDelivered);
            }
            return interrupted;
        }
        for (int table : options.routeTables()) {
            for (int family : families) {
                interrupted |= dumper.dumpRoutes(family, table, this::deliver, this::datagramDelivered);
            }
            if (!request.filtersDumps()) break; // the first dump returned every table
        }
        return interrupted;
    }

    /**
     * Asks for a new epoch (onSyncBegin, full dump, onSyncEnd), as after an overrun, which starts at once
     * unless this monitor is busy (then after the dump or listener call in progress) or backing off after an
     * error. Thread-safe, the listener included; requests made before that epoch starts coalesce into it,
     * a request made during a dump causes one more epoch after it.
     */
    public void requestResync() {
        requestResync("requested");
    }

    /**
     * {@link #requestResync()}, saying why: the observer is told {@code reason} when the epoch starts (the
     * first cause wins when several coalesce into one epoch).
     */
    public void requestResync(String reason) {
        // A request already pending stays: it makes the same epoch happen, and its reason came first.
        resyncRequested.compareAndSet(null, Objects.requireNonNull(reason, "reason"));
        scheduleTurn();
    }

    /** The first cause of the coming resync wins: it is the one that made it necessary. */
    private void resyncReason(String reason) {
        if (nextResyncReason == null) {
            nextResyncReason = reason;
        }
    }

    /** Tells the observer; an observer that throws is ignored (metrics must never stop the monitor). */
    private void observe(Consumer<RtnlMonitorObserver> call) {
        try {
            call.accept(options.observer());
        } catch (RuntimeException e) {
            log.debug("{}: observer failed", name, e);
        }
    }

    /** Per message, so without {@link #observe}'s lambda. */
    private void messageReceived(int type) {
        try {
            options.observer().messageReceived(type);
        } catch (RuntimeException e) {
            log.debug("{}: observer failed", name, e);
        }
    }

    private void record(RtnlRecorder.Source source, ByteBuffer datagram) {
        RtnlRecorder r = recorder;
        if (r != null) {
            try {
                r.write(source, datagram);
            } catch (IOException | RuntimeException e) {
                stopRecording(e);
            }
        }
    }

    private void mark(RtnlRecorder.Source marker) {
        RtnlRecorder r = recorder;
        if (r != null) {
            try {
                r.mark(marker);
            } catch (IOException | RuntimeException e) {
                stopRecording(e);
            }
        }
    }

    private void flushRecording() {
        RtnlRecorder r = recorder;
        if (r != null) {
            try {
                r.flush();
            } catch (IOException e) {
                stopRecording(e);
            }
        }
    }

    /** A recording that cannot be written is abandoned (counted and logged once); monitoring goes on. */
    private void stopRecording(Exception e) {
        RtnlRecorder r = recorder;
        recorder = null;
        recordingErrors.incrementAndGet();
        log.warn("{}: recording to {} failed, recording stopped: {}", name,
                r == null ? "?" : r.file(), e.toString());
        closeRecorder(r);
    }

    private void closeRecorder(RtnlRecorder r) {
        if (r != null) {
            try {
                r.close();
            } catch (IOException e) {
                recordingErrors.incrementAndGet();
                log.warn("{}: closing the recording {}: {}", name, r.file(), e.toString());
            }
        }
    }

    /**
     * The drain after an overrun, done by replacing the multicast socket. The queued messages predate the
     * coming dump (replaying them after it could undo it), and reading them out is not enough: the kernel
     * marks an overrun socket congested and, until its queue has once been empty, drops further messages
     * without raising ENOBUFS again, so an overrun during the dump would go unnoticed. A fresh socket, joined
     * before the dump starts, has neither stale messages nor that state.
     */
    private void discardQueuedMessages() throws NetlinkException {
        NetlinkSocket fresh = inNamespace(() -> NetworkNamespace.callWhere(request, this::openMulticast));
        long token;
        try {
            token = poller.watch(fresh, this::scheduleTurn);
        } catch (NetlinkException e) {
            fresh.close();
            throw e;
        }
        dropMulticast();
        multicast = fresh;
        multicastToken = token;
    }

    private void deliver(RtnlEvent event) {
        callListener(() -> listener.onEvent(event), "onEvent");
    }

    private void datagramDelivered() {
        callListener(listener::onDatagramEnd, "onDatagramEnd");
    }

    private void callListener(Runnable call, String what) {
        if (stopping()) {
            return; // close() is waiting for this turn to end: no more calls, not even the rest of a dump
        }
        try {
            call.run();
        } catch (RuntimeException e) {
            long n = listenerErrors.incrementAndGet();
            long now = System.nanoTime();
            if (n == 1 || now - lastListenerLog > LOG_INTERVAL_NANOS) { // no per-message logging under a storm
                lastListenerLog = now;
                log.warn("{}: listener {} failed ({} failures so far)", name, what, n, e);
            }
        }
    }

    /** ENOBUFS overruns seen on the multicast socket. */
    public long overruns() {
        return overruns.get();
    }

    /** Full dumps after the first one (after overruns or errors). */
    public long resyncs() {
        return resyncs.get();
    }

    /** Netlink messages received (dumps and live), all types. */
    public long messages() {
        return messages.get();
    }

    /** Dumps redone because the kernel set NLM_F_DUMP_INTR. */
    public long dumpIntrRetries() {
        return dumpIntrRetries.get();
    }

    /** Listener callbacks that threw. */
    public long listenerErrors() {
        return listenerErrors.get();
    }

    /** Unexpected errors that made the monitor reopen its sockets and resync. */
    public long errors() {
        return errors.get();
    }

    /** Completed epochs (onSyncEnd reached), the first one included. */
    public long dumps() {
        return dumps.get();
    }

    /**
     * Duration of the last completed epoch's dump, from just before onSyncBegin to just before onSyncEnd:
     * listener time for the dumped objects and NLM_F_DUMP_INTR redos included.
     */
    public long lastDumpMillis() {
        return lastDumpNanos / 1_000_000;
    }

    /** Sum of {@link #lastDumpMillis()} over all completed epochs. */
    public long totalDumpMillis() {
        return totalDumpNanos.get() / 1_000_000;
    }

    /** Failures to write the recording (the first one stops it). */
    public long recordingErrors() {
        return recordingErrors.get();
    }

    /** Messages received per type name ("RTM_NEWROUTE", "NLMSG_DONE", "type 104", ...). */
    public Map<String, Long> messagesByType() {
        return byType.byName();
    }

    /**
     * Stops the monitor and closes both sockets. When it returns, no listener or observer call is running
     * or will run (except the caller's own, when a listener closes its monitor). It waits for the call in
     * progress, if any, and for a dump in progress to notice (at most about 250 ms). Idempotent.
     */
    @Override
    public void close() {
        stopped = true;
        turns.shutdownAndAwait();
        if (turns.inTask()) {
            return; // called by our own listener: the turn releases everything on its way out
        }
        release();
    }
}
