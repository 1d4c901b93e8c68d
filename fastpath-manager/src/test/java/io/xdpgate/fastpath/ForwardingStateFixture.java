package io.xdpgate.fastpath;

import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.ebpf.FastPathProgram;
import io.xdpgate.ebpf.Nexthop;
import io.xdpgate.ebpf.Route;
import io.xdpgate.fpc.FpcLink;
import io.xdpgate.fpc.FpcMessage;
import io.xdpgate.fpc.FpcStatus;
import io.xdpgate.fpc.FpcSyncBegin;
import io.xdpgate.fpc.FpcVrf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * FPC objects in, real pinned maps out: a real program attached to a real veth (xga, whose peer is
 * xgb) in a namespace of its own, the maps read back through bpf(2). Each test starts inside
 * generation 1 of a sender that has announced VRF {@value #VRF} and the up port xga.
 */
abstract class ForwardingStateFixture {

    static final int VRF = 5;
    static final int UP = 0x1 | 0x10000; // IFF_UP | IFF_LOWER_UP
    static final byte[] PORT_MAC = {0x02, 0x11, 0x11, 0x11, 0x11, 0x11};
    static final byte[] GW_MAC = {0x02, 0x22, 0x22, 0x22, 0x22, 0x22};
    static final byte[] OTHER_MAC = {0x02, 0x33, 0x33, 0x33, 0x33, 0x33};

    String netns;
    Path pinRoot;
    int ifindex;
    ForwardingState state;
    ConnectionApplier applier;
    FastPathMaps maps;

    @BeforeEach
    void setUpFixture() throws Exception {
        TestSupport.requireRoot();
        String id = UUID.randomUUID().toString().substring(0, 6);
        netns = "xgfpm" + id;
        pinRoot = Path.of("/sys/fs/bpf/xg-test-fpm-" + id);
        TestSupport.sh("ip", "netns", "add", netns);
        TestSupport.sh("ip", "-n", netns, "link", "add", "xga", "type", "veth", "peer", "name", "xgb");
        TestSupport.sh("ip", "-n", netns, "link", "set", "xga", "up");
        TestSupport.sh("ip", "-n", netns, "link", "set", "xgb", "up");
        ifindex = ifindexOf("xga");
        FastPathProgram.load(pinRoot, 0).close();
        maps = FastPathMaps.open(pinRoot);
        state = new ForwardingState(options(), FastPathMaps.open(pinRoot), 65536);
        applier = new ConnectionApplier(state);
        ok(new FpcSyncBegin(1));
        ok(new FpcVrf(true, VRF, netns));
        ok(link(UP));
    }

    @AfterEach
    void tearDownFixture() throws Exception {
        if (state != null) state.close();
        if (maps != null) maps.close();
        if (netns != null) TestSupport.sh("ip", "netns", "del", netns);
        TestSupport.removePins(pinRoot);
    }

    FastPathOptions options() {
        return new FastPathOptions(pinRoot, Path.of("/unused"), Set.of(), List.of("xga"));
    }

    int ifindexOf(String name) throws Exception {
        return Integer.parseInt(TestSupport.sh("ip", "-n", netns, "-o", "link", "show", name).split(":")[0].trim());
    }

    /** The manager stops (pinned maps and links stay) and a new one adopts the pinned state. */
    void restart() throws Exception {
        state.close();
        state = new ForwardingState(options(), FastPathMaps.open(pinRoot), 65536);
        state.adopt();
        applier = new ConnectionApplier(state);
    }

    void ok(FpcMessage m) {
        assertEquals(FpcStatus.OK, applier.apply(m), "applying " + m);
    }

    FpcLink link(int flags) {
        return new FpcLink(true, VRF, ifindex, "xga", "veth", PORT_MAC, 1500, flags, 6, 0);
    }

    static Inet4Address ip(String s) throws Exception {
        return (Inet4Address) InetAddress.getByName(s);
    }

    static Inet6Address ip6(String s) throws Exception {
        return (Inet6Address) InetAddress.getByName(s);
    }

    /** The IPv4 or IPv6 route stored for exactly this prefix, or null. */
    Route route(String prefix, int len) throws Exception {
        InetAddress p = InetAddress.getByName(prefix);
        return p instanceof Inet4Address a ? maps.lookupRoute4(VRF, a, len) : maps.lookupRoute6(VRF, (Inet6Address) p, len);
    }

    /** The slot the unicast route for this prefix forwards through. */
    Nexthop slotOf(String prefix, int len) throws Exception {
        Route r = route(prefix, len);
        assertNotNull(r, prefix + "/" + len);
        assertEquals(Route.UNICAST, r.type(), prefix + "/" + len + ": " + r);
        return maps.nexthop(r.nexthopId());
    }
}
