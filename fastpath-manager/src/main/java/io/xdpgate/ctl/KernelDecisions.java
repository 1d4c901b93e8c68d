package io.xdpgate.ctl;

import io.xdpgate.netlink.NetlinkException;
import io.xdpgate.netlink.NexthopObject;
import io.xdpgate.netlink.Neighbour;
import io.xdpgate.netlink.NetlinkSocket;
import io.xdpgate.netlink.ParseResult;
import io.xdpgate.netlink.Route;
import io.xdpgate.netlink.Rtnl;
import io.xdpgate.netlink.RtnlCodec;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Asks the kernel of the calling thread's network namespace how it routes packets, over one
 * NETLINK_ROUTE socket: a thread that entered a VRF's namespace opens it and alone uses it.
 */
final class KernelDecisions implements AutoCloseable {

    /** RTM_F_FIB_MATCH (linux/rtnetlink.h): answer with the matching FIB entry, all its paths included. */
    static final int RTM_F_FIB_MATCH = 0x2000;
    /** Lookups sent in one datagram; the kernel answers each in its own. */
    private static final int CHUNK = 32;
    private static final int ATTEMPTS = 20; // of 250 ms receive timeouts

    private final NetlinkSocket socket;
    private int seq = (int) (System.nanoTime() & 0x3fffffff);

    private KernelDecisions(NetlinkSocket socket) {
        this.socket = socket;
    }

    static KernelDecisions open() throws NetlinkException {
        return new KernelDecisions(NetlinkSocket.open(4 << 20));
    }

    /**
     * The kernel's decision for each packet, in order. The IPv6 answer for a route through a nexthop object
     * names the route that first cached the nexthop's per-CPU route, not always the one that matched
     * (measured on Linux 6.18: with routes A and B through one nexthop object, a packet to B is answered
     * with A): for those the route is the longest match in {@code routes6}, the main table of the
     * kernel's dump, checked against the path the kernel's plain lookup (without fibmatch) chose. EINVAL
     * is a blackhole route's answer, or a martian's (a destination refused before any route lookup):
     * the dump's longest match tells which.
     */
    List<KernelDecision> decide(List<TestPacket> packets, KernelRoutes routes4, KernelRoutes routes6,
                                Map<Integer, NexthopObject> objects) throws NetlinkException {
        List<ByteBuffer> requests = new ArrayList<>(packets.size());
        for (TestPacket p : packets) requests.add(request(p, RTM_F_FIB_MATCH));
        List<KernelDecision> out = new ArrayList<>(exchange(requests));
        List<Integer> shared = new ArrayList<>();
        for (int i = 0; i < packets.size(); i++) {
            KernelDecision k = out.get(i);
            Route r = k.route();
            if (r != null && !packets.get(i).ipv4() && r.nhId() != 0) shared.add(i);
            if (r == null && k.errno() == KernelDecision.EINVAL) {
                Route match = (packets.get(i).ipv4() ? routes4 : routes6).lookup(packets.get(i).dst());
                if (!blackhole(match, objects)) out.set(i, KernelDecision.martian());
            }
        }
        if (shared.isEmpty()) return out;
        List<ByteBuffer> plain = new ArrayList<>(shared.size());
        for (int i : shared) plain.add(request(packets.get(i), 0));
        List<KernelDecision> chosen = exchange(plain);
        for (int j = 0; j < shared.size(); j++) {
            int i = shared.get(j);
            out.set(i, corrected(packets.get(i), out.get(i), chosen.get(j).route(), routes6, objects));
        }
        return out;
    }

    /** Whether the kernel drops by {@code r}: a blackhole route, or one through a blackhole nexthop object. */
    private static boolean blackhole(Route r, Map<Integer, NexthopObject> objects) {
        if (r == null) return false;
        if (r.type() == 6) return true; // RTN_BLACKHOLE
        NexthopObject o = r.nhId() == 0 ? null : objects.get(r.nhId());
        return o != null && o.blackhole();
    }

    /** The decision for an IPv6 answer through a nexthop object: see {@link #decide}. */
    static KernelDecision corrected(TestPacket p, KernelDecision fibmatch, Route chosen, KernelRoutes routes6,
                                    Map<Integer, NexthopObject> objects) {
        Route named = fibmatch.route();
        Route match = routes6.lookup(p.dst());
        String path = chosen == null ? "no path" : "via " + (chosen.gateway() == null ? "" : chosen.gateway().getHostAddress() + " ")
                + "dev #" + chosen.oif();
        if (match == null) {
            return fibmatch.withNote(named, "fibmatch named " + prefix(named) + ", the dump has no route for it, the plain lookup "
                    + path, false);
        }
        if (match.dstLength() == named.dstLength() && match.dst().equals(named.dst())) return fibmatch;
        if (chosen == null) {
            return fibmatch.withNote(match, "fibmatch named " + prefix(named) + "; " + prefix(match)
                    + " from the dump, the plain lookup did not tell its path", true);
        }
        boolean holds = paths(match, objects).contains(new Hop(chosen.oif(), chosen.gateway()));
        String note = "fibmatch named " + prefix(named) + "; " + prefix(match) + " from the dump, "
                + (holds ? "which holds" : "which does not hold") + " the path the kernel chose, " + path;
        return fibmatch.withNote(match, note, holds);
    }

    /** One path: egress and gateway (null: directly connected). */
    private record Hop(int ifindex, InetAddress gateway) {}

