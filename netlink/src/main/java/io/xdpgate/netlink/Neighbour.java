package io.xdpgate.netlink;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Objects;

/**
 * A neighbour (ARP / NDP) entry (RTM_NEWNEIGH / RTM_DELNEIGH) of family AF_INET or AF_INET6, or of family
 * AF_BRIDGE the default remote of a VXLAN device (all-zeros lladdr, address = the remote endpoint).
 *
 * @param address NDA_DST
 * @param lladdr  NDA_LLADDR, null if none; copied in and out
 * @param state   NUD_*
 * @param flags   NTF_*
 */
public record Neighbour(int family, int ifindex, InetAddress address, byte[] lladdr, int state, int flags)
        implements RtnlObject {
    private static final int USABLE_STATES = Rtnl.NUD_REACHABLE | Rtnl.NUD_STALE | Rtnl.NUD_DELAY
            | Rtnl.NUD_PROBE | Rtnl.NUD_PERMANENT | Rtnl.NUD_NOARP;

    public Neighbour {
        lladdr = MacAddresses.copy(lladdr);
    }

    @Override
    public byte[] lladdr() {
        return MacAddresses.copy(lladdr);
    }

    /** NTF_ROUTER: an IPv6 neighbour that announced itself as a router. */
    public boolean isRouter() {
        return (flags & Rtnl.NTF_ROUTER) != 0;
    }

    /**
     * Whether the fast path may rewrite frames to this neighbour's link-layer address.
     * <p>True for REACHABLE, STALE, DELAY, PROBE, PERMANENT and NOARP, and only with an lladdr that is present,
     * not all zeros and not broadcast. STALE, DELAY and PROBE still hold the last confirmed address, which Linux
     * itself keeps using while it re-verifies; refusing them would bounce most traffic to the slow path. The
     * zero and broadcast checks keep the fast path from ever sending with a placeholder or flooding address.
     * <p>False for INCOMPLETE (resolution pending), FAILED (unreachable), NONE, or no usable lladdr: Linux must
     * handle those packets so that it can resolve, queue or send ICMP errors.
     */
    public boolean usableForForwarding() {
        return (state & USABLE_STATES) != 0 && lladdr != null && lladdr.length > 0
                && !MacAddresses.isZero(lladdr) && !MacAddresses.isBroadcast(lladdr);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Neighbour n && family == n.family && ifindex == n.ifindex && state == n.state
                && flags == n.flags && Objects.equals(address, n.address) && Arrays.equals(lladdr, n.lladdr);
    }

    @Override
    public int hashCode() {
        return Objects.hash(family, ifindex, address, Arrays.hashCode(lladdr), state, flags);
    }

    @Override
    public String toString() {
        return "Neighbour[family=" + family + ", ifindex=" + ifindex + ", address=" + address
                + ", lladdr=" + MacAddresses.format(lladdr) + ", state=0x" + Integer.toHexString(state)
                + ", flags=0x" + Integer.toHexString(flags) + "]";
    }
}
