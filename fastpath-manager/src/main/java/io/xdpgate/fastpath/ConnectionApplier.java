package io.xdpgate.fastpath;

import io.xdpgate.fpc.FpcAddress;
import io.xdpgate.fpc.FpcApplier;
import io.xdpgate.fpc.FpcControl;
import io.xdpgate.fpc.FpcNexthopGroup;
import io.xdpgate.fpc.FpcNexthopObject;
import io.xdpgate.fpc.FpcHello;
import io.xdpgate.fpc.FpcKeepalive;
import io.xdpgate.fpc.FpcLink;
import io.xdpgate.fpc.FpcMessage;
import io.xdpgate.fpc.FpcNeighbour;
import io.xdpgate.fpc.FpcRoute;
import io.xdpgate.fpc.FpcRouteList;
import io.xdpgate.fpc.FpcStatus;
import io.xdpgate.fpc.FpcSyncBegin;
import io.xdpgate.fpc.FpcSyncEnd;
import io.xdpgate.fpc.FpcVrf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The state of one FPC connection: who the sender is and which generations it is sending.
 *
 * <p>A generation is scoped either to all of the sender's VRFs (it ends by removing the VRFs it
 * did not announce) or to one VRF (it ends by sweeping that VRF's objects it did not refresh).
 * Every object is tagged with the generation of the latest sync covering its VRF; a sweep
 * happens only at the matching SYNC_END, never on a timer.
 */
final class ConnectionApplier implements FpcApplier {

    private static final Logger log = LoggerFactory.getLogger(ConnectionApplier.class);

    private final ForwardingState state;
    private String owner = "unidentified";
    private long allGeneration;
    private boolean allSyncing;
    private final Map<Integer, Long> vrfGeneration = new HashMap<>();
    private final Map<Integer, Boolean> vrfSyncing = new HashMap<>();
    private final FastPathMetrics metrics; // null: not measured (tests)
    private long allBegan;
    private final Map<Integer, Long> vrfBegan = new HashMap<>();
    private boolean superseded;

    ConnectionApplier(ForwardingState state) {
        this(state, null);
    }

    ConnectionApplier(ForwardingState state, FastPathMetrics metrics) {
        this.state = state;
        this.metrics = metrics;
    }

    @Override
    public void connected(FpcHello peer) {
        owner = peer.identity();
        state.claimOwner(owner, this);
    }

    @Override
    public FpcStatus apply(FpcMessage message) {
        if (message instanceof FpcKeepalive) return FpcStatus.OK;
        FpcStatus status;
        synchronized (state) {
            // A sender that reconnected supersedes its previous connection, whose messages may still be
            // queued here: applied now, they would tag objects with a generation the sender abandoned,
            // and the new generation's sweep would delete what the kernel still holds.
            if (!state.isCurrentConnection(owner, this)) {
                if (!superseded) log.warn("a connection of {} was superseded by a newer one: its remaining messages"
                        + " are refused", owner);
                superseded = true;
                status = FpcStatus.INVALID;
            } else {
                status = applyMessage(message);
            }
        }
        if (metrics != null) metrics.applied(message, status);
        return status;
    }

    private FpcStatus applyMessage(FpcMessage message) {
        // Control requests (port enable/disable, capture, MTU) are not implemented: the sender is told so.
        if (message instanceof FpcControl) return FpcStatus.UNSUPPORTED;
        if (message instanceof FpcSyncBegin b) return begin(b);
        if (message instanceof FpcSyncEnd e) return end(e);
        if (message instanceof FpcVrf v && v.add()) return state.addVrf(v, owner, allGeneration);
        if (message instanceof FpcRouteList l) return applyRoutes(l);
        Integer vrf = vrfOf(message);
        return state.apply(message, owner, vrf == null ? allGeneration : generationOf(vrf));
    }

    /**
     * Each route as its own ROUTE_ADD; the list's status is the first route's that is not OK. A route whose
     * apply throws is that route's ERROR, as a single message's would be, not the end of the list.
     */
    private FpcStatus applyRoutes(FpcRouteList list) {
        FpcStatus status = FpcStatus.OK;
        int vrf = 0;
        long generation = 0;
        boolean known = false;
        // The list's IPv6 route class entries are written in batches, each of one VRF (see
        // ForwardingState.gatherRouteWrites), all of them before its report.
        state.gatherRouteWrites();
        try {
            for (FpcRoute r : list.routes()) {
                if (!known || r.vrf() != vrf) { // a list's routes are mostly of one VRF
                    if (known) {
                        status = firstRefusal(status, state.writeGatheredRoutes());
                        state.gatherRouteWrites();
                    }
                    vrf = r.vrf();
                    generation = generationOf(vrf);
                    known = true;
                }
                FpcStatus s;
                try {
                    s = state.apply(r, owner, generation);
                } catch (RuntimeException e) {
                    log.error("applying {} of a route list failed", r, e);
                    s = FpcStatus.ERROR;
                }
                status = firstRefusal(status, s);
            }
        } finally {
            status = firstRefusal(status, state.writeGatheredRoutes());
        }
        return status;
    }

    private static FpcStatus firstRefusal(FpcStatus sofar, FpcStatus next) {
        return sofar != FpcStatus.OK ? sofar : next;
    }

    @Override
    public long capabilities() {
        return FpcHello.ROUTE_ADD_LISTS;
    }

    private FpcStatus begin(FpcSyncBegin b) {
        if (b.vrf() == FpcSyncBegin.ALL_VRFS) {
            if (allSyncing) state.generationEnded(allGeneration); // abandoned: never swept
            // A sync over all VRFs also refreshes each VRF's objects unless that VRF syncs on its own; the
            // VRFs' own syncs in progress are abandoned (their SYNC_END no longer closes their generation).
            vrfSyncing.forEach((vrf, syncing) -> {
                if (syncing) state.generationEnded(vrfGeneration.get(vrf));
            });
            vrfSyncing.clear();
            allGeneration = b.generation();
            allSyncing = true;
            allBegan = System.nanoTime();
            state.generationBegan(allGeneration);
            vrfGeneration.replaceAll((k, v) -> b.generation());
            log.info("generation {} of {} over all its vrfs begins", b.generation(), owner);
        } else {
            if (Boolean.TRUE.equals(vrfSyncing.get(b.vrf()))) state.generationEnded(vrfGeneration.get(b.vrf()));
            vrfGeneration.put(b.vrf(), b.generation());
            vrfSyncing.put(b.vrf(), true);
            state.generationBegan(b.generation());
            vrfBegan.put(b.vrf(), System.nanoTime());
            log.debug("generation {} of {} for vrf {} begins", b.generation(), owner, b.vrf());
        }
        return FpcStatus.OK;
    }

    private FpcStatus end(FpcSyncEnd e) {
        if (e.vrf() == FpcSyncBegin.ALL_VRFS) {
            if (!allSyncing || e.generation() != allGeneration) {
                log.warn("SYNC_END {} from {} does not close generation {}: nothing swept", e.generation(), owner, allGeneration);
                return FpcStatus.INVALID;
            }
            allSyncing = false;
            state.sweepVrfSet(owner, allGeneration, this::generationOf);
            state.generationEnded(allGeneration);
            if (metrics != null) metrics.generationCompleted(true, Duration.ofNanos(System.nanoTime() - allBegan));
            return FpcStatus.OK;
        }
        Long current = vrfGeneration.get(e.vrf());
        if (!Boolean.TRUE.equals(vrfSyncing.get(e.vrf())) || current == null || current != e.generation()) {
            log.warn("SYNC_END {} of vrf {} from {} does not close its generation {}: nothing swept",
                    e.generation(), e.vrf(), owner, current);
            return FpcStatus.INVALID;
        }
        vrfSyncing.put(e.vrf(), false);
        state.sweepVrf(owner, e.vrf(), e.generation());
        state.generationEnded(e.generation());
        Long began = vrfBegan.remove(e.vrf());
        if (metrics != null && began != null) metrics.generationCompleted(false, Duration.ofNanos(System.nanoTime() - began));
        return FpcStatus.OK;
    }

    private long generationOf(int vrf) {
        return vrfGeneration.getOrDefault(vrf, allGeneration);
    }

    private static Integer vrfOf(FpcMessage m) {
        if (m instanceof FpcVrf x) return x.vrf();
        if (m instanceof FpcLink x) return x.vrf();
        if (m instanceof FpcAddress x) return x.vrf();
        if (m instanceof FpcNeighbour x) return x.vrf();
        if (m instanceof FpcRoute x) return x.vrf();
        if (m instanceof FpcNexthopObject x) return x.vrf();
        if (m instanceof FpcNexthopGroup x) return x.vrf();
        if (m instanceof io.xdpgate.fpc.FpcVxlan x) return x.vrf();
        if (m instanceof io.xdpgate.fpc.FpcPolicyRouting x) return x.vrf();
        return null;
    }

    @Override
    public void connectionClosed() {
        // A sync cut short is never swept: the next connection starts new generations.
        boolean cutShort = allSyncing || vrfSyncing.containsValue(true);
        synchronized (state) {
            state.releaseOwner(owner, this);
            if (allSyncing) state.generationEnded(allGeneration);
            vrfSyncing.forEach((vrf, syncing) -> {
                if (syncing) state.generationEnded(vrfGeneration.get(vrf));
            });
        }
        allSyncing = false;
        vrfSyncing.clear();
        if (cutShort) log.warn("connection of {} closed during a resynchronization: waiting for the next one", owner);
    }
}
