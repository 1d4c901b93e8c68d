package io.xdpgate.cachemanager;

import io.xdpgate.fpc.FpcAddress;
import io.xdpgate.fpc.FpcMessage;
import io.xdpgate.fpc.FpcNexthop;
import io.xdpgate.fpc.FpcRoute;
import io.xdpgate.fpc.FpcSyncEnd;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A follower in a real namespace mirrors IPv6 by default (needs root). */
class NamespaceFollowerIpv6PrivilegedTest extends FollowerFixture {


    @BeforeEach
    void addresses() throws Exception {
        vethsUp();
        ns.ip("-6", "addr", "add", "2001:db8:8::1/64", "dev", "xga", "nodad");
        ns.ip("-6", "addr", "add", "2001:db8:9::1/64", "dev", "xgb", "nodad");
    }

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void ipv6AddressesRoutesAndPathRemovalsReachTheFastPathSide() throws Exception {
        InetAddress fe80 = ip("fe80::");
        InetAddress prefix = ip("2001:db8:100::");
        int xga = ns.ifindex("xga");
        int xgb = ns.ifindex("xgb");
        follow(5, true);
        List<FpcMessage> dump = sent.snapshot();
        assertTrue(dump.contains(new FpcAddress(true, 5, xga, 64, ip("2001:db8:8::1"))), dump.toString());
        assertTrue(dump.stream().anyMatch(m -> m instanceof FpcRoute r && r.prefix().equals(fe80)
                && r.nexthops().equals(List.of(new FpcNexthop(xgb, null, 1)))), "fe80::/64 of each link: " + dump);
        assertFalse(dump.stream().anyMatch(m -> m instanceof FpcRoute r && r.prefix() instanceof Inet6Address
                && (r.prefix().getAddress()[0] & 0xff) == 0xff), "no multicast route: " + dump);
        assertTrue(dump.get(dump.size() - 1) instanceof FpcSyncEnd);

        int from = sent.size();
        ns.ip("-6", "route", "add", "2001:db8:100::/48", "nexthop", "via", "2001:db8:8::2", "dev", "xga",
                "nexthop", "via", "2001:db8:9::2", "dev", "xgb");
        int at = sent.await(from, m -> m instanceof FpcRoute r && r.add() && r.nexthops().size() == 2, 5_000);

        ns.ip("-6", "route", "del", "2001:db8:100::/48", "via", "2001:db8:9::2", "dev", "xgb");
        at = sent.await(at + 1, m -> m instanceof FpcRoute r && r.prefix().equals(prefix), 5_000);
        FpcRoute left = (FpcRoute) sent.snapshot().get(at);
        assertTrue(left.add(), "one path removed, the route stays: " + left);
        assertEquals(List.of(new FpcNexthop(xga, ip("2001:db8:8::2"), 1)), left.nexthops());

        ns.ip("-6", "route", "del", "2001:db8:100::/48");
        at = sent.await(at + 1, m -> m instanceof FpcRoute r && r.prefix().equals(prefix), 5_000);
        assertFalse(((FpcRoute) sent.snapshot().get(at)).add());
    }
}
