package io.xdpgate.cachemanager;

import io.xdpgate.fpc.FpcGroupMember;
import io.xdpgate.fpc.FpcMessage;
import io.xdpgate.fpc.FpcNexthopGroup;
import io.xdpgate.fpc.FpcNexthopObject;
import io.xdpgate.fpc.FpcRoute;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * What the fast path was told refers to each nexthop object of one namespace (routes and groups),
 * so that deleting an object in the fast path comes after everything that used it.
 *
 * <p>What the kernel does when a nexthop object is deleted (measured on Linux 6.18, kept in
 * RtnlMonitorNexthopDeletePrivilegedTest of the netlink module): RTM_DELNEXTHOP of the object; the
 * IPv4 routes through it are flushed with <b>no</b> RTM_DELROUTE (IPv6 ones get an RTM_DELROUTE,
 * after the RTM_DELNEXTHOP, and only in nexthop_compat_mode); a group it belonged to is announced
 * again without it, or deleted if it was its last member, flushing that group's IPv4 routes silently.
 *
 * <p>How that reaches the fast path: on the DEL of an object or group, the DELs of the routes
 * through it are sent first, from {@link RoutesByNexthop}; an object that was the last member of a
 * group takes the group with it, so the group's DEL and its routes' DELs go first too. This costs memory per route through an
 * object, where the alternative, a full dump of the namespace at every nexthop delete, would cost a
 * resync of the whole table each time a routing daemon drops an unused nexthop group, which FRR
 * does all the time. The send queue sends route DELs before nexthop DELs (its dependency lanes), so
 * the order holds even when both wait in the queue together.
 *
 * <p>The one order the queue cannot give: it sends every DEL before any ADD queued with it, so a
 * route or group that was <em>changed</em> to stop using an object could reach the fast path after
 * the object's DEL if both were queued at once. For those cases (an object left behind by a change
 * while the queue has not run empty since, or an object that a group of several members still
 * names: the kernel announces the group without it only after the DEL), the DEL is not sent: the
 * namespace is dumped
 * again instead, the dump goes after everything queued before (SYNC_BEGIN is a barrier), and the
 * generation's sweep removes the object. That takes a deletion right after a change, which is rare.
 *
 * <p>One change needs a dump too: a blackhole object replaced by one that forwards while routes
 * use it. The kernel reports a route through a blackhole object as type blackhole, which is all
 * the fast path knows of it (a route of its own type blackhole may name a forwarding object, so the
 * type cannot be guessed away), and without nexthop_compat_mode it announces nothing when the
 * object changes.
 *
 * <p>On the monitor thread only; {@link #clear} at each new dump, which announces everything again.
 */
final class NexthopReferences {

    /** Ids left behind that are remembered at most; beyond that any DEL counts as possibly overtaking. */
    private static final int MAX_LEFT_BEHIND = 1 << 16;

    private final KernelTranslator translator;
    private final BooleanSupplier queueDrained;
    private final RoutesByNexthop routes = new RoutesByNexthop();
    private final Map<Integer, FpcNexthopGroup> groups = new HashMap<>(); // as last sent, by id
    private final Map<Integer, Set<Integer>> groupsNaming = new HashMap<>(); // member id -> ids of its groups
    private final Set<Integer> blackholes = new HashSet<>(); // ids of the blackhole objects
    /** Ids a route or group stopped using since the send queue was last seen empty. */
    private final Set<Integer> leftBehind = new HashSet<>();
    private boolean leftBehindOverflow;

    /**
     * @param queueDrained true when everything handed out so far has been taken for sending: what
     *                     is handed out next is then sent after it
     */
    NexthopReferences(KernelTranslator translator, BooleanSupplier queueDrained) {
        this.translator = translator;
        this.queueDrained = queueDrained;
    }

    static boolean isNexthopDelete(FpcMessage m) {
        return m instanceof FpcNexthopObject n && !n.add() || m instanceof FpcNexthopGroup g && !g.add();
    }

    /**
     * Notes a message about to be sent that is not a nexthop or group DEL. Returns true when the
     * namespace must be dumped again after it (a blackhole object that routes use now forwards).
     */
    boolean sending(FpcMessage m) {
        if (m instanceof FpcNexthopObject n && n.add()) {
            boolean wasBlackhole = n.blackhole() ? !blackholes.add(n.id()) : blackholes.remove(n.id());
            return wasBlackhole && !n.blackhole() && routes.routesUsing(n.id()) > 0;
        }
        if (m instanceof FpcRoute r && r.table() == KernelTranslator.RT_TABLE_MAIN) {
            int before = r.add() ? routes.put(r.prefix(), r.prefixLength(), r.nexthopId())
                    : routes.remove(r.prefix(), r.prefixLength());
            if (r.add() && before != 0 && before != r.nexthopId()) leaveBehind(before);
        } else if (m instanceof FpcNexthopGroup g && g.add()) {
            FpcNexthopGroup before = forgetGroup(g.id());
            groups.put(g.id(), g);
            for (FpcGroupMember member : g.members()) groupsNaming.computeIfAbsent(member.id(), k -> new HashSet<>()).add(g.id());
            if (before != null) {
                for (FpcGroupMember member : before.members()) {
                    if (!groupsNaming.getOrDefault(member.id(), Set.of()).contains(g.id())) leaveBehind(member.id());
                }
            }
        }
        return false;
    }

    /**
     * Before the DEL of a nexthop object or group: hands {@code out} what must reach the fast path
     * first (the DELs of the routes through it; for an object, the DEL of each group it was the last
     * member of, with that group's routes), and says whether the DEL itself may follow now (true) or
     * the namespace must be dumped again instead (false), as explained above.
     */
    boolean beforeDelete(FpcMessage del, Consumer<FpcMessage> out) {
        boolean now = true;
        int id;
        if (del instanceof FpcNexthopGroup g) {
            id = g.id();
            forgetGroup(id);
        } else {
            id = ((FpcNexthopObject) del).id();
            blackholes.remove(id);
            for (int groupId : List.copyOf(groupsNaming.getOrDefault(id, Set.of()))) {
                FpcNexthopGroup group = groups.get(groupId);
                if (group.members().size() > 1) {
                    now = false; // the kernel announces the group without it next: see above
                } else if (beforeDelete(group, out)) {
                    out.accept(new FpcNexthopGroup(false, group.vrf(), groupId, List.of()));
                } else {
                    now = false;
                }
            }
        }
        deleteRoutesThrough(id, out);
        return now && !mayBeOvertaken(id);
    }

    /** Forgets everything: a new dump follows. */
    void clear() {
        routes.clear();
        groups.clear();
        groupsNaming.clear();
        blackholes.clear();
        leftBehind.clear();
        leftBehindOverflow = false;
    }

    int routes() {
        return routes.size();
    }

    private void deleteRoutesThrough(int id, Consumer<FpcMessage> out) {
        for (RoutesByNexthop.Prefix p : routes.removeAll(id)) out.accept(translator.routeGone(p.prefix(), p.length(), id));
    }

    /** Drops a group and its members' links to it; returns it as last sent, or null. */
    private FpcNexthopGroup forgetGroup(int id) {
        FpcNexthopGroup g = groups.remove(id);
        if (g != null) {
            for (FpcGroupMember member : g.members()) {
                Set<Integer> naming = groupsNaming.get(member.id());
                if (naming != null && naming.remove(id) && naming.isEmpty()) groupsNaming.remove(member.id());
            }
        }
        return g;
    }

    private boolean mayBeOvertaken(int id) {
        if (leftBehind.isEmpty() && !leftBehindOverflow) return false;
        if (queueDrained.getAsBoolean()) {
            leftBehind.clear(); // every change that left something behind has been taken for sending
            leftBehindOverflow = false;
            return false;
        }
        return leftBehindOverflow || leftBehind.contains(id);
    }

    private void leaveBehind(int id) {
        if (leftBehind.size() < MAX_LEFT_BEHIND) leftBehind.add(id);
        else leftBehindOverflow = true;
    }
}
