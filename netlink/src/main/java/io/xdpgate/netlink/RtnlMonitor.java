package io.xdpgate.netlink;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mirrors one network namespace's namespace ids, links, addresses, neighbours, nexthop objects and routes
 * (all tables) to a {@link Listener}, the way the kernel allows it to be done without losing anything: subscribe to the
 * multicast groups first, then dump everything on a second socket, then stream the changes that queued
 * up meanwhile and after. Multicast is lossy: an overrun (ENOBUFS) starts a new epoch with a full dump,
 * after which the listener deletes whatever the new epoch did not re-announce.
 * <p>All callbacks come from one dedicated thread, named "rtnl-NETNS", that lives in the namespace.
 * The monitor never gives up on its own: on unexpected errors it logs, backs off, reopens and resyncs.
 * <p>A cache manager runs one monitor per namespace, thousands of them: each holds one thread with a
 * {@value #THREAD_STACK_BYTES}-byte stack (listeners must not recurse deeply), two sockets and their small
 * receive buffers, which grow only to the largest datagram seen.
 */
public final class RtnlMonitor implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(RtnlMonitor.class);
    private static final int REQUEST_SOCKET_BUFFER = 1 << 20; // dumps are flow-controlled: size only sets speed
    private static final long MIN_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 5_000;
    private static final long LOG_INTERVAL_NANOS = 1_000_000_000L;
    /** The monitor thread's stack: parsing and dispatch are shallow, and thousands of monitors may run. */
    public static final long THREAD_STACK_BYTES = 256 << 10;

    /** Receives the namespace's state; called on the monitor thread only. */
    public interface Listener {
        /** A full dump starts (epoch 1 at start, then one more per resync). */
        void onSyncBegin(long epoch);

        /** Dump content and live changes, in kernel order. */
        void onEvent(RtnlEvent event);

        /** The dump is complete: everything not re-announced since onSyncBegin(epoch) is gone. */
        void onSyncEnd(long epoch);
    }

    /**
     * @param netns              namespace name under /run/netns, null for the current one
     * @param receiveBufferBytes multicast socket buffer; bursts beyond it overrun and cost a resync
     * @param ipv6               also follow IPv6 addresses, routes and neighbours (nexthop objects and
     *                           namespace ids are followed either way: IPv4 routes may use IPv6 nexthops)
     * @param recording          file to record every received datagram to (see {@link RtnlRecorder}), null for none
     * @param observer           told of messages, overruns, resyncs and dump durations (metrics); null for none
     */
    public record Options(String netns, int receiveBufferBytes, boolean ipv6, Path recording,
                          RtnlMonitorObserver observer) {
        public static final int DEFAULT_RECEIVE_BUFFER = 32 << 20;

        public Options {
            if (receiveBufferBytes <= 0) {
                throw new IllegalArgumentException("receiveBufferBytes must be positive: " + receiveBufferBytes);
            }
            if (observer == null) {
                observer = RtnlMonitorObserver.NONE;
            }
        }

        /** No recording, no observer. */
        public Options(String netns, int receiveBufferBytes, boolean ipv6) {
            this(netns, receiveBufferBytes, ipv6, null, null);
        }

        /** No observer. */
        public Options(String netns, int receiveBufferBytes, boolean ipv6, Path recording) {
            this(netns, receiveBufferBytes, ipv6, recording, null);
        }

        /** 32 MiB receive buffer, IPv4 and IPv6, no recording. */
        public static Options defaults(String netns) {
            return new Options(netns, DEFAULT_RECEIVE_BUFFER, true);
        }

        /** The same options, recording to {@code file} (created or truncated at start); null for none. */
        public Options withRecording(Path file) {
            return new Options(netns, receiveBufferBytes, ipv6, file, observer);
        }

        /** The same options, told to {@code o}; null for none. */
        public Options withObserver(RtnlMonitorObserver o) {
            return new Options(netns, receiveBufferBytes, ipv6, recording, o);
        }
    }

    private final Options options;
    private final Listener listener;
    private final Thread thread;
    private final CountDownLatch stop = new CountDownLatch(1);
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
    private volatile CompletableFuture<Void> started;
    private volatile NetlinkSocket multicast;
    private volatile NetlinkSocket request;
    private long epoch;
    private long lastListenerLog;
    /** Why the next epoch dumps again (observer's reason), null until something asks for it. Monitor thread only. */
    private String nextResyncReason;
    /** How the recording marks the next epoch: OVERRUN after an overrun, SYNC_BEGIN otherwise. */
    private RtnlRecorder.Source nextSyncCause = RtnlRecorder.Source.SYNC_BEGIN;

    private RtnlMonitor(Options options, Listener listener) {
        this.options = options;
        this.listener = listener;
        this.byType = new NetlinkMessageCounter(options.observer() == RtnlMonitorObserver.NONE ? null : this::messageReceived);
        String ns = NetworkNamespace.isCurrent(options.netns()) ? "current" : options.netns();
        this.thread = new Thread(null, this::run, "rtnl-" + ns, THREAD_STACK_BYTES);
        this.thread.setDaemon(true);
    }

    /**
     * Starts the monitor thread and returns once it has entered the namespace, opened both sockets and
     * joined the groups. The initial dump then follows asynchronously (epoch 1).
     *
     * @throws NetlinkException when the namespace cannot be entered or the sockets cannot be set up
     */
    public static RtnlMonitor start(Options options, Listener listener) throws NetlinkException {
        RtnlMonitor monitor = new RtnlMonitor(Objects.requireNonNull(options), Objects.requireNonNull(listener));
        if (options.recording() != null) {
            try {
                monitor.recorder = new RtnlRecorder(options.recording());
            } catch (IOException e) {
                throw new NetlinkException("rtnl monitor " + monitor.thread.getName() + ": recording to "
                        + options.recording() + ": " + e, 0, e);
            }
        }
        CompletableFuture<Void> ready = new CompletableFuture<>();
        monitor.thread.setUncaughtExceptionHandler((t, e) -> log.error("{} died", t.getName(), e));
        monitor.started = ready;
        monitor.thread.start();
        try {
            ready.get(30, TimeUnit.SECONDS);
            return monitor;
        } catch (ExecutionException e) {
            monitor.close();
            if (e.getCause() instanceof NetlinkException ne) {
                throw new NetlinkException("rtnl monitor " + monitor.thread.getName() + ": " + ne.getMessage(),
                        ne.errno(), ne);
            }
            throw new NetlinkException("rtnl monitor " + monitor.thread.getName() + " failed to start", 0, e);
        } catch (InterruptedException e) {
            monitor.close();
            Thread.currentThread().interrupt();
            throw new NetlinkException("interrupted while starting the rtnl monitor", 0, e);
        } catch (TimeoutException e) {
            monitor.close();
            throw new NetlinkException("rtnl monitor " + monitor.thread.getName() + " did not start in 30 s", 0, e);
        }
    }

    private boolean stopping() {
        return stop.getCount() == 0;
    }

    private void run() {
        try {
            NetworkNamespace.enterOnCurrentThread(options.netns());
            openSockets();
        } catch (NetlinkException | RuntimeException e) {
            closeSockets();
            started.completeExceptionally(e);
            return;
        }
        started.complete(null);
        long backoff = MIN_BACKOFF_MILLIS;
        boolean needSync = true;
        while (!stopping()) {
            try {
                if (multicast == null) {
                    openSockets();
                }
                String requested = resyncRequested.getAndSet(null);
                if (requested != null) {
                    needSync = true; // requests made during this sync's dump cause one more: never lost
                    resyncReason(requested);
                }
                if (needSync) {
                    sync();
                    needSync = false;
                    backoff = MIN_BACKOFF_MILLIS;
                }
                ByteBuffer datagram = multicast.receive();
                if (datagram != null) {
                    record(RtnlRecorder.Source.MULTICAST, datagram);
                    ParseResult r = RtnlCodec.parse(datagram, this::deliver, byType);
                    messages.addAndGet(r.messages());
                } else {
                    flushRecording(); // idle: a good moment to put the recording on disk
                }
            } catch (NetlinkOverrunException e) {
                overruns.incrementAndGet();
                observe(RtnlMonitorObserver::overrun);
                resyncReason("overrun");
                nextSyncCause = RtnlRecorder.Source.OVERRUN;
                log.warn("{}: netlink overrun, messages were lost; resynchronizing ({})", thread.getName(),
                        e.getMessage());
                needSync = true;
                try {
                    discardQueuedMessages();
                } catch (NetlinkException reopen) {
                    errors.incrementAndGet();
                    log.warn("{}: reopening the multicast socket: {}", thread.getName(), reopen.getMessage());
                    closeSockets(); // the next iteration reopens both sockets and resyncs
                }
            } catch (NetlinkException | RuntimeException e) {
                if (stopping()) {
                    break;
                }
                errors.incrementAndGet();
                log.warn("{}: {}; reopening and resynchronizing in {} ms", thread.getName(), e.toString(), backoff, e);
                closeSockets();
                needSync = true;
                resyncReason("error");
                try {
                    stop.await(backoff, TimeUnit.MILLISECONDS);
                } catch (InterruptedException ie) {
                    break;
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
        closeSockets();
    }

    private void openSockets() throws NetlinkException {
        NetlinkSocket m = openMulticast();
        try {
            request = NetlinkSocket.open(REQUEST_SOCKET_BUFFER);
        } catch (NetlinkException e) {
            m.close();
            throw e;
        }
        multicast = m;
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

    private int[] groups() {
        List<Integer> groups = new ArrayList<>(List.of(Rtnl.RTNLGRP_NSID, Rtnl.RTNLGRP_LINK,
                Rtnl.RTNLGRP_IPV4_IFADDR, Rtnl.RTNLGRP_IPV4_ROUTE, Rtnl.RTNLGRP_NEIGH, Rtnl.RTNLGRP_NEXTHOP));
        if (options.ipv6()) {
            groups.add(Rtnl.RTNLGRP_IPV6_IFADDR);
            groups.add(Rtnl.RTNLGRP_IPV6_ROUTE);
        }
        return groups.stream().mapToInt(Integer::intValue).toArray();
    }

    private void closeSockets() {
        NetlinkSocket m = multicast;
        NetlinkSocket r = request;
        multicast = null;
        request = null;
        if (m != null) {
            m.close();
        }
        if (r != null) {
            r.close();
        }
    }

    /**
     * One epoch: begin, dump everything in dependency order (namespace ids, links, addresses, neighbours,
     * nexthop objects, routes), end. If any part was interrupted (NLM_F_DUMP_INTR) the whole dump is redone
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
                        thread.getName());
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
        // Namespace ids first: links name the namespace of their peer by it (IFLA_LINK_NETNSID).
        boolean interrupted = dumper.dump(Rtnl.RTM_GETNSID, Rtnl.AF_UNSPEC, this::deliver);
        interrupted |= dumper.dump(Rtnl.RTM_GETLINK, Rtnl.AF_UNSPEC, this::deliver);
        int[] families = options.ipv6() ? new int[] {Rtnl.AF_INET, Rtnl.AF_INET6} : new int[] {Rtnl.AF_INET};
        for (int type : new int[] {Rtnl.RTM_GETADDR, Rtnl.RTM_GETNEIGH}) {
            for (int family : families) {
                interrupted |= dumper.dump(type, family, this::deliver);
            }
        }
        // Nexthop objects of both families and groups in one AF_UNSPEC dump, after the links and neighbours
        // they use and before the routes that reference them (RTA_NH_ID).
        interrupted |= dumper.dump(Rtnl.RTM_GETNEXTHOP, Rtnl.AF_UNSPEC, this::deliver);
        // Dependency order: neighbours before routes, so that a consumer rebuilding its state
        // resolves each gateway as its routes arrive instead of briefly leaving them unresolved.
        for (int family : families) {
            interrupted |= dumper.dump(Rtnl.RTM_GETROUTE, family, this::deliver);
        }
        return interrupted;
    }

    /**
     * Asks for a new epoch (onSyncBegin, full dump, onSyncEnd), as after an overrun, which the monitor thread
     * starts at its next opportunity (within about 250 ms when idle). Thread-safe; requests made before that
     * epoch starts coalesce into it, a request made during a dump causes one more epoch after it.
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
            log.debug("{}: observer failed", thread.getName(), e);
        }
    }

    /** Per message, so without {@link #observe}'s lambda. */
    private void messageReceived(int type) {
        try {
            options.observer().messageReceived(type);
        } catch (RuntimeException e) {
            log.debug("{}: observer failed", thread.getName(), e);
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
        log.warn("{}: recording to {} failed, recording stopped: {}", thread.getName(),
                r == null ? "?" : r.file(), e.toString());
        closeRecorder(r);
    }

    private void closeRecorder(RtnlRecorder r) {
        if (r != null) {
            try {
                r.close();
            } catch (IOException e) {
                recordingErrors.incrementAndGet();
                log.warn("{}: closing the recording {}: {}", thread.getName(), r.file(), e.toString());
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
        NetlinkSocket fresh = openMulticast();
        NetlinkSocket old = multicast;
        multicast = fresh;
        if (old != null) {
            old.close();
        }
    }

    private void deliver(RtnlEvent event) {
        callListener(() -> listener.onEvent(event), "onEvent");
    }

    private void callListener(Runnable call, String what) {
        try {
            call.run();
        } catch (RuntimeException e) {
            long n = listenerErrors.incrementAndGet();
            long now = System.nanoTime();
            if (n == 1 || now - lastListenerLog > LOG_INTERVAL_NANOS) { // no per-message logging under a storm
                lastListenerLog = now;
                log.warn("{}: listener {} failed ({} failures so far)", thread.getName(), what, n, e);
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

    /** Stops the thread and closes both sockets. Idempotent; returns within about one second. */
    @Override
    public void close() {
        stop.countDown();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // The thread closes the sockets on its way out; if a listener still holds it, close them from here.
        // NetlinkSocket.close waits for a receive in progress, so the descriptor is never reused under it.
        if (thread.isAlive()) {
            log.warn("{} still busy (in a listener?) after close; closing its sockets", thread.getName());
            closeSockets();
        }
        RtnlRecorder r = recorder;
        recorder = null;
        closeRecorder(r); // a write racing with this fails on the closed recorder and is only counted
    }
}
