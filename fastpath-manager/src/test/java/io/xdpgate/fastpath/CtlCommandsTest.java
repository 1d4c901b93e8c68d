package io.xdpgate.fastpath;

import io.xdpgate.ctl.CtlMain;
import io.xdpgate.fpc.FpcNeighbour;
import io.xdpgate.fpc.FpcNexthop;
import io.xdpgate.fpc.FpcRoute;
import io.xdpgate.fpc.FpcRouteType;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** xdpgate ctl status, show and detach against real pinned maps and a real attached program. */
class CtlCommandsTest extends ForwardingStateFixture {

    private record Result(int status, String out, String err) {}

    private Result ctl(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--pin-root";
        all[args.length + 1] = pinRoot.toString();
        all[args.length + 2] = "--socket";
        all[args.length + 3] = "/run/xdpgate/xg-no-such.sock"; // nothing listens: the manager "is not running"
        int status = CtlMain.run(all, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private void someState() throws Exception {
        ok(new FpcNeighbour(true, VRF, ifindex, ip("10.1.0.2"), 0x02, GW_MAC, false));
        ok(new FpcRoute(true, VRF, 254, ip("10.9.0.0"), 16, FpcRouteType.UNICAST, List.of(new FpcNexthop(ifindex, ip("10.1.0.2"), 1))));
        ok(new FpcRoute(true, VRF, 254, ip6("2001:db8:9::"), 48, FpcRouteType.BLACKHOLE, List.of()));
        state.flushVrfTable();
    }

    @Test
    void showPrintsWhatTheMapsHoldAsATableOrJson() throws Exception {
        someState();
        Result routes = ctl("show", "routes");
        assertEquals(0, routes.status(), routes.err());
        assertTrue(routes.out().contains("10.9.0.0/16") && routes.out().contains("forward"), routes.out());
        assertTrue(routes.out().contains("2001:db8:9:0:0:0:0:0/48") && routes.out().contains("blackhole"), routes.out());
        Result json = ctl("show", "neighbours", "--json");
        assertTrue(json.out().contains("\"mac\" : \"02:22:22:22:22:22\"") && json.out().contains("\"nud\" : \"reachable\""), json.out());
        Result interfaces = ctl("show", "interfaces");
        assertTrue(interfaces.out().contains("xga") && interfaces.out().contains("02:11:11:11:11:11"), interfaces.out());
        Result vrfs = ctl("show", "vrfs");
        assertTrue(vrfs.out().contains(netns), vrfs.out());
        assertEquals(0, ctl("show", "nexthops").status());
        String stats = ctl("show", "stats").out();
        assertTrue(stats.matches("(?s).*\\n-\\s+-\\s+total\\s+forwarded\\s+0\\s+0\\n.*"), "the totals:\n" + stats);
        assertTrue(stats.matches("(?s).*\\n" + VRF + "\\s+" + netns + "\\s+xga\\s+forwarded\\s+0\\s+0\\n.*"),
                "the port's own counters, by its name:\n" + stats);
        assertFalse(ctl("show", "stats", "--vrf", String.valueOf(VRF)).out().contains("total"), "one VRF: its interfaces only");
        Result bad = ctl("show", "colours");
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("unknown topic 'colours'"), bad.err());
    }

    @Test
    void statusTellsWhereTheFastPathIsAttachedAndDetachRemovesIt() throws Exception {
        someState();
        Result status = ctl("status");
        assertEquals(0, status.status(), status.err());
        assertTrue(status.out().contains("present") && status.out().contains("vrf" + VRF + "-if" + ifindex)
                && status.out().contains("not running"), status.out());
        assertTrue(TestSupport.sh("ip", "-n", netns, "link", "show", "xga").contains("xdp"), "attached before");

        // While something listens on the manager's socket, detach is refused: it would attach again.
        java.nio.file.Path socket = java.nio.file.Path.of("/run/xdpgate/xg-ctl-test-" + ProcessHandle.current().pid() + ".sock");
        Files.createDirectories(socket.getParent());
        Files.deleteIfExists(socket);
        try (var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            server.bind(java.net.UnixDomainSocketAddress.of(socket));
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int refused = CtlMain.run(new String[] {"detach", "--pin-root", pinRoot.toString(), "--socket", socket.toString()},
                    new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(1, refused);
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("is running"), err.toString(StandardCharsets.UTF_8));
            assertTrue(Files.exists(pinRoot), "nothing removed");
        } finally {
            Files.deleteIfExists(socket);
        }

        state.close();
        state = null;
        Result detach = ctl("detach");
        assertEquals(0, detach.status(), detach.err());
        assertTrue(detach.out().contains("detached vrf" + VRF + "-if" + ifindex), detach.out());
        assertFalse(Files.exists(pinRoot), "every pin removed");
        assertFalse(TestSupport.sh("ip", "-n", netns, "link", "show", "xga").contains("xdp"), "the program left the port");
        Result after = ctl("status");
        assertEquals(1, after.status());
        assertTrue(after.out().contains("absent"), after.out());
    }
}
