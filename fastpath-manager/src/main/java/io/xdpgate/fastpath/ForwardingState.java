package io.xdpgate.fastpath;

import io.xdpgate.ebpf.BpfException;
import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.ebpf.Neighbour;
import io.xdpgate.ebpf.Nexthop;
import io.xdpgate.ebpf.NexthopGroup;
import io.xdpgate.ebpf.Port;
import io.xdpgate.ebpf.Route;
import io.xdpgate.fpc.FpcAddress;
import io.xdpgate.fpc.FpcLink;
import io.xdpgate.fpc.FpcMessage;
import io.xdpgate.fpc.FpcNeighbour;
import io.xdpgate.fpc.FpcNexthop;
import io.xdpgate.fpc.FpcNexthopGroup;
import io.xdpgate.fpc.FpcNexthopObject;
import io.xdpgate.fpc.FpcRoute;
import io.xdpgate.fpc.FpcRouteType;
import io.xdpgate.fpc.FpcStatus;
import io.xdpgate.fpc.FpcVrf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Turns FPC objects into fast path map entries. One instance serves every connection;
 * calls are serialized because the maps have a single writer.
 *
 * <p>Writes follow the dependency order of the fast path: a nexthop slot is written before
 * the route that points at it, and freed only after that route is gone.
 *
 * <p>IPv4 and IPv6 objects are held alike (keys carry an InetAddress of either family) and
 * written to the maps of their family through {@link IpFamily}.
 *
 * <p>Kernel nexthop objects and groups hold no map entry of their own: a route through one is
 * written from what the object is now (a slot keyed by its (vrf, ifindex, gateway) like any
 * route's, a nexthop group of its members' slots, a blackhole, or left to Linux), and rewritten
 * whenever the object changes.
 *
 * <p>ECMP: a route with several paths (its own, or those of a kernel nexthop group) forwards through
 * an xg_nhg group keyed by its VRF and canonical paths (see {@link Multipath}), shared by every route
 * with the same paths and weights, and holding references on its members' nexthop slots. What a group
 * cannot express (more paths than buckets, a path with no egress, a member that is not a usable
 * nexthop object) is left to Linux.
 */
