package io.xdpgate.cachemanager;

import io.xdpgate.netlink.NexthopGroupMember;
import io.xdpgate.netlink.NexthopObject;
import io.xdpgate.netlink.Route;
import io.xdpgate.netlink.RtnlEvent;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** Kernel events as RtnlMonitor delivers them, for translation tests. */
final class KernelEvents {
    static final int AF_INET = 2;
    static final int RTN_UNICAST = 1;
    static final int RTN_BLACKHOLE = 6;

    private KernelEvents() {}

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static RtnlEvent add(Object o) {
        return new RtnlEvent(false, (io.xdpgate.netlink.RtnlObject) o);
    }

    static RtnlEvent del(Object o) {
        return new RtnlEvent(true, (io.xdpgate.netlink.RtnlObject) o);
    }

    /** `ip nexthop add id ID via GATEWAY dev IFINDEX` */
    static NexthopObject object(int id, String gateway, int ifindex) {
        return new NexthopObject(id, AF_INET, ifindex, gateway == null ? null : ip(gateway), false, List.of(), 0, 0);
    }

    /** `ip nexthop add id ID blackhole` */
    static NexthopObject blackhole(int id) {
        return new NexthopObject(id, AF_INET, 0, null, true, List.of(), 0, 0);
    }

    /** `ip nexthop add id ID group A,W/B,W...`: pairs of member id and weight. */
    static NexthopObject group(int id, int... idsAndWeights) {
        List<NexthopGroupMember> members = new ArrayList<>();
        for (int i = 0; i < idsAndWeights.length; i += 2) members.add(new NexthopGroupMember(idsAndWeights[i], idsAndWeights[i + 1]));
        return new NexthopObject(id, 0, 0, null, false, members, 0, 0);
    }

    /** `ip route add PREFIX/LEN nhid ID` as the kernel reports it in nexthop_compat_mode (with the object's path). */
    static Route routeVia(String prefix, int length, int nhId) {
        return new Route(AF_INET, 254, RTN_UNICAST, 3, 0, length, ip(prefix), ip("10.8.0.2"), 7, 0, List.of(), nhId);
    }
}