    /** The paths a route forwards through, its nexthop object's members included. */
    private static List<Hop> paths(Route r, Map<Integer, NexthopObject> objects) {
        List<Hop> out = new ArrayList<>();
        if (r.nhId() != 0) {
            NexthopObject o = objects.get(r.nhId());
            if (o == null) return out;
            if (!o.isGroup()) out.add(new Hop(o.ifindex(), o.gateway()));
            for (var m : o.group()) {
                NexthopObject member = objects.get(m.id());
                if (member != null) out.add(new Hop(member.ifindex(), member.gateway()));
            }
        } else if (!r.multipath().isEmpty()) {
            for (var h : r.multipath()) out.add(new Hop(h.ifindex(), h.gateway()));
        } else {
            out.add(new Hop(r.oif(), r.gateway()));
        }
        return out;
    }

    private static String prefix(Route r) {
        return r.dst().getHostAddress() + "/" + r.dstLength();
    }

    /** Sends the requests in datagrams of {@value #CHUNK}; the answers in the same order. */
    private List<KernelDecision> exchange(List<ByteBuffer> requests) throws NetlinkException {
        List<KernelDecision> out = new ArrayList<>(requests.size());
        for (int from = 0; from < requests.size(); from += CHUNK) {
            out.addAll(exchangeChunk(requests.subList(from, Math.min(requests.size(), from + CHUNK))));
        }
        return out;
    }

    private List<KernelDecision> exchangeChunk(List<ByteBuffer> chunk) throws NetlinkException {
        int first = seq + 1;
        int length = 0;
        for (ByteBuffer m : chunk) length += m.remaining();
        ByteBuffer all = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
        for (ByteBuffer m : chunk) {
            m.putInt(8, ++seq);
            all.put(m.duplicate());
        }
        socket.send(all.flip());
        KernelDecision[] answers = new KernelDecision[chunk.size()];
        int answered = 0;
        int idle = 0;
        while (answered < chunk.size()) {
            ByteBuffer datagram = socket.receive();
            if (datagram == null) {
                if (++idle >= ATTEMPTS) {
                    throw new NetlinkException("the kernel answered " + answered + " of " + chunk.size()
                            + " route lookups in " + ATTEMPTS * 250 / 1000 + " s", 0);
                }
                continue;
            }
            Route[] route = new Route[1];
            ParseResult r = RtnlCodec.parse(datagram, e -> {
                if (e.object() instanceof Route x) route[0] = x;
            });
            int i = r.seq() - first;
            if (i < 0 || i >= chunk.size() || answers[i] != null) continue; // an earlier, abandoned request's
            if (route[0] != null) answers[i] = KernelDecision.of(route[0]);
            else if (r.error() != 0) answers[i] = KernelDecision.error(r.error());
            else if (r.ignored() > 0) answers[i] = new KernelDecision(null, 0, "a cached route (an exception), not read", true);
            else throw new NetlinkException("an RTM_GETROUTE answer without a route or an error", 0);
            answered++;
        }
        return List.of(answers);
    }

    /**
     * RTM_GETROUTE for {@code p} as it arrives: RTA_DST, RTA_SRC, RTA_IIF; with {@link #RTM_F_FIB_MATCH} in
     * {@code flags} the answer is the FIB entry, else the route the kernel made for the packet. The
     * sequence number is set when sent.
     */
    static ByteBuffer request(TestPacket p, int flags) {
        byte[] dst = p.dst().getAddress();
        byte[] src = p.src().getAddress();
        int length = Rtnl.NLMSG_HDRLEN + Rtnl.RTMSG_LEN + 2 * (4 + dst.length) + 8;
        ByteBuffer m = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
        m.putInt(length).putShort((short) Rtnl.RTM_GETROUTE).putShort((short) Rtnl.NLM_F_REQUEST).putInt(0).putInt(0);
        m.put((byte) (p.ipv4() ? Rtnl.AF_INET : Rtnl.AF_INET6));  // rtm_family
        m.put((byte) (dst.length * 8)).put((byte) (src.length * 8)); // rtm_dst_len, rtm_src_len
        m.put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0); // tos, table, protocol, scope, type
        m.putInt(flags);                                              // rtm_flags
        m.putShort((short) (4 + dst.length)).putShort((short) Rtnl.RTA_DST).put(dst);
        m.putShort((short) (4 + src.length)).putShort((short) Rtnl.RTA_SRC).put(src);
        m.putShort((short) 8).putShort((short) Rtnl.RTA_IIF).putInt(p.ingress());
        return m.flip();
    }

    /** Every neighbour entry of both families, dumped now (a dump the kernel interrupted is redone). */
    List<Neighbour> neighbours() throws NetlinkException {
        for (int attempt = 0; ; attempt++) {
            List<Neighbour> out = new ArrayList<>();
            int mine = ++seq;
            socket.send(RtnlCodec.dumpRequest(Rtnl.RTM_GETNEIGH, Rtnl.AF_UNSPEC, mine));
            boolean interrupted = false;
            int idle = 0;
            while (true) {
                ByteBuffer datagram = socket.receive();
                if (datagram == null) {
                    if (++idle >= ATTEMPTS) throw new NetlinkException("the neighbour dump did not finish", 0);
                    continue;
                }
                List<Neighbour> got = new ArrayList<>();
                ParseResult r = RtnlCodec.parse(datagram, e -> {
                    if (!e.deleted() && e.object() instanceof Neighbour n && n.family() != Rtnl.AF_BRIDGE) got.add(n);
                });
                if (r.seq() != mine) continue;
                if (r.error() != 0) throw new NetlinkException("neighbour dump: errno " + r.error(), r.error());
                out.addAll(got);
                interrupted |= r.dumpInterrupted();
                if (r.done()) break;
            }
            if (!interrupted) return out;
            if (attempt >= 5) throw new NetlinkException("the neighbour table kept changing during its dump", 0);
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
