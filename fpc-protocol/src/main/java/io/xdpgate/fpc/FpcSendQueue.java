package io.xdpgate.fpc;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sender's queue between the producer of changes (cache-manager's netlink thread) and
 * {@link FpcClient}: it coalesces, orders by dependency and gives links and neighbours a priority lane.
 *
 * <p><b>Coalescing.</b> Queued changes to the same object coalesce, last writer wins: a change to a key
 * that is already queued replaces the queued message (an ADD replaces a DEL of the same key and vice
 * versa). The key is the object's identity: VRF (vrf), link (vrf, ifindex), address (vrf, ifindex,
 * address, prefixLength), neighbour (vrf, ifindex, address), nexthop object (vrf, id), nexthop group
 * (vrf, id; a key of its own, distinct from a nexthop object's with the same id), route (vrf, table,
 * prefix, prefixLength), policy routing (vrf; both directions in the VRF add lane, a key apart from the VRF's). Memory is therefore bounded by the number of distinct keys, whatever the burst
 * of changes to them. CONTROL requests are not objects: each is an entry of its own, never coalesced.
 *
 * <p><b>Barriers.</b> SYNC_BEGIN and SYNC_END are barriers: everything offered before one is sent before
 * it, everything offered after it is sent after it, and changes do not coalesce across it.
 *
 * <p><b>Order between barriers.</b> Deletes first, in reverse dependency order (route, nexthop group,
 * nexthop, neighbour, address, link, VRF), then adds in dependency order (VRF, link, CONTROL, address,
 * neighbour, nexthop, nexthop group, route); first offered first sent within each of these fifteen lanes.
 * The order is re-evaluated for every message taken, so a change offered late still goes ahead of
 * whatever ranks below it. CONTROL requests have a lane of their own, right after the link adds (a
 * request names a port, which may have just been added), in the order they were offered. The route adds
 * of a full dump offered as such ({@link #offerAll(List, boolean)}) come last, uncoalesced, in their order.
 *
 * <p><b>Priority lane.</b> Links, neighbours and control requests never wait behind a burst of routes or
 * nexthops: after {@value #ROUTE_RUN} messages in a row from the route, nexthop and nexthop group lanes,
 * every waiting message of the other lanes (links, neighbours, controls, and the VRFs and addresses they
 * may depend on, in the order above) is sent before the next of those. This is the one exception to the
 * order: a link or neighbour DEL may overtake queued route, nexthop and group DELs (the receiver already
 * copes with routes and nexthops whose link or neighbour is gone: the kernel does not announce every
 * implicit deletion either).
 *
 * <p><b>Threads.</b> {@link #offer} is thread-safe. It returns at once when the change coalesces or the
 * queue has room; a change to a new key waits while {@code capacity} distinct entries are queued, which
 * lasts only as long as the sender needs to take one (the sender keeps taking while the client is
 * disconnected: {@link FpcClient#send} then discards, since the next connection resynchronizes).
 * {@link #start} runs the sender on a thread of its own ("fpc-send-queue"), which calls
 * {@link FpcClient#send} (blocking there under the client's backpressure), and has the message that
 * empties the queue written at once rather than after the client's linger.
 *
 * <p><b>Synchronization latency.</b> With {@link #observeSyncLatency} the queue times each object change
 * from its {@link #offer} to the report of the server covering the message that carried it (the server
 * reports after applying). A coalesced entry keeps the offer time of the oldest pending change of its key,
 * so coalescing never hides latency. Barriers and CONTROL requests are not timed; nor are the messages of a
 * dump ({@link #offerAll(List, boolean)}): they are the state sent again, not changes, and a full table
 * of them would fill the histogram with their wait behind one another (a dump is measured as a whole by
 * its generation); nor are messages the client discards while disconnected. A change made while a dump
 * is queued is timed, and its latency includes that wait.
 */
public final class FpcSendQueue implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FpcSendQueue.class);
    /** The offer time of a message that is not timed (see the class comment). */
    private static final long UNTIMED = Long.MIN_VALUE;

    /** Distinct entries queued at most by default: a full IPv4 and IPv6 table, VRFs, links and neighbours, twice. */
    public static final int DEFAULT_CAPACITY = 4 * 1024 * 1024;
    /** Route, nexthop and nexthop group messages sent in a row at most while a message of the priority lanes waits. */
    public static final int ROUTE_RUN = 64;
    /** Messages the sender thread takes per lock acquisition. */
    static final int BATCH = 128;
    /** Sent messages waiting for a report, timed at most (beyond, the oldest are dropped and counted). */
    static final int LATENCY_RECORDS = 64 * 1024;

    /** The fifteen lanes, in the order they are served. */
    private static final int ROUTE_DEL = 0;
    private static final int NEXTHOP_GROUP_DEL = 1;
    private static final int NEXTHOP_DEL = 2;
    private static final int NEIGHBOUR_DEL = 3;
    private static final int ADDRESS_DEL = 4;
    private static final int LINK_DEL = 5;
    private static final int VRF_DEL = 6;
    private static final int VRF_ADD = 7;
    private static final int LINK_ADD = 8;
    /** CONTROL requests: first offered first sent, never coalesced, right after the link adds they may name. */
    private static final int CONTROL = 9;
    private static final int ADDRESS_ADD = 10;
    private static final int NEIGHBOUR_ADD = 11;
    private static final int NEXTHOP_ADD = 12;
    private static final int NEXTHOP_GROUP_ADD = 13;
    private static final int ROUTE_ADD = 14;
    private static final int LANES = 15;
    /** The priority lanes: links, neighbours, controls, and the VRFs and addresses they may depend on. */
    private static final int PRIORITY_FIRST = NEIGHBOUR_DEL;
    private static final int PRIORITY_LAST = NEIGHBOUR_ADD;
    /** The lane of the other direction of the same object (ADD <-> DEL); -1 for CONTROL, which has none. */
    private static final int[] OPPOSITE = new int[LANES];

    static {
        int[][] pairs = {{ROUTE_DEL, ROUTE_ADD}, {NEXTHOP_GROUP_DEL, NEXTHOP_GROUP_ADD}, {NEXTHOP_DEL, NEXTHOP_ADD},
                {NEIGHBOUR_DEL, NEIGHBOUR_ADD}, {ADDRESS_DEL, ADDRESS_ADD}, {LINK_DEL, LINK_ADD}, {VRF_DEL, VRF_ADD}};
        OPPOSITE[CONTROL] = -1;
        for (int[] p : pairs) {
            OPPOSITE[p[0]] = p[1];
            OPPOSITE[p[1]] = p[0];
        }
    }

    private record VrfKey(int vrf) {
    }

    private record VxlanKey(int vrf, int ifindex) {
    }

    private record PolicyRoutingKey(int vrf) {
    }

    private record LinkKey(int vrf, int ifindex) {
    }

    private record AddressKey(int vrf, int ifindex, InetAddress address, int prefixLength) {
    }

    private record NeighbourKey(int vrf, int ifindex, InetAddress address) {
    }

    private record RouteKey(int vrf, int table, InetAddress prefix, int prefixLength) {
    }

    private record NexthopKey(int vrf, int id) {
    }

    private record NexthopGroupKey(int vrf, int id) {
    }

    /** A queued entry: the latest message of its key, and when the oldest change still pending was offered. */
    private static final class Queued {
        FpcMessage message;
        long offeredNanos; // UNTIMED for a dumped message until a change coalesces onto it

        Queued(FpcMessage message, long offeredNanos) {
            this.message = message;
            this.offeredNanos = offeredNanos;
        }
    }

    /** A CONTROL request's key: its own identity, so that no two requests coalesce. */
    private static final class ControlKey {
    }

    /** What is offered between two barriers, and the barrier that closes it (null while it is the open one). */
    private static final class Epoch {
        @SuppressWarnings("unchecked")
        final LinkedHashMap<Object, Queued>[] lanes = new LinkedHashMap[LANES];
        int size;
        FpcMessage barrier;
        CompletableFuture<Long> barrierSent;

        /** Route adds of full dumps: unkeyed, served after the route add lane (see offerAll(List, boolean)). */
        final ArrayDeque<Queued> dumpedRoutes = new ArrayDeque<>();

        LinkedHashMap<Object, Queued> lane(int i) {
            LinkedHashMap<Object, Queued> l = lanes[i];
            if (l == null) {
                l = new LinkedHashMap<>();
                lanes[i] = l;
            }
            return l;
        }

        boolean isEmpty(int lane) {
            return lanes[lane] == null || lanes[lane].isEmpty();
        }
    }

    /** A message taken for sending, with the future of a barrier; {@code offeredNanos} only when it is timed. */
    private record Taken(FpcMessage message, CompletableFuture<Long> sent, boolean timed, long offeredNanos) {
    }

    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    // Guarded by lock.
    private final ArrayDeque<Epoch> epochs = new ArrayDeque<>();
    private int entries; // object entries, all epochs
    private int barriers;
    private int routeRun;
    private boolean priority; // serving the priority lanes until they are empty
    private boolean closed;
    private Thread sender;
    /** Whether the queue was empty after the sender's last take; the sender thread's own. */
    private boolean drained;
    private final FpcSyncLatencyRecords latencyRecords = new FpcSyncLatencyRecords(LATENCY_RECORDS);
    private volatile FpcSyncLatencyListener latencyListener;

    public FpcSendQueue() {
        this(DEFAULT_CAPACITY);
    }

    /** @param capacity distinct object entries queued at most (barriers are not counted) */
    public FpcSendQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.capacity = capacity;
        epochs.add(new Epoch());
    }

    /**
     * Queues a state message: an object message (coalesced with a queued change to the same key), a
     * CONTROL request (never coalesced) or a barrier (SYNC_BEGIN, SYNC_END). Control messages (HELLO, REPORT, KEEPALIVE) belong to the client
     * itself and are refused. Waits only when the queue is full and the key is new; returns at once
     * (dropping the message) after {@link #close()} or when interrupted, with the interrupt status kept.
     */
    public void offer(FpcMessage message) {
        if (isBarrier(message)) {
            offerBarrier(message);
            return;
        }
        long offeredNanos = System.nanoTime(); // before any wait for room: waiting is part of the latency
        lock.lock();
        try {
            if (offerLocked(message, offeredNanos) == Offered.NEW) {
                notEmpty.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues {@code messages} in their order exactly as {@link #offer} would one after the other (barriers
     * included), under one lock and with one wake-up of the sender: for a producer that has many at once,
     * such as a netlink datagram's worth of a dump. The list is not kept. Stops (dropping the rest) after
     * {@link #close()} or when interrupted, with the interrupt status kept.
     */
    public void offerAll(List<FpcMessage> messages) {
        offerAll(messages, false);
    }

    /**
     * As {@link #offerAll(List)}; with {@code fromDump} the messages belong to a full dump of one VRF that
     * sits between that VRF's own barriers and meets no other change to the VRF's objects in its epochs
     * (the cache manager reads no live change of a namespace while it dumps it): no key repeats there, so
     * its route adds skip the coalescing index and wait in a lane of their own, served where route adds
     * are, in the order offered. (An interrupted dump that is redone repeats some: both go, in order, and
     * the later replaces the earlier at the receiver.) The dump of a large table then costs the queue no
     * hashing per route.
     */
    public void offerAll(List<FpcMessage> messages, boolean fromDump) {
        if (messages.isEmpty()) {
            return;
        }
        long offeredNanos = fromDump ? UNTIMED : System.nanoTime();
        lock.lock();
        try {
            for (FpcMessage message : messages) {
                if (isBarrier(message)) {
                    if (closed) {
                        return;
                    }
                    addBarrierLocked(message, new CompletableFuture<>());
                } else if (fromDump && message instanceof FpcRoute route && route.add()) {
                    if (!offerDumpedRouteLocked(route, offeredNanos)) {
                        return;
                    }
                } else if (offerLocked(message, offeredNanos) == Offered.DROPPED) {
                    return;
                }
            }
        } finally {
            notEmpty.signal(); // once for the lot (a spare signal only makes the sender look again)
            lock.unlock();
        }
    }

    private static boolean isBarrier(FpcMessage message) {
        return message instanceof FpcSyncBegin || message instanceof FpcSyncEnd;
    }

    private enum Offered { NEW, COALESCED, DROPPED }

    /** A dumped route add, under the lock; false when dropped (closed, or interrupted while waiting for room). */
    private boolean offerDumpedRouteLocked(FpcRoute route, long offeredNanos) {
        while (entries >= capacity) {
            if (!awaitRoomOnceLocked()) {
                return false;
            }
        }
        if (closed) {
            return false;
        }
        Epoch open = epochs.peekLast();
        open.dumpedRoutes.add(new Queued(route, offeredNanos));
        open.size++;
        entries++;
        return true;
    }

    /**
     * Waits once for the sender to make room, having woken it first (what this caller queued so far must
     * be taken for room to come); false when the queue is or got closed, or the thread was interrupted.
     */
    private boolean awaitRoomOnceLocked() {
        if (closed) {
            return false;
        }
        notEmpty.signal();
        try {
            notFull.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return !closed;
    }

    /** One object message or CONTROL request, under the lock; waits for room when the key is new and the queue full. */
    private Offered offerLocked(FpcMessage message, long offeredNanos) {
        int lane = lane(message);
        Object key = key(message);
        if (closed) {
            return Offered.DROPPED;
        }
        int opposite = OPPOSITE[lane]; // ROUTE_DEL <-> ROUTE_ADD, NEIGHBOUR_DEL <-> NEIGHBOUR_ADD, ...
        Epoch open;
        LinkedHashMap<Object, Queued> same;
        while (true) {
            open = epochs.peekLast(); // re-read after waiting: a barrier may have been offered meanwhile
            same = open.lane(lane);
            Queued pending = same.get(key);
            if (pending != null) {
                pending.message = message; // coalesced in place, keeping the older offer time
                if (pending.offeredNanos == UNTIMED) pending.offeredNanos = offeredNanos; // a change onto a dumped one
                return Offered.COALESCED;
            }
            Queued reversed = opposite >= 0 && !open.isEmpty(opposite) ? open.lanes[opposite].remove(key) : null;
            if (reversed != null) {
                // A change of direction: the new message takes its own lane, with the older offer time.
                same.put(key, new Queued(message, reversed.offeredNanos == UNTIMED ? offeredNanos : reversed.offeredNanos));
                return Offered.COALESCED;
            }
            if (entries < capacity) {
                break;
            }
            if (!awaitRoomOnceLocked()) {
                return Offered.DROPPED;
            }
        }
        same.put(key, new Queued(message, offeredNanos));
        open.size++;
        entries++;
        return Offered.NEW;
    }

    /**
     * Queues SYNC_BEGIN or SYNC_END as a barrier. The future completes, once the sender thread has
     * handed the barrier to {@link FpcClient#send}, with the sequence number it returned (0: discarded,
     * no connection); also with 0 when the barrier is dropped by {@link #clear()} or {@link #close()}.
     * A caller that needs "the server holds the generation" waits for SYNC_END's sequence with
     * {@link FpcClient#awaitAcknowledged}.
     */
    public CompletableFuture<Long> offerBarrier(FpcMessage barrier) {
        if (!isBarrier(barrier)) {
            throw new IllegalArgumentException(barrier.messageType() + " is not a barrier (SYNC_BEGIN, SYNC_END)");
        }
        CompletableFuture<Long> sent = new CompletableFuture<>();
        lock.lock();
        try {
            if (closed) {
                sent.complete(0L);
                return sent;
            }
            addBarrierLocked(barrier, sent);
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
        return sent;
    }

    private void addBarrierLocked(FpcMessage barrier, CompletableFuture<Long> sent) {
        Epoch open = epochs.peekLast();
        open.barrier = barrier;
        open.barrierSent = sent;
        epochs.add(new Epoch());
        barriers++;
    }

    /** Queued object entries plus queued barriers. */
    public int size() {
        lock.lock();
        try {
            return entries + barriers;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Drops everything queued, for a caller that is about to resynchronize anyway (a new generation
     * supersedes every queued change). Futures of dropped barriers complete with 0. Queued CONTROL
     * requests are kept, in their order: they are not state, so no generation replaces them.
     */
    public void clear() {
        clear(true);
    }

    private void clear(boolean keepControls) {
        List<CompletableFuture<Long>> dropped = new ArrayList<>();
        lock.lock();
        try {
            Epoch fresh = new Epoch();
            for (Epoch e : epochs) {
                if (e.barrierSent != null) {
                    dropped.add(e.barrierSent);
                }
                if (keepControls && !e.isEmpty(CONTROL)) {
                    fresh.lane(CONTROL).putAll(e.lanes[CONTROL]); // in offering order, epoch after epoch
                }
            }
            epochs.clear();
            epochs.add(fresh);
            fresh.size = fresh.isEmpty(CONTROL) ? 0 : fresh.lanes[CONTROL].size();
            entries = fresh.size;
            barriers = 0;
            routeRun = 0;
            priority = false;
            notFull.signalAll();
            if (entries > 0) {
                notEmpty.signal();
            }
        } finally {
            lock.unlock();
        }
        dropped.forEach(f -> f.complete(0L));
    }

    // ---- taking, in sending order

    /** The next message in sending order, or null when nothing is queued. For tests and custom senders. */
    FpcMessage poll() {
        lock.lock();
        try {
            Taken t = takeLocked();
            if (t == null) {
                return null;
            }
            if (t.sent() != null) {
                t.sent().complete(0L); // not sent by this queue's thread
            }
            return t.message();
        } finally {
            lock.unlock();
        }
    }

    private Taken takeLocked() {
        while (true) {
            Epoch e = epochs.peekFirst();
            if (e.size > 0) {
                Queued q = takeObject(e);
                e.size--;
                entries--;
                if (entries == capacity - 1) {
                    notFull.signalAll();
                }
                // CONTROL requests are not kernel state: only object changes are timed.
                boolean timed = q.offeredNanos != UNTIMED && !(q.message instanceof FpcControl);
                return new Taken(q.message, null, timed, q.offeredNanos);
            }
            if (e.barrier == null) {
                return null; // the open epoch, empty
            }
            epochs.pollFirst();
            barriers--;
            routeRun = 0;
            priority = false;
            return new Taken(e.barrier, e.barrierSent, false, 0);
        }
    }

    private Queued takeObject(Epoch e) {
        if (!priority && routeRun >= ROUTE_RUN && nonRouteWaiting(e)) {
            priority = true;
        }
        if (priority) {
            for (int lane = PRIORITY_FIRST; lane <= PRIORITY_LAST; lane++) {
                if (!e.isEmpty(lane)) {
                    routeRun = 0;
                    return removeFirst(e.lanes[lane]);
                }
            }
            priority = false; // the priority lanes are empty: back to the plain order
        }
        for (int lane = 0; lane < LANES; lane++) {
            if (!e.isEmpty(lane)) {
                if (lane < PRIORITY_FIRST || lane > PRIORITY_LAST) {
                    routeRun++; // routes, nexthops and nexthop groups
                } else {
                    routeRun = 0;
                }
                return removeFirst(e.lanes[lane]);
            }
        }
        Queued dumped = e.dumpedRoutes.pollFirst();
        if (dumped != null) {
            routeRun++;
            return dumped;
        }
        throw new IllegalStateException("epoch size " + e.size + " but every lane is empty");
    }

    private static boolean nonRouteWaiting(Epoch e) {
        for (int lane = PRIORITY_FIRST; lane <= PRIORITY_LAST; lane++) {
            if (!e.isEmpty(lane)) {
                return true;
            }
        }
        return false;
    }

    private static Queued removeFirst(LinkedHashMap<Object, Queued> lane) {
        Iterator<Map.Entry<Object, Queued>> it = lane.entrySet().iterator();
        Queued m = it.next().getValue();
        it.remove();
        return m;
    }

    // ---- the sender thread

    /**
     * Starts the thread that sends the queue to {@code client}, in the order described above, until
     * {@link #close()}. At most one sender per queue.
     */
    public FpcSendQueue start(FpcClient client) {
        Objects.requireNonNull(client, "client");
        lock.lock();
        try {
            if (sender != null || closed) {
                throw new IllegalStateException(closed ? "the send queue is closed" : "the send queue already has a sender");
            }
            client.acknowledgementListener(this::acknowledgedUpTo);
            sender = new Thread(() -> sendLoop(client), "fpc-send-queue");
            sender.setDaemon(true);
            sender.start();
        } finally {
            lock.unlock();
        }
        return this;
    }

    private void sendLoop(FpcClient client) {
        List<Taken> batch = new ArrayList<>(BATCH);
        List<FpcMessage> messages = new ArrayList<>(BATCH);
        long[] sequences = new long[BATCH];
        try {
            while (takeBatch(batch)) {
                sendBatch(client, batch, messages, sequences);
            }
        } catch (InterruptedException e) {
            // closed
        } finally {
            for (Taken t : batch) {
                if (t.sent() != null) {
                    t.sent().complete(0L);
                }
            }
        }
    }

    /**
     * Waits for something to send and takes up to {@value #BATCH} messages in sending order into
     * {@code batch}; false once closed. (The loop's body is split into methods so that the JIT compiles
     * them as ordinary methods rather than the whole loop at once, on-stack.)
     */
    private boolean takeBatch(List<Taken> batch) throws InterruptedException {
        lock.lock();
        try {
            Taken t = null;
            while (!closed && (t = takeLocked()) == null) {
                notEmpty.await();
            }
            if (t == null) {
                return false; // closed
            }
            batch.add(t);
            while (batch.size() < BATCH && (t = takeLocked()) != null) {
                batch.add(t);
            }
            drained = entries + barriers == 0;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Hands a batch to the client, completes its barriers' futures and times its messages; empties it. */
    private void sendBatch(FpcClient client, List<Taken> batch, List<FpcMessage> messages, long[] sequences) {
        for (Taken t : batch) {
            messages.add(t.message());
        }
        java.util.Arrays.fill(sequences, 0);
        try {
            // The end of a burst is written at once: do not wait for the client's linger.
            client.sendAll(messages, sequences, drained);
        } catch (RuntimeException e) {
            log.error("FPC send queue: cannot send {} messages from {}", messages.size(), messages.get(0), e);
        }
        messages.clear();
        FpcSyncLatencyListener listener = latencyListener;
        for (int i = 0; i < batch.size(); i++) {
            Taken t = batch.get(i);
            long sequence = sequences[i];
            if (t.sent() != null) {
                t.sent().complete(sequence);
            }
            if (sequence > 0 && t.timed() && listener != null) {
                latencyRecords.sent(sequence, t.offeredNanos(), listener);
            }
        }
        batch.clear();
    }

    /**
     * Tells {@code listener} the synchronization latency of every object change sent from now on (see the
     * class comment); null stops. One listener at a time.
     */
    public void observeSyncLatency(FpcSyncLatencyListener listener) {
        latencyListener = listener;
    }

    /** Sent changes whose latency was never told because too many waited for a report at once. */
    public long syncLatencyDropped() {
        return latencyRecords.dropped();
    }

    /** On the client's I/O thread: a report covers every sequence up to {@code sequence}. */
    private void acknowledgedUpTo(long sequence) {
        FpcSyncLatencyListener listener = latencyListener;
        if (listener != null) {
            latencyRecords.acknowledged(sequence, System.nanoTime(), listener);
        }
    }

    /** Stops the sender thread (waiting up to 5 s) and drops what is still queued. Idempotent. */
    @Override
    public void close() {
        Thread t;
        lock.lock();
        try {
            closed = true;
            t = sender;
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
        if (t != null && t != Thread.currentThread()) {
            t.interrupt(); // it may be blocked in FpcClient.send under backpressure
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        clear(false);
    }

    // ---- keys and lanes

    private static int lane(FpcMessage m) {
        return switch (m.messageType()) {
            case ROUTE_DEL -> ROUTE_DEL;
            case NEIGHBOUR_DEL -> NEIGHBOUR_DEL;
            case ADDRESS_DEL -> ADDRESS_DEL;
            case LINK_DEL -> LINK_DEL;
            case VRF_DEL -> VRF_DEL;
            case VRF_ADD -> VRF_ADD;
            case LINK_ADD -> LINK_ADD;
            case VXLAN_ADD -> LINK_ADD; // after its link, in order: a lane is first in, first out
            case VXLAN_DEL -> LINK_DEL;
            // Both in the VRF add lane: after the VRF_ADD they name (a DEL in the delete lanes would overtake
            // a new VRF's add), before its links (a port is then written down or up from its first write).
            // One lane for both directions: a change coalesces in place.
            case POLICY_ROUTING_ADD, POLICY_ROUTING_DEL -> VRF_ADD;
            case ADDRESS_ADD -> ADDRESS_ADD;
            case NEIGHBOUR_ADD -> NEIGHBOUR_ADD;
            case ROUTE_ADD -> ROUTE_ADD;
            case NEXTHOP_DEL -> NEXTHOP_DEL;
            case NEXTHOP_ADD -> NEXTHOP_ADD;
            case NEXTHOP_GROUP_DEL -> NEXTHOP_GROUP_DEL;
            case NEXTHOP_GROUP_ADD -> NEXTHOP_GROUP_ADD;
            case CONTROL -> CONTROL;
            case ROUTE_ADD_LIST -> throw new IllegalArgumentException("route lists are not queued: the client forms"
                    + " them from the queued route adds it sends together");
            default -> throw new IllegalArgumentException(m.messageType()
                    + " is not queued: the client sends control messages itself");
        };
    }

    /** The identity of an object message: equal keys coalesce. */
    static Object key(FpcMessage m) {
        if (m instanceof FpcRoute r) {
            return new RouteKey(r.vrf(), r.table(), r.prefix(), r.prefixLength());
        } else if (m instanceof FpcNeighbour n) {
            return new NeighbourKey(n.vrf(), n.ifindex(), n.address());
        } else if (m instanceof FpcLink l) {
            return new LinkKey(l.vrf(), l.ifindex());
        } else if (m instanceof FpcVxlan v) {
            return new VxlanKey(v.vrf(), v.ifindex());
        } else if (m instanceof FpcAddress a) {
            return new AddressKey(a.vrf(), a.ifindex(), a.address(), a.prefixLength());
        } else if (m instanceof FpcVrf v) {
            return new VrfKey(v.vrf());
        } else if (m instanceof FpcPolicyRouting p) {
            return new PolicyRoutingKey(p.vrf());
        } else if (m instanceof FpcNexthopObject n) {
            return new NexthopKey(n.vrf(), n.id());
        } else if (m instanceof FpcNexthopGroup g) {
            return new NexthopGroupKey(g.vrf(), g.id());
        } else if (m instanceof FpcControl) {
            return new ControlKey(); // never equal to another: requests do not coalesce
        }
        throw new IllegalArgumentException(m.messageType() + " has no object key");
    }
}