final class ForwardingState implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ForwardingState.class);

    static final int RT_TABLE_MAIN = 254;
    static final int RT_TABLE_LOCAL = 255;
    private static final int IFF_UP = 0x1;
    private static final int IFF_LOWER_UP = 0x10000;
    private static final byte[] NO_MAC = new byte[6];
    private static final long FULL_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    static final int GROUP_CAPACITY = io.xdpgate.ebpf.MapLayouts.NHG_MAX;

    private final FastPathOptions options;
    private final FastPathMaps maps;
    private final NexthopTable nexthops;
    private final GroupTable groups;
    private final PortStatsSlots statsSlots;
    private final Map<Integer, Vrf> vrfs = new HashMap<>();
    private final Map<String, LongAdder> ignored = new ConcurrentHashMap<>();
    private long lastFullLog = System.nanoTime() - FULL_LOG_INTERVAL_NANOS;
    /**
     * Routes carry a small generation epoch instead of the sender's 64-bit generation (see
     * RouteTable): epoch 0 is {@link Vrf#ADOPTED}, the others are numbered as generations appear and
     * never given twice. A generation in progress (between its SYNC_BEGIN and its SYNC_END or the end of
     * its connection) keeps its epoch in {@code syncing}, never forgotten: its sweep compares the epoch of
     * what it wrote with its own. Of the others, only the {@value #EPOCHS_KEPT} used last are remembered
     * (every resync of every namespace is a generation, for the life of the manager). Forgetting a
     * completed generation is harmless: routes are swept by comparison with the epoch of the generation
     * that completes, so a later message of a forgotten generation, tagged with a new epoch, is kept or
     * swept exactly as with the old one.
     */
    private static final int EPOCHS_KEPT = 65_536;
    private final Map<Long, Integer> epochs = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Integer> eldest) {
            return size() > EPOCHS_KEPT;
        }
    };
    /** Generations in progress: their epoch, and how many syncs use them (two senders may pick one number). */
    private final Map<Long, int[]> syncing = new HashMap<>();
    private int epochsGiven;
    private long lastEpochGeneration = Vrf.ADOPTED;
    private int lastEpoch;
    private boolean vrfTableChanged;
    /** The generation of the message being applied: what a route that does not fit is charged to. */
    private long currentGeneration;

    ForwardingState(FastPathOptions options, FastPathMaps maps, int nexthopCapacity) {
        this(options, maps, nexthopCapacity, GROUP_CAPACITY);
    }

    ForwardingState(FastPathOptions options, FastPathMaps maps, int nexthopCapacity, int groupCapacity) {
        // A random seed per fast path: routers in series hash differently (no ECMP polarization).
        this(options, maps, nexthopCapacity, groupCapacity, new SecureRandom().nextInt());
    }

    /** With the flow hash seed of new groups given (adopted groups bring their own, see {@link #adopt}). */
    ForwardingState(FastPathOptions options, FastPathMaps maps, int nexthopCapacity, int groupCapacity, int groupSeed) {
        this.options = options;
        this.maps = maps;
        this.nexthops = new NexthopTable(maps, nexthopCapacity);
        this.groups = new GroupTable(maps, nexthops, groupCapacity, groupSeed);
        this.statsSlots = new PortStatsSlots(io.xdpgate.ebpf.MapLayouts.PORT_STATS_SLOTS, maps::clearPortStats);
    }

    /**
     * Takes over what a previous run left in the pinned maps, which the attached programs are
     * forwarding with right now. Nothing is rewritten here: every adopted object belongs to no
     * generation, so the first resynchronization of its VRF refreshes or sweeps it.
     */
    synchronized void adopt() throws BpfException {
        int routes = 0;
        Map<Integer, Nexthop> slots = maps.nexthopsInUse();
        Map<Integer, NexthopGroup> groupEntries = maps.nexthopGroupsInUse();
        Set<Integer> referenced = new HashSet<>();
        Set<Integer> referencedGroups = new HashSet<>();
        // Flows stay on their paths across the restart: new groups hash as the adopted ones do.
        groupEntries.values().stream().filter(NexthopGroup::isValid).findFirst().ifPresent(g -> groups.adoptSeed(g.seed()));
        Map<Integer, Boolean> anyPortUp = new HashMap<>();
        for (FastPathMaps.PortEntry p : maps.ports()) {
            adoptedVrf(p.vrf()).adoptedPorts.add(p.ifindex());
            statsSlots.adopt(p.vrf(), p.ifindex(), p.port().statsSlot()); // its counters go on where they were
            anyPortUp.merge(p.vrf(), (p.port().flags() & Port.UP) != 0, Boolean::logicalOr);
        }
        // Ports all down may have been written down for the VRF's sake: they stay down until the VRF's first
        // generation says whether that still holds (slower meanwhile, never wrong).
        anyPortUp.forEach((id, up) -> {
            if (!up) {
                adoptedVrf(id).downSinceAdoption = true;
                log.info("vrf {}: its ports were all down when the previous manager stopped: kept down until its first"
                        + " generation completes", id);
            }
        });
        for (FastPathMaps.Local4Entry l : maps.locals4()) adoptAddress(l.vrf(), l.ifindex(), l.address());
        for (FastPathMaps.Local6Entry l : maps.locals6()) adoptAddress(l.vrf(), l.ifindex(), l.address());
        for (FastPathMaps.Neighbour4Entry n : maps.neighbours4()) adoptNeighbour(n.vrf(), n.ifindex(), n.address(), n.neighbour());
        for (FastPathMaps.Neighbour6Entry n : maps.neighbours6()) adoptNeighbour(n.vrf(), n.ifindex(), n.address(), n.neighbour());
        for (FastPathMaps.Route4Entry r : maps.routes4()) {
            adoptRoute(r.vrf(), new Vrf.RouteKey(r.prefix(), r.prefixLength()), r.route(), referenced,
                    groupEntries, referencedGroups);
            routes++;
        }
        for (FastPathMaps.Route6Entry r : maps.routes6()) {
            adoptRoute(r.vrf(), new Vrf.RouteKey(r.prefix(), r.prefixLength()), r.route(), referenced,
                    groupEntries, referencedGroups);
            routes++;
        }
        // Route classes decide what each prefix holds from the VRF's routes: those just adopted.
        for (int vrf : maps.fib6ClassVrfs()) maps.useRoutes6(vrf, routes6(adoptedVrf(vrf)));
        for (int id : groupEntries.keySet()) {
            if (!referencedGroups.contains(id)) maps.clearNexthopGroup(id); // a group no route uses: a crash's leftover
        }
        for (int id : slots.keySet()) {
            if (!referenced.contains(id)) maps.clearNexthop(id); // a slot no route or group uses
        }
        // Nexthop objects have no entry of their own in the maps: the routes through them are adopted
        // with the slots and groups they forward by, and the first resynchronization announces the objects again.
        log.info("adopted from the pinned maps: {} vrfs, {} routes, {} nexthop slots, {} nexthop groups", vrfs.size(),
                routes, referenced.size(), referencedGroups.size());
    }

    private void adoptAddress(int vrf, int ifindex, InetAddress address) {
        // The prefix length is not in the map: -1 never matches an announced key, so the address, once
        // announced again, has two keys; sweeping the adopted one leaves the entry to the announced one
        // (see deleteAddress).
        adoptedVrf(vrf).addresses.put(new Vrf.AddressKey(ifindex, address, -1), Vrf.ADOPTED);
    }

    private void adoptNeighbour(int vrf, int ifindex, InetAddress address, Neighbour n) {
        Vrf.NeighbourEntry e = new Vrf.NeighbourEntry();
        e.mac = n.mac();
        e.generation = Vrf.ADOPTED;
        adoptedVrf(vrf).neighbours.put(new Vrf.NeighbourKey(ifindex, address), e);
    }

    private void adoptRoute(int vrf, Vrf.RouteKey key, Route r, Set<Integer> referenced,
                            Map<Integer, NexthopGroup> groupEntries, Set<Integer> referencedGroups) {
        int slot = 0;
        boolean group = false;
        if (r.isGroup()) {
            // The group and the slots of its buckets stay as they are until the route is rewritten; a
            // cleared group that a route still names stays reserved too, so that no new group takes its id.
            slot = r.groupId();
            if (slot <= 0 || slot >= groups.capacity()) {
                slot = 0; // names no entry: the route forwards nothing, holds nothing
            } else {
                group = true;
                for (int s : groups.adopt(slot, groupEntries.get(slot))) referenced.add(s);
                referencedGroups.add(slot);
            }
        } else if (r.type() == Route.UNICAST && r.nexthopId() > 0) {
            // A slot whose flags are all clear (egress down, gateway unresolved) is still this route's.
            slot = r.nexthopId();
            nexthops.adopt(slot);
            referenced.add(slot);
        }
        adoptedVrf(vrf).putRoute(key, RouteValue.of(r.type(), slot, slot > 0, false, group), epoch(Vrf.ADOPTED));
    }

    /** The connection each sender (by its HELLO identity) speaks through now: the newest. */
    private final Map<String, Object> connections = new HashMap<>();

    /** A sender's new connection: from now on its previous one, if still open, is not applied. */
    synchronized void claimOwner(String owner, Object connection) {
        connections.put(owner, connection);
    }

    synchronized void releaseOwner(String owner, Object connection) {
        connections.remove(owner, connection);
    }

    /** Whether a connection's messages are applied: it is its sender's newest, or the sender said no HELLO. */
    synchronized boolean isCurrentConnection(String owner, Object connection) {
        Object current = connections.get(owner);
        return current == null || current == connection;
    }

    /** Generations whose epoch is remembered (bounded, those in progress included), for tests. */
    synchronized int epochsRemembered() {
        return epochs.size() + syncing.size();
    }

    /** A sync of {@code generation} began: its epoch is kept until {@link #generationEnded} (see {@link #epochs}). */
    synchronized void generationBegan(long generation) {
        int[] s = syncing.get(generation);
        if (s != null) {
            s[1]++;
            return;
        }
        Integer known = epochs.remove(generation);
        int epoch = known != null ? known : generation == lastEpochGeneration ? lastEpoch : ++epochsGiven;
        syncing.put(generation, new int[] {epoch, 1});
    }

    /** A sync of {@code generation} ended or was abandoned: its epoch becomes one of those used last. */
    synchronized void generationEnded(long generation) {
        int[] s = syncing.get(generation);
        if (s == null || --s[1] > 0) return;
        syncing.remove(generation);
        epochs.put(generation, s[0]);
    }

    /** The epoch routes of {@code generation} are tagged with. */
    private int epoch(long generation) {
        if (generation == Vrf.ADOPTED) return 0;
        if (generation != lastEpochGeneration) { // a dump's routes all ask for the same one: no lookup each
            int[] s = syncing.get(generation);
            lastEpoch = s != null ? s[0] : epochs.computeIfAbsent(generation, g -> ++epochsGiven);
            lastEpochGeneration = generation;
        }
        return lastEpoch;
    }

    private Vrf adoptedVrf(int id) {
        return vrfs.computeIfAbsent(id, k -> new Vrf(k, null));
    }

    /** Applies one object message of sender {@code owner} in generation {@code generation}. */
    synchronized FpcStatus apply(FpcMessage message, String owner, long generation) {
        currentGeneration = generation;
        try {
            if (message instanceof FpcVrf m) return m.add() ? addVrf(m, owner, generation) : deleteVrf(m.vrf());
            Vrf vrf = vrfOf(message);
            if (vrf == null) {
                ignore("unknown_vrf", message);
                return FpcStatus.INVALID; // the sender must announce the VRF first
            }
            FpcStatus status = applyObject(vrf, message, generation);
            if (!vrf.vxlans.isEmpty() && VxlanUnderlay.mayChange(vrf, message)) refreshVxlanEncaps(vrf);
            return status;
        } catch (BpfException e) {
            log.error("{}: {}", describe(message), e.getMessage());
            return isMapFull(e) ? FpcStatus.NO_SPACE : FpcStatus.ERROR;
        }
    }

    private FpcStatus applyObject(Vrf vrf, FpcMessage message, long generation) throws BpfException {
        if (message instanceof FpcLink m) return m.add() ? addLink(vrf, m, generation) : deleteLink(vrf, m.ifindex());
        if (message instanceof FpcAddress m) return applyAddress(vrf, m, generation);
        if (message instanceof FpcNeighbour m) return applyNeighbour(vrf, m, generation);
        if (message instanceof FpcNexthopObject m) return applyNexthopObject(vrf, m, generation);
        if (message instanceof FpcNexthopGroup m) return applyNexthopGroup(vrf, m, generation);
        if (message instanceof FpcRoute m) return applyRoute(vrf, m, generation);
        if (message instanceof io.xdpgate.fpc.FpcVxlan m) return applyVxlan(vrf, m, generation);
        if (message instanceof io.xdpgate.fpc.FpcPolicyRouting m) return applyPolicyRouting(vrf, m, generation);
        return ignore("unsupported_message", message);
    }

    /**
     * End of a resynchronization over all VRFs of {@code owner}: the VRFs it did not announce in
     * {@code generation} are removed (with those adopted from a previous run that nobody claimed),
     * and the VRFs that had no sync of their own inside it are swept.
     */
    synchronized void sweepVrfSet(String owner, long generation, java.util.function.IntToLongFunction generationOf) {
        int removedVrfs = 0;
        int removed = 0;
        for (Vrf vrf : new ArrayList<>(vrfs.values())) {
            if (vrf.owner != null && !owner.equals(vrf.owner)) continue;
            try {
                if (vrf.owner == null || vrf.announced != generation) {
                    deleteVrf(vrf.id);
                    removedVrfs++;
                } else if (generationOf.applyAsLong(vrf.id) == generation) {
                    removed += sweepVrf(vrf, generation);
                }
            } catch (BpfException e) {
                log.error("sweep of vrf {}: {}", vrf.id, e.getMessage());
            }
        }
        log.info("generation {} of {} complete: {} vrfs and {} stale objects removed", generation, owner, removedVrfs, removed);
        flushVrfTable();
    }

    /** End of a resynchronization of one VRF: what {@code generation} did not refresh is deleted. */
    synchronized void sweepVrf(String owner, int vrfId, long generation) {
        Vrf vrf = vrfs.get(vrfId);
        if (vrf == null) return;
        try {
            int removed = sweepVrf(vrf, generation);
            log.info("generation {} of {} for vrf {} complete: {} stale objects removed", generation, owner, vrfId, removed);
        } catch (BpfException e) {
            log.error("sweep of vrf {}: {}", vrfId, e.getMessage());
        }
    }

    private int sweepVrf(Vrf vrf, long generation) throws BpfException {
        if (vrf.fibIncomplete && vrf.fullInGeneration != generation) {
            // Every route of this generation fitted: the fast path is exact again.
            vrf.fibIncomplete = false;
            log.info("vrf {}: every route fits again, the fast path forwards its traffic again", vrf.id);
            rewritePorts(vrf);
        }
        int current = epoch(generation);
        int removed = deleteRoutes(vrf, (value, epoch) -> epoch != current);
        for (var e : new ArrayList<>(vrf.nexthopObjects.entrySet())) {
            if (e.getValue().generation != generation) {
                deleteNexthopObject(vrf, e.getKey());
                removed++;
            }
        }
        for (var e : new ArrayList<>(vrf.neighbours.entrySet())) {
            if (e.getValue().generation != generation) {
                deleteNeighbour(vrf, e.getKey());
                removed++;
            }
        }
        for (var e : new ArrayList<>(vrf.addresses.entrySet())) {
            if (e.getValue() != generation) {
                deleteAddress(vrf, e.getKey());
                removed++;
            }
        }
        for (var e : new ArrayList<>(vrf.vxlans.entrySet())) {
            if (e.getValue().generation != generation) {
                deleteVxlan(vrf, e.getKey());
                removed++;
            }
        }
        boolean toLinux = vrf.toLinux();
        for (var e : new ArrayList<>(vrf.largeLocalRoutes.entrySet())) {
            if (e.getValue() != generation) {
                vrf.largeLocalRoutes.remove(e.getKey());
                removed++;
            }
        }
        if (vrf.policyRouting != 0 && vrf.policyRoutingGeneration != generation) {
            vrf.policyRouting = 0; // not announced again: the rules are the defaults
            removed++;
        }
        boolean heldSinceAdoption = vrf.downSinceAdoption;
        vrf.downSinceAdoption = false; // the generation has said all it had to say
        if (heldSinceAdoption && vrf.toLinux()) toLinuxChanged(vrf, false); // stays down: says why
        else toLinuxChanged(vrf, toLinux);
        for (var e : new ArrayList<>(vrf.links.entrySet())) {
            if (e.getValue().generation != generation) {
                deleteLink(vrf, e.getKey());
                removed++;
            }
        }
        if (!vrf.vxlans.isEmpty()) refreshVxlanEncaps(vrf);
        for (int ifindex : new ArrayList<>(vrf.adoptedPorts)) {
            removeAdoptedPort(vrf, ifindex);
            removed++;
        }
        return removed;
    }

    // ---- VRFs

    /**
     * A VRF announced by {@code owner}. Its program is loaded only when its first port appears:
     * a router may have thousands of namespaces and only a few of them with fast path ports.
     */
    synchronized FpcStatus addVrf(FpcVrf m, String owner, long setGeneration) {
        try {
            Vrf vrf = vrfs.get(m.vrf());
            if (vrf != null && vrf.netns != null && !vrf.netns.equals(m.name())) {
                deleteVrf(m.vrf()); // the id now names another namespace
                vrf = null;
            }
            if (vrf == null) {
                vrf = new Vrf(m.vrf(), m.name());
                vrfs.put(m.vrf(), vrf);
                publishVrfs();
            }
            if (vrf.netns == null) {
                vrf.netns = m.name(); // adopted at start-up, announced now
                publishVrfs();
            }
            vrf.owner = owner;
            vrf.announced = setGeneration;
            return FpcStatus.OK;
        } catch (BpfException e) {
            log.error("vrf {}: {}", m.vrf(), e.getMessage());
            return FpcStatus.ERROR;
        }
    }

    /**
     * Notes that the VRF table changed. It is written by {@link #flushVrfTable}, at the end of each
     * synchronization and every {@value FastPathManager#VRF_TABLE_FLUSH_MILLIS} ms otherwise: writing
     * the whole table for each VRF added made a burst of 4,096 new namespaces quadratic, long enough
     * for the cache manager's FPC keepalive to time out.
     */
    private void publishVrfs() {
        vrfTableChanged = true;
    }

    /** Writes the VRF table for operator tools (see {@link VrfTable}) if it changed since the last write. */
    synchronized void flushVrfTable() {
        if (!vrfTableChanged) return;
        vrfTableChanged = false;
        Map<Integer, String> table = new HashMap<>();
        for (Vrf v : vrfs.values()) {
            if (v.netns != null) table.put(v.id, v.netns);
        }
        try {
            VrfTable.publish(options.pinRoot(), table);
        } catch (java.io.IOException e) {
            log.warn("cannot publish the VRF table for operator tools: {}", e.getMessage());
        }
    }

    /** The first wait before a failed program load is tried again; it doubles after each failure, up to the last. */
    static final long LOAD_RETRY_FIRST_MILLIS = 1_000;
    static final long LOAD_RETRY_LAST_MILLIS = 300_000;

    /**
     * The VRF's program, loaded on first use; null (traffic stays with Linux) if it cannot load. A failed
     * load is tried again by {@link #retryFailedLoads}, sooner if a link change asks for the program.
     */
    private VrfDataplane dataplane(Vrf vrf) {
        if (vrf.dataplane == null && vrf.netns != null) {
            try {
                vrf.dataplane = VrfDataplane.load(options.pinRoot(), vrf.id, vrf.netns);
                vrf.loadRetryMillis = 0;
                log.info("vrf {} (netns '{}'): fast path program loaded", vrf.id, vrf.netns);
                if (specialPaths != null) specialPaths.dataplaneLoaded(vrf.dataplane);
            } catch (BpfException e) {
                boolean first = vrf.loadRetryMillis == 0;
                vrf.loadRetryMillis = first ? LOAD_RETRY_FIRST_MILLIS : Math.min(2 * vrf.loadRetryMillis, LOAD_RETRY_LAST_MILLIS);
                vrf.loadRetryAtNanos = System.nanoTime() + vrf.loadRetryMillis * 1_000_000;
                String text = "vrf {} (netns '{}'): cannot load the fast path, its traffic stays with Linux: {}; trying again in {} s";
                if (first) log.error(text, vrf.id, vrf.netns, e.getMessage(), vrf.loadRetryMillis / 1000);
                else log.warn(text, vrf.id, vrf.netns, e.getMessage(), vrf.loadRetryMillis / 1000);
            }
        }
        return vrf.dataplane;
    }

    /**
     * Loads again, when due, the programs of the VRFs whose load failed and that have a port to serve, and
     * attaches their ports: a load can fail for a passing reason (the verifier gives up with EAGAIN when
     * signals keep interrupting it, memory is short for a moment), and a VRF must not stay with Linux until
     * its next link change. Called every {@value FastPathManager#LOAD_RETRY_POLL_MILLIS} ms.
     */
    synchronized void retryFailedLoads() {
        long now = System.nanoTime();
        for (Vrf vrf : vrfs.values()) {
            if (vrf.loadRetryMillis == 0 || vrf.dataplane != null || now - vrf.loadRetryAtNanos < 0) continue;
            List<Vrf.LinkEntry> ports = new ArrayList<>();
            for (Vrf.LinkEntry e : vrf.links.values()) {
                if (e.link != null && isPort(vrf, e.link)) ports.add(e);
            }
            if (ports.isEmpty() && vrf.adoptedPorts.isEmpty()) {
                vrf.loadRetryMillis = 0; // nothing left to serve: the next port loads it
                continue;
            }
            if (dataplane(vrf) == null) continue;
            for (Vrf.LinkEntry port : ports) {
                FpcLink m = port.link;
                try {
                    addLink(vrf, m, port.generation);
                } catch (BpfException | RuntimeException e) {
                    log.error("vrf {}: {} (ifindex {}) after the program's load: {}", vrf.id, m.name(), m.ifindex(), e.getMessage());
                }
            }
        }
    }

    private FpcStatus deleteVrf(int id) throws BpfException {
        Vrf vrf = vrfs.get(id);
        if (vrf == null) return FpcStatus.OK;
        deleteRoutes(vrf, (value, epoch) -> true);
        for (Vrf.NeighbourKey k : new ArrayList<>(vrf.neighbours.keySet())) deleteNeighbour(vrf, k);
        for (Vrf.AddressKey k : new ArrayList<>(vrf.addresses.keySet())) deleteAddress(vrf, k);
        for (Integer ifindex : new ArrayList<>(vrf.links.keySet())) deleteLink(vrf, ifindex);
        for (Integer ifindex : new ArrayList<>(vrf.adoptedPorts)) removeAdoptedPort(vrf, ifindex);
        if (vrf.dataplane != null) {
            vrf.dataplane.detachAll();
            if (specialPaths != null) specialPaths.dataplaneRemoved(vrf.dataplane);
            vrf.dataplane.close();
        }
        maps.dropFib4Dir(id); // emptied by the deletes above
        maps.dropFib6Classes(id);
        maps.dropPortTable(id);
        vrfs.remove(id);
        publishVrfs();
        log.info("vrf {} (netns '{}') removed", id, vrf.netns);
        return FpcStatus.OK;
    }

    // ---- links and ports

    private FpcStatus addLink(Vrf vrf, FpcLink m, long generation) throws BpfException {
        Vrf.LinkEntry entry = vrf.links.computeIfAbsent(m.ifindex(), k -> new Vrf.LinkEntry());
        boolean adoptedPort = vrf.adoptedPorts.remove(m.ifindex());
        entry.link = m;
        entry.generation = generation;
        boolean wanted = isPort(vrf, m);
        VrfDataplane dp = wanted || adoptedPort ? dataplane(vrf) : vrf.dataplane;
        wanted &= dp != null;
        if (wanted && !dp.isAttached(m.ifindex())) {
            try {
                dp.attach(m.ifindex());
                log.info("vrf {}: fast path attached to {} (ifindex {})", vrf.id, m.name(), m.ifindex());
            } catch (Exception e) {
                log.error("vrf {}: cannot attach the fast path to {} (ifindex {}): {}",
                        vrf.id, m.name(), m.ifindex(), e.getMessage());
            }
        } else if (!wanted && dp != null && dp.isAttached(m.ifindex())) {
            detach(vrf, m.ifindex());
        } else if (!wanted && adoptedPort) {
            removeAdoptedPort(vrf, m.ifindex()); // a port of the previous run, no longer configured
        }
        if (dp != null && dp.isAttached(m.ifindex())) writePort(vrf, m);
        refreshNexthopsOn(vrf, m.ifindex());
        if (vrf.vxlans.containsKey(m.ifindex())) writeVxlan(vrf, m.ifindex()); // its MAC may have changed
        return FpcStatus.OK;
    }

    /** Whether the options make this link of the VRF a port of the fast path. */
    private boolean isPort(Vrf vrf, FpcLink m) {
        return options.isPort(vrf.netns, m.name(), m.kind(), m.mac());
    }

    /**
     * Writes the port entry of an attached link: up when the link is, unless the VRF's FIB is
     * incomplete (see {@link #fibFull}), which sends all its traffic to Linux.
     */
    private void writePort(Vrf vrf, FpcLink m) throws BpfException {
        int flags = isUp(m) && !vrf.toLinux() ? Port.UP : 0;
        int slot = statsSlots.assign(vrf.id, m.ifindex(), vrf.netns, m.name());
        if (slot == 0) log.warn("vrf {}: {} (ifindex {}) counted in the totals only: all {} port counter slots are taken",
                vrf.id, m.name(), m.ifindex(), statsSlots.capacity());
        maps.putPort(vrf.id, m.ifindex(), new Port(macOf(m), flags, m.mtu(), slot));
    }

    /** Rewrites the port entries of every attached link of a VRF (after its FIB became incomplete or complete). */
    private void rewritePorts(Vrf vrf) throws BpfException {
        if (vrf.dataplane == null) return;
        for (Vrf.LinkEntry e : vrf.links.values()) {
            if (e.link != null && vrf.dataplane.isAttached(e.link.ifindex())) writePort(vrf, e.link);
        }
    }

    /**
     * A route did not fit its map: the fast path would send its traffic by a shorter prefix,
     * which is wrong. Until a resynchronization of the VRF fits entirely, none of the VRF's
     * traffic is forwarded by the fast path: its ports lose XG_PORT_UP, so every packet is an
     * exception (not_port) that Linux forwards. Slower, never wrong; counted and logged.
     */
    private void fibFull(Vrf vrf, Vrf.RouteKey key, long generation, BpfException e) throws BpfException {
        vrf.fullInGeneration = generation;
        ignored.computeIfAbsent("fib_full", k -> new LongAdder()).increment();
        if (vrf.fibIncomplete) return;
        vrf.fibIncomplete = true;
        log.error("vrf {}: {} does not fit ({}): the VRF's traffic goes to Linux until a resynchronization"
                + " of the VRF fits in the maps", vrf.id,
                key == null ? "a batch of IPv6 route class entries" : "route " + key.prefix().getHostAddress() + "/" + key.prefixLength(),
                e.getMessage());
        rewritePorts(vrf);
    }

    /**
     * The routes applied from now on until {@link #writeGatheredRoutes} may have their IPv6 route class
     * entries written in batches (see {@link FastPathMaps#gatherRouteWrites}): for a route list.
     */
    synchronized void gatherRouteWrites() {
        maps.gatherRouteWrites();
    }

    /**
     * Writes the route class entries gathered since {@link #gatherRouteWrites} and stops gathering: OK, or
     * NO_SPACE when they did not fit (their VRF's FIB is then incomplete, as when a single route does
     * not fit), ERROR on another failure.
     */
    synchronized FpcStatus writeGatheredRoutes() {
        try {
            maps.writeGatheredRoutes();
            return FpcStatus.OK;
        } catch (BpfException e) {
            Vrf vrf = vrfs.get(maps.gatheredVrf());
            if (vrf != null && isMapFull(e)) {
                try {
                    fibFull(vrf, null, currentGeneration, e);
                    return FpcStatus.NO_SPACE;
                } catch (BpfException rewrite) {
                    log.error("vrf {}: {}", vrf.id, rewrite.getMessage());
                }
            }
            log.error("vrf {}: writing IPv6 route class entries: {}", maps.gatheredVrf(), e.getMessage());
            return FpcStatus.ERROR;
        }
    }

    private static boolean isMapFull(BpfException e) {
        return e.errno() == 28 /* ENOSPC: LPM trie */ || e.errno() == 7 /* E2BIG: hash */;
    }

    private FpcStatus deleteLink(Vrf vrf, int ifindex) throws BpfException {
        Vrf.LinkEntry entry = vrf.links.remove(ifindex);
        if (entry == null) return FpcStatus.OK;
        deleteVxlan(vrf, ifindex);
        detach(vrf, ifindex);
        // The kernel flushes what lived on the device; do the same even if a notification was lost.
        for (Vrf.NeighbourKey k : new ArrayList<>(vrf.neighbours.keySet())) {
            if (k.ifindex() == ifindex) deleteNeighbour(vrf, k);
        }
        for (Vrf.AddressKey k : new ArrayList<>(vrf.addresses.keySet())) {
            if (k.ifindex() == ifindex) deleteAddress(vrf, k);
        }
        for (var e : new ArrayList<>(vrf.nexthopObjects.entrySet())) {
            FpcNexthopObject o = e.getValue().single;
            if (o != null && o.ifindex() == ifindex) deleteNexthopObject(vrf, e.getKey());
        }
        refreshNexthopsOn(vrf, ifindex);
        return FpcStatus.OK;
    }

    private void detach(Vrf vrf, int ifindex) throws BpfException {
        if (vrf.dataplane == null || !vrf.dataplane.isAttached(ifindex)) return;
        maps.deletePort(vrf.id, ifindex);
        statsSlots.release(vrf.id, ifindex);
        try {
            vrf.dataplane.detach(ifindex);
            log.info("vrf {}: fast path detached from ifindex {}", vrf.id, ifindex);
        } catch (Exception e) {
            log.warn("vrf {}: detach from ifindex {}: {}", vrf.id, ifindex, e.getMessage());
        }
    }

    /** A port a previous run served whose interface the new generation no longer has. */
    private void removeAdoptedPort(Vrf vrf, int ifindex) throws BpfException {
        vrf.adoptedPorts.remove(ifindex);
        maps.deletePort(vrf.id, ifindex);
        statsSlots.release(vrf.id, ifindex);
        VrfDataplane dp = dataplane(vrf);
        if (dp == null) return;
        try {
            dp.detachPinned(ifindex);
        } catch (Exception e) {
            log.warn("vrf {}: detach of the former port ifindex {}: {}", vrf.id, ifindex, e.getMessage());
        }
    }

    private static boolean isUp(FpcLink link) {
        return (link.flags() & IFF_UP) != 0 && (link.flags() & IFF_LOWER_UP) != 0;
    }

    private static byte[] macOf(FpcLink link) {
        return link.mac() != null && link.mac().length == 6 ? link.mac() : NO_MAC;
    }

    // ---- addresses: the router's own addresses are local-delivery exceptions

    private FpcStatus applyAddress(Vrf vrf, FpcAddress m, long generation) throws BpfException {
        Vrf.AddressKey key = new Vrf.AddressKey(m.ifindex(), m.address(), m.prefixLength());
        if (!m.add()) {
            deleteAddress(vrf, key);
            return FpcStatus.OK;
        }
        vrf.addresses.put(key, generation);
        IpFamily.of(m.address()).putLocal(maps, vrf.id, m.address(), m.ifindex());
        return FpcStatus.OK;
    }

    private void deleteAddress(Vrf vrf, Vrf.AddressKey key) throws BpfException {
        if (vrf.addresses.remove(key) == null) return;
        IpFamily family = IpFamily.of(key.address());
        // The same address may remain on another interface or with another prefix length.
        for (Vrf.AddressKey other : vrf.addresses.keySet()) {
            if (other.address().equals(key.address())) {
                family.putLocal(maps, vrf.id, other.address(), other.ifindex());
                return;
            }
        }
        family.deleteLocal(maps, vrf.id, key.address());
    }

    // ---- neighbours

    private FpcStatus applyNeighbour(Vrf vrf, FpcNeighbour m, long generation) throws BpfException {
        InetAddress a = m.address();
        Vrf.NeighbourKey key = new Vrf.NeighbourKey(m.ifindex(), a);
        if (!m.add() || !isUnicastMac(m.mac())) {
            // Never forward to a broadcast or empty link-layer address: Linux resolves instead.
            deleteNeighbour(vrf, key);
            return FpcStatus.OK;
        }
        Vrf.NeighbourEntry entry = vrf.neighbours.get(key);
        boolean changed = entry == null || !java.util.Arrays.equals(entry.mac, m.mac());
        if (entry == null) {
            entry = new Vrf.NeighbourEntry();
            vrf.neighbours.put(key, entry);
        }
        entry.generation = generation;
        if (changed) {
            entry.mac = m.mac().clone();
            IpFamily.of(a).putNeighbour(maps, vrf.id, m.ifindex(), a, new Neighbour(entry.mac, m.state() & 0xff, false));
            refreshNexthop(vrf, new NexthopTable.Key(vrf.id, m.ifindex(), a)); // the slot of this gateway, if any
        }
        return FpcStatus.OK;
    }

    private void deleteNeighbour(Vrf vrf, Vrf.NeighbourKey key) throws BpfException {
        if (vrf.neighbours.remove(key) == null) return;
        IpFamily.of(key.address()).deleteNeighbour(maps, vrf.id, key.ifindex(), key.address());
        refreshNexthop(vrf, new NexthopTable.Key(vrf.id, key.ifindex(), key.address()));
    }

    static boolean isUnicastMac(byte[] mac) {
        if (mac == null || mac.length != 6 || (mac[0] & 1) != 0) return false; // group bit: broadcast/multicast
        for (byte b : mac) if (b != 0) return true;
        return false;
    }

    // ---- nexthops

    private Nexthop computeNexthop(Vrf vrf, NexthopTable.Key key) {
        Vrf.LinkEntry link = vrf.links.get(key.ifindex());
        boolean valid = link != null && isUp(link.link) && vrf.dataplane != null
                && vrf.dataplane.isAttached(key.ifindex()) && link.link.mac() != null && link.link.mac().length == 6;
        // Into a VXLAN device the fast path encapsulates (IPv4; its xg_vxlan_tx entry says towards where).
        boolean vxlan = link != null && isUp(link.link) && vrf.dataplane != null && vrf.vxlans.containsKey(key.ifindex())
                && vrf.vxlans.get(key.ifindex()).vxlan.local() instanceof java.net.Inet4Address
                && isUnicastMac(link.link.mac());
        int flags = valid || vxlan ? Nexthop.VALID : 0;
        if (vxlan) flags |= Nexthop.VXLAN;
        byte[] dmac = NO_MAC;
        if (key.gateway() == null) {
            flags |= Nexthop.CONNECTED;
        } else {
            Vrf.NeighbourEntry n = vrf.neighbours.get(new Vrf.NeighbourKey(key.ifindex(), key.gateway()));
            if (n != null) {
                flags |= Nexthop.RESOLVED;
                dmac = n.mac;
            }
        }
        int mtu = link == null ? 0 : link.link.mtu();
        byte[] smac = link == null ? NO_MAC : macOf(link.link);
        return new Nexthop(key.ifindex(), flags, mtu, dmac, smac, false);
    }

    private void refreshNexthop(Vrf vrf, NexthopTable.Key key) throws BpfException {
        if (nexthops.contains(key)) nexthops.refresh(key, computeNexthop(vrf, key));
    }

    private void refreshNexthopsOn(Vrf vrf, int ifindex) throws BpfException {
        for (NexthopTable.Key key : nexthops.keysOn(vrf.id, ifindex)) refreshNexthop(vrf, key);
    }

    // ---- nexthop objects and groups (the kernel's RTM_NEWNEXTHOP; one id space for both)

    private FpcStatus applyNexthopObject(Vrf vrf, FpcNexthopObject m, long generation) throws BpfException {
        Vrf.NexthopObjectEntry entry = vrf.nexthopObjects.get(m.id());
        if (!m.add()) {
            // Only if the id is an object now: a delete of the id's former kind never removes its new one.
            if (entry != null && entry.single != null) deleteNexthopObject(vrf, m.id());
            return FpcStatus.OK;
        }
        boolean changed = entry == null || !m.equals(entry.single);
        if (entry == null) {
            entry = new Vrf.NexthopObjectEntry();
            vrf.nexthopObjects.put(m.id(), entry);
        }
        entry.single = m;
        entry.members = null;
        entry.weights = null;
        entry.generation = generation;
        return changed ? rewriteRoutesThrough(vrf, m.id()) : FpcStatus.OK;
    }

    private FpcStatus applyNexthopGroup(Vrf vrf, FpcNexthopGroup m, long generation) throws BpfException {
        Vrf.NexthopObjectEntry entry = vrf.nexthopObjects.get(m.id());
        if (!m.add()) {
            if (entry != null && entry.members != null) deleteNexthopObject(vrf, m.id());
            return FpcStatus.OK;
        }
        int[] members = new int[m.members().size()];
        int[] weights = new int[members.length];
        for (int i = 0; i < members.length; i++) {
            members[i] = m.members().get(i).id();
            weights[i] = m.members().get(i).weight();
        }
        boolean changed = entry == null || !Arrays.equals(members, entry.members) || !Arrays.equals(weights, entry.weights);
        if (entry == null) {
            entry = new Vrf.NexthopObjectEntry();
            vrf.nexthopObjects.put(m.id(), entry);
        }
        entry.single = null;
        entry.members = members;
        entry.weights = weights;
        entry.generation = generation;
        return changed ? rewriteRoutesThrough(vrf, m.id()) : FpcStatus.OK;
    }

    /**
     * Forgets nexthop object or group {@code id}. The kernel flushes the routes through it, and their
     * deletes follow; a route still naming it meanwhile is left to Linux, never kept on a stale slot. It
     * stays in the reverse index, so that it is rewritten if the id comes back.
     */
    private void deleteNexthopObject(Vrf vrf, int id) throws BpfException {
        if (vrf.nexthopObjects.remove(id) == null) return;
        rewriteRoutesThrough(vrf, id); // every one of them becomes UNREACHABLE: no slot is taken
    }

    /**
     * What a route is written as: a Route.* type and, for UNICAST, the key of the nexthop slot or of the
     * nexthop group (ECMP) it forwards through (exactly one of them).
     */
    private record Target(int type, NexthopTable.Key nexthop, GroupTable.Key group) {
        Target(int type, NexthopTable.Key nexthop) {
            this(type, nexthop, null);
        }
    }

    private static final Target LEFT_TO_LINUX = new Target(Route.UNREACHABLE, null);

    /** What a route through nexthop object or group {@code id} forwards by, from what it is now. */
    private static Target throughObject(Vrf vrf, int id) {
        Vrf.NexthopObjectEntry o = vrf.nexthopObjects.get(id);
        if (o != null && o.members != null) {
            if (o.members.length > 1) return throughGroup(vrf, o);
            o = vrf.nexthopObjects.get(o.members[0]); // a group of one member forwards as that member
        }
        // Unknown (not announced yet, or deleted), or a group as a member (the kernel refuses those).
        if (o == null || o.single == null) return LEFT_TO_LINUX;
        FpcNexthopObject nh = o.single;
        if (nh.blackhole()) return new Target(Route.BLACKHOLE, null);
        if (nh.ifindex() <= 0) return LEFT_TO_LINUX;
        return new Target(Route.UNICAST, new NexthopTable.Key(vrf.id, nh.ifindex(), nh.gateway()));
    }

    /**
     * A kernel group of several members: ECMP over its members' paths with their weights. A member that
     * is unknown, a group, a blackhole or without egress leaves the whole group to Linux.
     */
    private static Target throughGroup(Vrf vrf, Vrf.NexthopObjectEntry group) {
        List<Multipath.Path> paths = new ArrayList<>(group.members.length);
        for (int i = 0; i < group.members.length; i++) {
            Vrf.NexthopObjectEntry member = vrf.nexthopObjects.get(group.members[i]);
            if (member == null || member.single == null) return LEFT_TO_LINUX;
            FpcNexthopObject nh = member.single;
            if (nh.blackhole() || nh.ifindex() <= 0) return LEFT_TO_LINUX;
            paths.add(new Multipath.Path(nh.ifindex(), nh.gateway(), group.weights[i]));
        }
        return multipath(vrf, paths);
    }

    /**
     * A route over these paths: a group of their canonical form, or the one slot of a single path (paths
     * that are all the same path), or left to Linux when there are more paths than a group has buckets.
     */
    private static Target multipath(Vrf vrf, List<Multipath.Path> paths) {
        List<Multipath.Path> canonical = Multipath.canonical(paths);
        if (canonical.size() == 1) {
            Multipath.Path only = canonical.get(0);
            return new Target(Route.UNICAST, new NexthopTable.Key(vrf.id, only.ifindex(), only.gateway()));
        }
        if (canonical.size() > Multipath.MAX_PATHS) return LEFT_TO_LINUX;
        return new Target(Route.UNICAST, null, new GroupTable.Key(vrf.id, canonical));
    }

    /**
     * Rewrites the routes through nexthop object or group {@code id}, and through the groups that have
     * {@code id} as a member, whose target changed. NO_SPACE when a route found no free nexthop slot or
     * group (it is left to Linux), OK otherwise.
     */
    private FpcStatus rewriteRoutesThrough(Vrf vrf, int id) throws BpfException {
        Set<Vrf.RouteKey> affected = new java.util.LinkedHashSet<>(vrf.routesByNexthopObject.getOrDefault(id, Set.of()));
        for (var e : vrf.nexthopObjects.entrySet()) {
            int[] members = e.getValue().members;
            if (members != null && contains(members, id)) {
                affected.addAll(vrf.routesByNexthopObject.getOrDefault(e.getKey(), Set.of()));
            }
        }
        boolean full = false;
        for (Vrf.RouteKey key : affected) {
            int value = vrf.route(key);
            int object = vrf.routeObjects.get(key);
            Target t = throughObject(vrf, object);
            if (!RouteValue.adopted(value) && t.equals(currentTarget(value))) continue;
            full |= !writeRoute(vrf, key, t, object, vrf.routeGeneration(key));
        }
        return full ? FpcStatus.NO_SPACE : FpcStatus.OK;
    }

    /** What a route of this (not adopted) value forwards by now, as a {@link Target}. */
    private Target currentTarget(int value) {
        int type = RouteValue.type(value);
        int slot = RouteValue.slot(value);
        if (RouteValue.group(value)) return new Target(type, null, groups.keyOf(slot));
        return new Target(type, nexthops.keyOf(slot));
    }

    private static boolean contains(int[] ids, int id) {
        for (int x : ids) if (x == id) return true;
        return false;
    }

    // ---- routes

    private FpcStatus applyRoute(Vrf vrf, FpcRoute m, long generation) throws BpfException {
        if (m.table() == RT_TABLE_LOCAL) return applyLocalRoute(vrf, m, generation);
        if (m.table() != RT_TABLE_MAIN) return ignore("route_not_main_table", m);
        if (m.prefixLength() < 0 || m.prefixLength() > IpFamily.of(m.prefix()).bits) return FpcStatus.INVALID;
        if (IpFamily.neverForwarded(m.prefix(), m.prefixLength())) return ignore("route_link_local_or_multicast", m);
        Vrf.RouteKey key = new Vrf.RouteKey(IpFamily.masked(m.prefix(), m.prefixLength()), m.prefixLength());
        if (!m.add()) {
            deleteRoute(vrf, key);
            return FpcStatus.OK;
        }
        Target t = new Target(routeType(m), null);
        int object = 0;
        if (t.type() == Route.UNICAST && m.nexthopId() != 0) {
            object = m.nexthopId();
            t = throughObject(vrf, object);
            if (t == LEFT_TO_LINUX) ignore("route_via_unknown_or_unusable_nexthop_object", m); // rewritten when it changes
        } else if (t.type() == Route.UNICAST) {
            t = ownPaths(vrf, m.nexthops());
            // Linux forwards what the fast path cannot express (exception "route type"): never wrong, only slower.
            if (t == LEFT_TO_LINUX) ignore("route_paths_not_expressible", m);
        }
        return writeRoute(vrf, key, t, object, epoch(generation)) ? FpcStatus.OK : FpcStatus.NO_SPACE;
    }

    /**
     * A configured route of the local table (the cache manager sends no other: see
     * {@link io.xdpgate.netlink.Route#isConfiguredLocal}): its addresses become the router's own, as
     * an interface's, or, for a prefix too large to list, the VRF's traffic goes to Linux while it lasts.
     */
    private FpcStatus applyLocalRoute(Vrf vrf, FpcRoute m, long generation) throws BpfException {
        if (m.type() != FpcRouteType.LOCAL) return ignore("route_local_table_not_local", m);
        IpFamily family = IpFamily.of(m.prefix());
        if (m.prefixLength() < 0 || m.prefixLength() > family.bits) return FpcStatus.INVALID;
        Vrf.RouteKey key = new Vrf.RouteKey(IpFamily.masked(m.prefix(), m.prefixLength()), m.prefixLength());
        List<InetAddress> addresses = LocalRoutes.addresses(key.prefix(), key.prefixLength());
        if (addresses == null) {
            boolean before = vrf.toLinux();
            if (m.add()) vrf.largeLocalRoutes.put(key, generation);
            else vrf.largeLocalRoutes.remove(key);
            toLinuxChanged(vrf, before);
            return FpcStatus.OK;
        }
        for (InetAddress a : addresses) {
            Vrf.AddressKey k = Vrf.AddressKey.ofLocalRoute(a, key.prefixLength());
            if (m.add()) {
                vrf.addresses.put(k, generation);
                family.putLocal(maps, vrf.id, a, 0);
            } else {
                deleteAddress(vrf, k);
            }
        }
        return FpcStatus.OK;
    }

    /**
     * The VRF's policy routing rules are not the kernel's defaults (ADD) or are again (DEL): while they are
     * not, the kernel may forward by other tables than main, which the fast path does not hold, so all the
     * VRF's traffic goes to Linux (its ports written down). Slower, never wrong.
     */
    private FpcStatus applyPolicyRouting(Vrf vrf, io.xdpgate.fpc.FpcPolicyRouting m, long generation) throws BpfException {
        boolean before = vrf.toLinux();
        vrf.policyRouting = m.add() ? m.families() : 0;
        vrf.policyRoutingGeneration = generation;
        toLinuxChanged(vrf, before);
        return FpcStatus.OK;
    }

    /**
     * Rewrites the VRF's ports when its large local routes or its policy routing rules made it go to Linux
     * or come back (a FIB that does not fit has its own log and rewrite: see {@link #fibFull}).
     */
    private void toLinuxChanged(Vrf vrf, boolean toLinuxBefore) throws BpfException {
        if (vrf.toLinux() == toLinuxBefore) return;
        if (!vrf.largeLocalRoutes.isEmpty()) {
            Vrf.RouteKey k = vrf.largeLocalRoutes.keySet().iterator().next();
            log.warn("vrf {}: local route {}/{} holds more than {} addresses, too many to list: the VRF's traffic goes"
                    + " to Linux while it lasts", vrf.id, k.prefix().getHostAddress(), k.prefixLength(),
                    LocalRoutes.MAX_ADDRESSES);
        } else if (vrf.policyRouting != 0) {
            log.warn("vrf {}: its policy routing rules ({}) are not the kernel's defaults and the fast path forwards by"
                    + " the main table only: the VRF's traffic goes to Linux while they last", vrf.id,
                    policyRoutingFamilies(vrf.policyRouting));
        } else {
            log.info("vrf {}: nothing left that the fast path cannot follow, it forwards the VRF's traffic again", vrf.id);
        }
        rewritePorts(vrf);
    }

    private static String policyRoutingFamilies(int families) {
        boolean v4 = (families & io.xdpgate.fpc.FpcPolicyRouting.IPV4) != 0;
        boolean v6 = (families & io.xdpgate.fpc.FpcPolicyRouting.IPV6) != 0;
        return v4 && v6 ? "IPv4 and IPv6" : v4 ? "IPv4" : "IPv6";
    }

    /** A route's own paths: one slot for one path, a group for several; left to Linux if a path has no egress. */
    private static Target ownPaths(Vrf vrf, List<FpcNexthop> hops) {
        if (hops.isEmpty()) return LEFT_TO_LINUX;
        if (hops.size() == 1) { // most routes: one path is its own canonical form
            FpcNexthop hop = hops.get(0);
            if (hop.ifindex() <= 0) return LEFT_TO_LINUX;
            return new Target(Route.UNICAST, new NexthopTable.Key(vrf.id, hop.ifindex(), hop.gateway()));
        }
        List<Multipath.Path> paths = new ArrayList<>(hops.size());
        for (FpcNexthop hop : hops) {
            if (hop.ifindex() <= 0) return LEFT_TO_LINUX;
            paths.add(new Multipath.Path(hop.ifindex(), hop.gateway(), hop.weight()));
        }
        return multipath(vrf, paths);
    }

    /**
     * Writes route {@code key} as {@code t} in place of what it was: the new slot or group is taken (and
     * written) before the route points at it, the previous one released after. Returns false when no
     * nexthop slot or group was free: the route is then written UNREACHABLE, so that Linux forwards its
     * traffic (slow but correct), and the shortage is counted and logged.
     */
    private boolean writeRoute(Vrf vrf, Vrf.RouteKey key, Target t, int object, int epoch) throws BpfException {
        long generation = currentGeneration;
        boolean slotted = true;
        int type = t.type();
        int id = 0;
        boolean group = false;
        try {
            if (t.nexthop() != null) {
                id = nexthops.acquire(t.nexthop(), k -> computeNexthop(vrf, k));
            } else if (t.group() != null) {
                id = groups.acquire(t.group(), k -> computeNexthop(vrf, k));
                group = true;
            }
        } catch (MapFullException e) {
            tableFull(key, e);
            slotted = false;
            type = Route.UNREACHABLE;
        }
        try {
            Route route = group ? Route.group(id) : new Route(type, id);
            IpFamily.of(key.prefix()).putRoute(maps, vrf.id, key.prefix(), key.prefixLength(), route);
        } catch (BpfException e) {
            if (group) groups.release(id);
            else if (id != 0) nexthops.release(t.nexthop());
            if (isMapFull(e)) fibFull(vrf, key, generation, e);
            throw e;
        }
        int previous = vrf.putRoute(key, RouteValue.of(type, id, false, object != 0, group), epoch);
        int previousObject = objectOf(vrf, key, previous);
        if (previous != RouteTable.ABSENT) releaseNexthop(previous);
        reindex(vrf, key, previousObject, object);
        if (previous == RouteTable.ABSENT) {
            if (key.prefix() instanceof Inet4Address) growFib4(vrf);
            else growFib6(vrf);
        }
        return slotted;
    }

    /**
     * Moves a VRF's IPv4 routes of /24 and shorter to a DIR-24 table once it holds
     * --large-table-routes routes (see {@link FastPathMaps#moveToFib4Dir}). A VRF stays in
     * xg_fib4 when every table is taken: slower lookups, the same decisions.
     */
    private void growFib4(Vrf vrf) throws BpfException {
        if (vrf.routes4.size() < Math.max(1, options.largeTableRoutes()) || vrf.fib4DirRefused
                || maps.hasFib4Dir(vrf.id)) {
            return;
        }
        List<FastPathMaps.Route4Entry> all = new ArrayList<>(vrf.routes4.size());
        vrf.routes4.forEach((hi, lo, length, value, epoch) ->
                all.add(new FastPathMaps.Route4Entry(vrf.id, RouteTable.inet4((int) hi), length, mapRoute(value))));
        long start = System.nanoTime();
        if (maps.moveToFib4Dir(vrf.id, all)) {
            log.info("vrf {}: {} IPv4 routes moved to a DIR-24 table in {} ms", vrf.id, all.size(),
                    (System.nanoTime() - start) / 1_000_000);
        } else {
            vrf.fib4DirRefused = true;
            log.warn("vrf {}: no DIR-24 table left ({} VRFs have one): its IPv4 routes stay in xg_fib4", vrf.id,
                    maps.fib4DirCount());
        }
    }

    /** As {@link #growFib4}, for IPv6: the VRF's routes of /17 and longer move to route classes. */
    private void growFib6(Vrf vrf) throws BpfException {
        if (vrf.routes6.size() < Math.max(1, options.largeTableRoutes()) || vrf.fib6ClassesRefused
                || maps.hasFib6Classes(vrf.id)) {
            return;
        }
        List<FastPathMaps.Route6Entry> all = new ArrayList<>(vrf.routes6.size());
        vrf.routes6.forEach((hi, lo, length, value, epoch) ->
                all.add(new FastPathMaps.Route6Entry(vrf.id, RouteTable.inet6(hi, lo), length, mapRoute(value))));
        long start = System.nanoTime();
        if (maps.moveToFib6Classes(vrf.id, all, routes6(vrf))) {
            log.info("vrf {}: {} IPv6 routes moved to route classes in {} ms", vrf.id, all.size(),
                    (System.nanoTime() - start) / 1_000_000);
        } else {
            vrf.fib6ClassesRefused = true;
            log.warn("vrf {}: no IPv6 class guide left ({} VRFs have one): its IPv6 routes stay in xg_fib6", vrf.id,
                    maps.fib6ClassesCount());
        }
    }

    /** A VRF's IPv6 routes as written in the maps, for its route classes. */
    private static FastPathMaps.Routes6 routes6(Vrf vrf) {
        return (hi, lo, length) -> {
            int value = vrf.routes6.get(hi, lo, length);
            return value == RouteTable.ABSENT ? null : mapRoute(value);
        };
    }

    /**
     * The route covering an IPv4 prefix in this VRF: its longest route shorter than the prefix
     * that contains it, as written in the maps, or null. What a DIR-24 table gives the /24s of a
     * deleted route.
     */
    private static FastPathMaps.CoveringRoute4 covering(Vrf vrf) {
        return (prefix, prefixLength) -> {
            int p = RouteTable.ipv4(prefix);
            for (int length = prefixLength - 1; length >= 0; length--) {
                int a = RouteTable.mask(p, length);
                int value = vrf.routes4.get(a, length);
                if (value != RouteTable.ABSENT) {
                    return new FastPathMaps.Route4Entry(vrf.id, RouteTable.inet4(a), length, mapRoute(value));
                }
            }
            return null;
        };
    }

    /** The map entry of a route of this value: what {@link #writeRoute} wrote. */
    private static Route mapRoute(int value) {
        int slot = RouteValue.slot(value);
        return RouteValue.group(value) ? Route.group(slot) : new Route(RouteValue.type(value), slot);
    }

    private void deleteRoute(Vrf vrf, Vrf.RouteKey key) throws BpfException {
        int value = vrf.route(key);
        if (value == RouteTable.ABSENT) return;
        int object = objectOf(vrf, key, value);
        IpFamily.of(key.prefix()).deleteRoute(maps, vrf.id, key.prefix(), key.prefixLength(), covering(vrf));
        vrf.removeRoute(key);
        releaseNexthop(value);
        reindex(vrf, key, object, 0);
    }

    /**
     * Deletes, from the FIB and the VRF, every route whose value and epoch match {@code which}.
     * Returns how many. A route whose FIB delete fails stays known, so that the next sweep retries it.
     */
    private int deleteRoutes(Vrf vrf, RouteTable.RouteFilter which) throws BpfException {
        int removed = 0;
        for (RouteTable table : new RouteTable[] {vrf.routes4, vrf.routes6}) {
            removed += table.removeIf(which, (hi, lo, length, value, epoch) -> {
                Vrf.RouteKey key = Vrf.keyOf(table, hi, lo, length);
                IpFamily.of(key.prefix()).deleteRoute(maps, vrf.id, key.prefix(), length, covering(vrf));
                releaseNexthop(value);
                reindex(vrf, key, objectOf(vrf, key, value), 0);
            });
        }
        return removed;
    }

    /** The nexthop object a route goes through, 0 for none (or no such route). */
    private static int objectOf(Vrf vrf, Vrf.RouteKey key, int value) {
        if (value == RouteTable.ABSENT || !RouteValue.throughObject(value)) return 0;
        Integer object = vrf.routeObjects.get(key);
        return object == null ? 0 : object;
    }

    /** Drops the reference a route of this value holds on its nexthop slot or group, if any. */
    private void releaseNexthop(int value) throws BpfException {
        int slot = RouteValue.slot(value);
        if (slot == 0) return;
        if (RouteValue.group(value)) {
            if (RouteValue.adopted(value)) groups.releaseAdopted(slot);
            else groups.release(slot);
        } else if (RouteValue.adopted(value)) {
            nexthops.releaseAdopted(slot);
        } else {
            nexthops.releaseSlot(slot);
        }
    }

    /**
     * Moves route {@code key} in the reverse index from nexthop object {@code from} to {@code to} (0: none),
     * and records which object the route goes through.
     */
    private static void reindex(Vrf vrf, Vrf.RouteKey key, int from, int to) {
        // Most routes: no object before or after, so nothing indexed (an entry exists only while the route's
        // value says it goes through an object, and from is 0 without one).
        if (from == 0 && to == 0) return;
        if (to != 0) vrf.routeObjects.put(key, to);
        else vrf.routeObjects.remove(key);
        if (from == to) return;
        if (from != 0) {
            Set<Vrf.RouteKey> routes = vrf.routesByNexthopObject.get(from);
            if (routes != null && routes.remove(key) && routes.isEmpty()) vrf.routesByNexthopObject.remove(from);
        }
        if (to != 0) vrf.routesByNexthopObject.computeIfAbsent(to, k -> new HashSet<>()).add(key);
    }

    private void tableFull(Vrf.RouteKey key, MapFullException e) {
        ignored.computeIfAbsent("nexthop_table_full", k -> new LongAdder()).increment();
        long now = System.nanoTime();
        if (now - lastFullLog >= FULL_LOG_INTERVAL_NANOS) {
            lastFullLog = now;
            log.warn("route {}/{} and others: {}", key.prefix().getHostAddress(), key.prefixLength(), e.getMessage());
        }
    }

    private static int routeType(FpcRoute m) {
        return switch (m.type()) {
            case UNICAST -> Route.UNICAST;
            case LOCAL -> Route.LOCAL;
            case BLACKHOLE -> Route.BLACKHOLE;
            case UNREACHABLE -> Route.UNREACHABLE;
            case PROHIBIT -> Route.PROHIBIT;
        };
    }

    // ---- bookkeeping

    private Vrf vrfOf(FpcMessage m) {
        int id;
        if (m instanceof FpcLink x) id = x.vrf();
        else if (m instanceof FpcAddress x) id = x.vrf();
        else if (m instanceof FpcNeighbour x) id = x.vrf();
        else if (m instanceof FpcRoute x) id = x.vrf();
        else if (m instanceof FpcNexthopObject x) id = x.vrf();
        else if (m instanceof FpcNexthopGroup x) id = x.vrf();
        else if (m instanceof io.xdpgate.fpc.FpcVxlan x) id = x.vrf();
        else if (m instanceof io.xdpgate.fpc.FpcPolicyRouting x) id = x.vrf();
        else return null;
        return vrfs.get(id);
    }

    private FpcStatus ignore(String reason, FpcMessage m) {
        ignored.computeIfAbsent(reason, k -> new LongAdder()).increment();
        log.debug("ignored ({}): {}", reason, m);
        return FpcStatus.OK;
    }

    private static String describe(FpcMessage m) {
        return m.getClass().getSimpleName() + " " + m;
    }

    Map<String, Long> ignoredCounts() {
        Map<String, Long> out = new HashMap<>();
        ignored.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** How full the manager's tables are: read by the metrics at scrape time. */
    /**
     * vrfsToLinux: VRFs whose traffic Linux forwards, their ports written down (see {@link Vrf#toLinux}):
     * routes that do not all fit ({@link #fibFull}), a local route too large to list, policy routing rules.
     */
    record Occupancy(int vrfs, long routes4, long routes6, int nexthopSlots, int groups, int vrfsToLinux,
                     int vrfsPolicyRouting) {}

    synchronized Occupancy occupancy() {
        long routes4 = 0;
        long routes6 = 0;
        for (Vrf v : vrfs.values()) {
            routes4 += v.routes4.size();
            routes6 += v.routes6.size();
        }
        int toLinux = (int) vrfs.values().stream().filter(Vrf::toLinux).count();
        int policyRouting = (int) vrfs.values().stream().filter(v -> v.policyRouting != 0).count();
        return new Occupancy(vrfs.size(), routes4, routes6, nexthops.size(), groups.size(), toLinux, policyRouting);
    }

    /** The fast path's counters summed over CPUs (not synchronized: a read of a per-CPU map). */
    Map<io.xdpgate.ebpf.Stat, io.xdpgate.ebpf.Counter> stats() {
        try {
            return maps.stats();
        } catch (BpfException e) {
            throw new IllegalStateException("xg_stats: " + e.getMessage(), e);
        }
    }

    /**
     * The counters of every port with a stats slot whose link is announced (an adopted port's wait in
     * its slot until then). Not synchronized: the slots are a concurrent view, the counters a per-CPU map.
     */
    List<PortMetrics.Reading> portStats() {
        List<PortMetrics.Reading> out = new ArrayList<>();
        for (PortStatsSlots.Assigned a : statsSlots.assigned()) {
            if (a.name() == null) continue;
            try {
                out.add(new PortMetrics.Reading(a.vrf(), a.netns(), a.name(), maps.portStats(a.slot())));
            } catch (BpfException e) {
                throw new IllegalStateException("xg_port_counts: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** Ports with a stats slot (not synchronized, as {@link #portStats}). */
    int portStatsSlotsInUse() {
        return statsSlots.inUse();
    }

    /** The stats slot of a port, 0 if it has none. */
    synchronized int statsSlotOf(int vrf, int ifindex) {
        return statsSlots.slotOf(vrf, ifindex);
    }

    synchronized int nexthopSlots() {
        return nexthops.size();
    }

    synchronized int nexthopGroups() {
        return groups.size();
    }

    /** The seed of the flow hash of the groups this manager writes. */
    synchronized int groupSeed() {
        return groups.seed();
    }

    // ---- VXLAN devices: the fast path decapsulates their VNIs (SpecialPaths writes xg_vxlan)

    private FpcStatus applyVxlan(Vrf vrf, io.xdpgate.fpc.FpcVxlan m, long generation) throws BpfException {
        if (!m.add()) {
            deleteVxlan(vrf, m.ifindex());
            return FpcStatus.OK;
        }
        Vrf.VxlanEntry e = vrf.vxlans.computeIfAbsent(m.ifindex(), k -> new Vrf.VxlanEntry());
        e.vxlan = m;
        e.generation = generation;
        writeVxlan(vrf, m.ifindex());
        refreshNexthopsOn(vrf, m.ifindex()); // nexthops through the device now encapsulate
        return FpcStatus.OK;
    }

    /**
     * Writes the xg_vxlan_tx entry of every VXLAN device of the VRF whose encapsulation changed: the
     * outer header towards its remote endpoint, from the underlay route and neighbour in this VRF
     * (see {@link VxlanUnderlay}). Called after whatever may change them, like nexthops follow their
     * neighbours.
     */
    private void refreshVxlanEncaps(Vrf vrf) {
        if (specialPaths == null) return;
        for (var x : vrf.vxlans.entrySet()) {
            Vrf.VxlanEntry e = x.getValue();
            io.xdpgate.ebpf.VxlanEncap encap = VxlanUnderlay.encap(vrf, x.getKey(), e.vxlan, nexthops::keyOf,
                    ifindex -> vrf.dataplane != null && vrf.dataplane.isAttached(ifindex));
            if (e.encapWritten && java.util.Objects.equals(encap, e.encap)) continue;
            e.encapWritten = specialPaths.putVxlanEncap(vrf.id, x.getKey(), encap);
            e.encap = encap;
        }
    }

    /**
     * Writes the xg_vxlan entry of a VXLAN device once both its parameters and its link (for the MAC)
     * are known; a device the fast path cannot serve (no IPv4 local address, no MAC) stays Linux's.
     */
    private void writeVxlan(Vrf vrf, int ifindex) {
        Vrf.VxlanEntry e = vrf.vxlans.get(ifindex);
        Vrf.LinkEntry link = vrf.links.get(ifindex);
        if (e == null || specialPaths == null) return;
        byte[] mac = link == null ? null : link.link.mac();
        boolean servable = mac != null && mac.length == 6 && e.vxlan.local() instanceof java.net.Inet4Address;
        if (e.written >= 0 && (!servable || e.written != e.vxlan.vni())) {
            specialPaths.deleteVxlan(vrf.id, e.written);
            e.written = -1;
        }
        if (servable && specialPaths.putVxlan(vrf.id, e.vxlan.vni(), ifindex, (java.net.Inet4Address) e.vxlan.local(),
                e.vxlan.port(), mac)) {
            e.written = e.vxlan.vni();
        }
    }

    private void deleteVxlan(Vrf vrf, int ifindex) {
        Vrf.VxlanEntry e = vrf.vxlans.remove(ifindex);
        if (e != null && e.written >= 0 && specialPaths != null) specialPaths.deleteVxlan(vrf.id, e.written);
        if (e != null && e.encapWritten && specialPaths != null) specialPaths.putVxlanEncap(vrf.id, ifindex, null);
        if (e != null) {
            try {
                refreshNexthopsOn(vrf, ifindex); // no longer into a VXLAN device
            } catch (BpfException ex) {
                log.warn("vrf {}: nexthops through the former VXLAN device ifindex {}: {}", vrf.id, ifindex, ex.getMessage());
            }
        }
    }

    // ---- special exceptions and packet capture (SpecialPaths)

    private SpecialPaths specialPaths; // null: none (tests of the forwarding state alone)

    /** From now on every VRF whose program loads gets its exception device. */
    synchronized void specialPaths(SpecialPaths s) {
        specialPaths = s;
    }

    /** The loaded dataplanes, for the capture watcher; each one's ports are read through it. */
    synchronized List<VrfDataplane> dataplanes() {
        List<VrfDataplane> out = new ArrayList<>();
        for (Vrf v : vrfs.values()) {
            if (v.dataplane != null) out.add(v.dataplane);
        }
        return out;
    }

    /** Releases handles. Pinned maps and links stay: forwarding goes on without the daemon. */
    @Override
    public synchronized void close() {
        for (Vrf vrf : vrfs.values()) {
            if (vrf.dataplane != null) vrf.dataplane.close();
        }
        maps.close();
    }
}
