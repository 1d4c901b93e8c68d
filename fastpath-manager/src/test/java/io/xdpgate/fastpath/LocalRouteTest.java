package io.xdpgate.fastpath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.ebpf.Port;
import io.xdpgate.fpc.FpcAddress;
import io.xdpgate.fpc.FpcRoute;
import io.xdpgate.fpc.FpcRouteType;
import io.xdpgate.fpc.FpcSyncBegin;
import io.xdpgate.fpc.FpcSyncEnd;
import io.xdpgate.fpc.FpcVrf;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Configured routes of the local table (AnyIP): every address of a small prefix becomes one of the
 * router's own, alongside the interface addresses; a prefix too large to list sends the VRF's
 * traffic to Linux while it lasts.
 */
class LocalRouteTest extends ForwardingStateFixture {

    private static FpcRoute local(boolean add, String prefix, int len) throws Exception {
        return new FpcRoute(add, VRF, ForwardingState.RT_TABLE_LOCAL, InetAddress.getByName(prefix), len,
                FpcRouteType.LOCAL, List.of());
    }

    private Set<String> locals() throws Exception {
        Set<String> out = new TreeSet<>();
        for (FastPathMaps.Local4Entry l : maps.locals4()) if (l.vrf() == VRF) out.add(l.address().getHostAddress());
        for (FastPathMaps.Local6Entry l : maps.locals6()) if (l.vrf() == VRF) out.add(l.address().getHostAddress());
        return out;
    }

    @Test
    void theAddressesOfASmallPrefixAreLocalAndShareWithInterfaceAddresses() throws Exception {
        ok(new FpcAddress(true, VRF, ifindex, 24, ip("10.204.0.7")));
        ok(local(true, "10.204.0.0", 30));
        ok(local(true, "2001:db8:204::", 126));
        assertEquals(Set.of("10.204.0.0", "10.204.0.1", "10.204.0.2", "10.204.0.3", "10.204.0.7",
                "2001:db8:204:0:0:0:0:0", "2001:db8:204:0:0:0:0:1", "2001:db8:204:0:0:0:0:2", "2001:db8:204:0:0:0:0:3"),
                locals());
        ok(new FpcAddress(true, VRF, ifindex, 24, ip("10.204.0.2"))); // also an interface's address now
        ok(local(false, "10.204.0.0", 30));
        assertEquals(Set.of("10.204.0.2", "10.204.0.7", "2001:db8:204:0:0:0:0:0", "2001:db8:204:0:0:0:0:1",
                "2001:db8:204:0:0:0:0:2", "2001:db8:204:0:0:0:0:3"), locals(), "the interface's address stays local");
        ok(local(false, "2001:db8:204::", 126));
        assertEquals(Set.of("10.204.0.2", "10.204.0.7"), locals());
    }

    @Test
    void aResynchronizationWithoutTheRouteRemovesItsAddresses() throws Exception {
        ok(local(true, "10.205.0.0", 31));
        ok(new FpcSyncEnd(1));
        assertEquals(Set.of("10.205.0.0", "10.205.0.1"), locals());
        ok(new FpcSyncBegin(2));
        ok(new FpcVrf(true, VRF, netns));
        ok(link(UP));
        ok(new FpcSyncEnd(2));
        assertEquals(Set.of(), locals());
    }

    @Test
    void aPrefixTooLargeToListSendsTheVrfToLinuxWhileItLasts() throws Exception {
        assertEquals(Port.UP, maps.port(VRF, ifindex).flags() & Port.UP);
        ok(local(true, "2001:db8:206::", 64));
        assertEquals(0, maps.port(VRF, ifindex).flags() & Port.UP, "the VRF's traffic goes to Linux");
        assertEquals(Set.of(), locals(), "nothing listed");
        ok(link(UP));
        assertEquals(0, maps.port(VRF, ifindex).flags() & Port.UP, "and stays there when its link changes");
        ok(local(false, "2001:db8:206::", 64));
        assertEquals(Port.UP, maps.port(VRF, ifindex).flags() & Port.UP, "the fast path forwards again");

        ok(local(true, "10.206.0.0", 16));
        assertEquals(0, maps.port(VRF, ifindex).flags() & Port.UP);
        ok(new FpcSyncEnd(1));
        ok(new FpcSyncBegin(2));
        ok(new FpcVrf(true, VRF, netns));
        ok(link(UP));
        ok(new FpcSyncEnd(2));
        assertEquals(Port.UP, maps.port(VRF, ifindex).flags() & Port.UP, "a generation without it: forwarding again");
    }

    @Test
    void listedAddresses() throws Exception {
        List<InetAddress> a = LocalRoutes.addresses(ip("10.1.2.3"), 20);
        assertEquals(LocalRoutes.MAX_ADDRESSES, a.size());
        assertEquals("10.1.0.0", a.get(0).getHostAddress());
        assertEquals("10.1.15.255", a.get(a.size() - 1).getHostAddress());
        assertEquals(List.of(ip("192.0.2.9")), LocalRoutes.addresses(ip("192.0.2.9"), 32));
        assertNull(LocalRoutes.addresses(ip("10.1.0.0"), 19), "8,192 addresses: too many");
        List<InetAddress> six = LocalRoutes.addresses(ip6("2001:db8::ff00"), 120);
        assertEquals(256, six.size());
        assertTrue(six.stream().allMatch(x -> x instanceof java.net.Inet6Address));
        assertEquals("2001:db8:0:0:0:0:0:ffff", six.get(255).getHostAddress());
        assertEquals(256, six.stream().map(InetAddress::getHostAddress).collect(Collectors.toSet()).size());
    }
}
