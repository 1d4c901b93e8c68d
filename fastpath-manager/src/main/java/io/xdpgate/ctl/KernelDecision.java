package io.xdpgate.ctl;

import io.xdpgate.netlink.Route;
import io.xdpgate.netlink.RouteNexthop;

import java.util.Map;
import java.util.StringJoiner;

/**
 * The kernel's own route lookup for one packet arriving on its ingress port (RTM_GETROUTE with
 * RTA_IIF and RTM_F_FIB_MATCH, as {@code ip route get fibmatch DST from SRC iif PORT}): the route entry
 * the kernel forwards or delivers by, with all its paths, or the error of a packet it does not route.
 *
 * @param route the matched entry (the local table's for local, broadcast and anycast destinations), or
 *              null when the lookup failed
 * @param errno the lookup's error when {@code route} is null: ENETUNREACH (no route), EHOSTUNREACH
 *              (unreachable route), EACCES (prohibit route), EINVAL (blackhole route, or a martian)
 * @param note  how the route was found when the kernel's answer alone did not name it, null otherwise
 * @param consistent false when the kernel's answers contradict each other: no outcome is then right
 */
record KernelDecision(Route route, int errno, String note, boolean consistent) {

    static final int EACCES = 13;
    static final int EINVAL = 22;
    static final int ENETUNREACH = 101;
    static final int EHOSTUNREACH = 113;

    static KernelDecision of(Route route) {
        return new KernelDecision(route, 0, null, true);
    }

    static KernelDecision error(int errno) {
        return new KernelDecision(null, errno, null, true);
    }

    /** EINVAL without a blackhole route for the destination in the kernel's dump: a martian. */
    static KernelDecision martian() {
        return new KernelDecision(null, EINVAL, MARTIAN, true);
    }

    static final String MARTIAN = "no blackhole route matches in the dump: a martian, which Linux drops";

    boolean isMartian() {
        return route == null && errno == EINVAL && MARTIAN.equals(note);
    }

    KernelDecision withNote(Route route, String note, boolean consistent) {
        return new KernelDecision(route, 0, note, consistent);
    }

    /** As {@link #describe(Map)}, with the note. */
    String explain(Map<Integer, String> names) {
        return note == null ? describe(names) : describe(names) + " (" + note + ")";
    }

    /** As {@code ip route get} shows it, with interface names where known. */
    String describe(Map<Integer, String> names) {
        if (route == null) {
            return switch (errno) {
                case ENETUNREACH -> "no route (Network is unreachable)";
                case EHOSTUNREACH -> "unreachable route (No route to host)";
                case EACCES -> "prohibit route (Permission denied)";
                case EINVAL -> "blackhole route or martian (Invalid argument)";
                default -> "error errno " + errno;
            };
        }
        StringBuilder sb = new StringBuilder(type(route.type())).append(' ')
                .append(route.dst().getHostAddress()).append('/').append(route.dstLength());
        if (route.table() != 254) sb.append(" table ").append(route.table() == 255 ? "local" : route.table());
        if (route.nhId() != 0) sb.append(" nhid ").append(Integer.toUnsignedString(route.nhId()));
        if (!route.multipath().isEmpty()) {
            StringJoiner paths = new StringJoiner(" | ", " nexthops ", "");
            for (RouteNexthop h : route.multipath()) {
                paths.add((h.gateway() == null ? "" : "via " + h.gateway().getHostAddress() + " ") + "dev "
                        + names.getOrDefault(h.ifindex(), "#" + h.ifindex()) + " weight " + h.weight());
            }
            sb.append(paths);
        } else {
            if (route.gateway() != null) sb.append(" via ").append(route.gateway().getHostAddress());
            if (route.oif() != 0) sb.append(" dev ").append(names.getOrDefault(route.oif(), "#" + route.oif()));
        }
        return sb.toString();
    }

    private static String type(int rtn) {
        return switch (rtn) {
            case 1 -> "unicast";
            case 2 -> "local";
            case 3 -> "broadcast";
            case 4 -> "anycast";
            case 5 -> "multicast";
            case 6 -> "blackhole";
            case 7 -> "unreachable";
            case 8 -> "prohibit";
            case 9 -> "throw";
            default -> "type " + rtn;
        };
    }
}
