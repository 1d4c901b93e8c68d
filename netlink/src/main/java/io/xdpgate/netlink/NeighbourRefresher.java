package io.xdpgate.netlink;

import io.xdpgate.netlink.sys.Errno;
import java.io.Closeable;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Tells the kernel of one network namespace that neighbours are in use, as its own transmit path
 * would: RTM_NEWNEIGH with NTF_USE, which runs neigh_event_send on the existing entry. The entry's
 * last use is set to now, so the garbage collector keeps it, and a STALE entry goes to DELAY, then
 * PROBE (a unicast ARP request or neighbour solicitation) and back to REACHABLE when the neighbour
 * answers, or to FAILED when it does not. Nothing is ever created (no NLM_F_CREATE) or rewritten.
 * <p>Only entries in a dynamic usable state (REACHABLE, STALE, DELAY, PROBE) are touched: measured
 * on Linux 6.18, NTF_USE on a PERMANENT entry clears PERMANENT and sends it back to resolution
 * (INCOMPLETE), so static entries (PERMANENT, NOARP) are left alone; entries that are absent,
 * INCOMPLETE or FAILED are not the fast path's to revive. Each call therefore dumps the
 * namespace's neighbour table of the families asked for first (one dump per family), then sends
 * the requests, up to {@value #WINDOW} at a time, and checks every acknowledgement.
 * <p>One thread at a time.
 */
public final class NeighbourRefresher implements Closeable {

    /** A neighbour as the kernel keys it: interface and address (an Inet4Address or Inet6Address). */
    public record Target(int ifindex, InetAddress address) {}

    /**
     * What one {@link #refresh} did.
     *
     * @param sent      requests sent (each acknowledged or counted in failures)
     * @param skippedStatic targets whose kernel entry is PERMANENT or NOARP
     * @param skippedUnusable targets with no kernel entry, or one INCOMPLETE, FAILED or NONE
     * @param failures  failed requests by errno name (or "timeout": no answer)
     */
    public record Outcome(int sent, int skippedStatic, int skippedUnusable, Map<String, Integer> failures) {
        public int failed() {
            return failures.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** Requests in flight at once: their acknowledgements fit the receive buffer many times over. */
    static final int WINDOW = 64;
    private static final int RECEIVE_BUFFER = 1 << 20;
    /** An acknowledgement later than this is counted as a failure ("timeout"). */
    private static final long ACK_TIMEOUT_NANOS = 2_000_000_000L;
    private static final int DYNAMIC = Rtnl.NUD_REACHABLE | Rtnl.NUD_STALE | Rtnl.NUD_DELAY | Rtnl.NUD_PROBE;
    private static final int STATIC = Rtnl.NUD_PERMANENT | Rtnl.NUD_NOARP;

    private final NetlinkSocket socket;
    private final RtnlDumper dumper;
    private int seq = (int) (System.nanoTime() & 0x3fffffff);

    private NeighbourRefresher(NetlinkSocket socket) {
        this.socket = socket;
        this.dumper = new RtnlDumper(socket, null, socket::isClosed);
    }

    /** A refresher for namespace {@code netns} of /run/netns ("" or null: the caller's own). */
    public static NeighbourRefresher open(String netns) throws NetlinkException {
        try {
            return new NeighbourRefresher(NetworkNamespace.call(netns, () -> NetlinkSocket.open(RECEIVE_BUFFER)));
        } catch (NetlinkException e) {
            throw new NetlinkException("network namespace '" + netns + "': " + e.getMessage(), e.errno(), e);
        } catch (Exception e) {
            throw new NetlinkException("network namespace '" + netns + "': " + e.getMessage(), 0, e);
        }
    }

    /** Marks every target that has a dynamic kernel entry as used (see the class comment). */
    public Outcome refresh(Collection<Target> targets) throws NetlinkException {
        Map<Target, Integer> states = kernelStates(targets);
        List<Target> usable = new ArrayList<>();
        int skippedStatic = 0;
        int skippedUnusable = 0;
        for (Target t : targets) {
            Integer state = states.get(t);
            if (state != null && (state & STATIC) != 0) {
                skippedStatic++;
            } else if (state != null && (state & DYNAMIC) != 0) {
                usable.add(t);
            } else {
                skippedUnusable++;
            }
        }
        Map<String, Integer> failures = new TreeMap<>();
        for (int from = 0; from < usable.size(); from += WINDOW) {
            sendAndAwait(usable.subList(from, Math.min(usable.size(), from + WINDOW)), failures);
        }
        return new Outcome(usable.size(), skippedStatic, skippedUnusable, failures);
    }

    /** The NUD state of every kernel entry among the targets' families. */
    private Map<Target, Integer> kernelStates(Collection<Target> targets) throws NetlinkException {
        boolean v4 = targets.stream().anyMatch(t -> t.address() instanceof Inet4Address);
        boolean v6 = targets.stream().anyMatch(t -> !(t.address() instanceof Inet4Address));
        Map<Target, Integer> states = new HashMap<>();
        for (int family : new int[] {Rtnl.AF_INET, Rtnl.AF_INET6}) {
            if (family == Rtnl.AF_INET ? !v4 : !v6) continue;
            // A dump the table changed under may miss an entry: that target waits for the next call.
            dumper.dump(Rtnl.RTM_GETNEIGH, family, e -> {
                if (!e.deleted() && e.object() instanceof Neighbour n) states.put(new Target(n.ifindex(), n.address()), n.state());
            });
        }
        return states;
    }

    private void sendAndAwait(List<Target> batch, Map<String, Integer> failures) throws NetlinkException {
        Map<Integer, Target> pending = new LinkedHashMap<>();
        for (Target t : batch) {
            int s = ++seq;
            socket.send(useRequest(t, s));
            pending.put(s, t);
        }
        long deadline = System.nanoTime() + ACK_TIMEOUT_NANOS;
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            ByteBuffer datagram = socket.receive();
            if (datagram == null) continue;
            ParseResult r = RtnlCodec.parse(datagram, e -> { });
            if (r.portId() != socket.portId() || pending.remove(r.seq()) == null) continue; // a late answer to an earlier call
            if (r.error() != 0) failures.merge(errnoName(r.error()), 1, Integer::sum);
        }
        if (!pending.isEmpty()) failures.merge("timeout", pending.size(), Integer::sum);
    }

    /** "ENOENT" from "ENOENT (No such file or directory)". */
    private static String errnoName(int errno) {
        String d = Errno.describe(errno);
        int space = d.indexOf(' ');
        return space < 0 ? d : d.substring(0, space);
    }

    /**
     * RTM_NEWNEIGH, NLM_F_REQUEST | NLM_F_ACK (no NLM_F_CREATE, no NLM_F_REPLACE), ndm_flags NTF_USE,
     * ndm_state 0 (NTF_USE takes the entry's own state), NDA_DST the address.
     */
    static ByteBuffer useRequest(Target t, int seq) {
        byte[] addr = t.address().getAddress();
        int family = addr.length == 4 ? Rtnl.AF_INET : Rtnl.AF_INET6;
        int attribute = 4 + addr.length; // 8 or 20: already 4-byte aligned
        int length = Rtnl.NLMSG_HDRLEN + Rtnl.NDMSG_LEN + attribute;
        ByteBuffer m = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
        m.putInt(length);                                        // nlmsg_len
        m.putShort((short) Rtnl.RTM_NEWNEIGH);                   // nlmsg_type
        m.putShort((short) (Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK)); // nlmsg_flags
        m.putInt(seq);                                           // nlmsg_seq
        m.putInt(0);                                             // nlmsg_pid: the kernel
        m.put((byte) family);                                    // ndm_family
        m.put((byte) 0);                                         // ndm_pad1
        m.putShort((short) 0);                                   // ndm_pad2
        m.putInt(t.ifindex());                                   // ndm_ifindex
        m.putShort((short) 0);                                   // ndm_state
        m.put((byte) Rtnl.NTF_USE);                              // ndm_flags
        m.put((byte) 0);                                         // ndm_type
        m.putShort((short) attribute);                           // rta_len
        m.putShort((short) Rtnl.NDA_DST);                        // rta_type
        m.put(addr);                                             // the address, network order
        return m.flip();
    }

    @Override
    public void close() {
        socket.close();
    }
}
