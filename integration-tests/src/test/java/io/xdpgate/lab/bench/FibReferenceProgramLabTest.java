package io.xdpgate.lab.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.xdpgate.ebpf.FibReferenceProgram;
import io.xdpgate.ebpf.XdpTestRun;
import io.xdpgate.lab.Privileged;
import io.xdpgate.lab.Sh;
import io.xdpgate.netlink.NetworkNamespace;

import java.net.InetAddress;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The yardstick of {@code bench forward} is itself right: in a namespace with one route of each
 * kind, the bpf_fib_lookup reference forwards as a router does (MACs from the neighbour table, TTL
 * or hop limit one less, IPv4 checksum still right) and leaves to Linux what Linux must handle.
 */
class FibReferenceProgramLabTest {

    private static final String NS = "xgb-ref";
    /** The gateway's MAC, a permanent neighbour on the egress port. */
    private static final String GATEWAY_MAC = "02:00:00:00:aa:02";
    private static FibReferenceProgram reference;
    private static Ports ports;

    private record Ports(int ingress, byte[] ingressMac, byte[] egressMac) {}

    @BeforeAll
    static void namespaceWithRoutes() throws Exception {
        Privileged.require();
        Sh.exec(60, "ip", "netns", "del", NS);
        Sh.run("ip", "netns", "add", NS);
        Sh.run(Sh.in(NS, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"));
        Sh.run("ip", "-n", NS, "link", "add", "xgb-ref-in", "type", "veth", "peer", "name", "xgb-ref-out");
        for (String l : new String[] {"lo", "xgb-ref-in", "xgb-ref-out"}) Sh.run("ip", "-n", NS, "link", "set", l, "up");
        Sh.run("ip", "-n", NS, "addr", "add", "10.252.0.1/24", "dev", "xgb-ref-out");
        Sh.run("ip", "-n", NS, "addr", "add", "2001:db8:252::1/64", "dev", "xgb-ref-out", "nodad");
        Sh.run("ip", "-n", NS, "neigh", "replace", "10.252.0.2", "lladdr", GATEWAY_MAC, "dev", "xgb-ref-out", "nud", "permanent");
        Sh.run("ip", "-n", NS, "neigh", "replace", "2001:db8:252::2", "lladdr", GATEWAY_MAC, "dev", "xgb-ref-out", "nud", "permanent");
        Sh.run("ip", "-n", NS, "route", "add", "198.51.100.0/24", "via", "10.252.0.2");
        Sh.run("ip", "-n", NS, "route", "add", "2001:db8:1000::/48", "via", "2001:db8:252::2");
        Sh.run("ip", "-n", NS, "route", "add", "198.51.101.0/24", "via", "10.252.0.3"); // no neighbour entry
        Sh.run("ip", "-n", NS, "route", "add", "blackhole", "198.51.102.0/24");
        ports = new Ports(ifindex("xgb-ref-in"), mac("xgb-ref-in"), mac("xgb-ref-out"));
        reference = FibReferenceProgram.load();
    }

    @AfterAll
    static void removeNamespace() {
        if (reference != null) reference.close();
        Sh.exec(60, "ip", "netns", "del", NS);
    }

    @Test
    void ipv4IsForwardedWithTheNeighboursMacAndOneTtlLess() throws Exception {
        byte[] in = frame("192.0.2.1", "198.51.100.7");
        byte[] out = forward(in);
        assertNull(BenchFrames.forwardingError(in, out, BenchFrames.mac(GATEWAY_MAC), ports.egressMac()));
        assertEquals(BenchFrames.TTL - 1, out[14 + 8] & 0xff);
    }

    @Test
    void ipv6IsForwardedWithTheNeighboursMacAndOneHopLess() throws Exception {
        byte[] in = frame("2001:db8:1::1", "2001:db8:1000:5::9");
        byte[] out = forward(in);
        assertNull(BenchFrames.forwardingError(in, out, BenchFrames.mac(GATEWAY_MAC), ports.egressMac()));
        assertEquals(BenchFrames.TTL - 1, out[14 + 7] & 0xff);
    }

    @Test
    void whatLinuxMustHandleIsPassedUnchanged() throws Exception {
        byte[] noRoute = frame("192.0.2.1", "203.0.113.9");
        byte[] noNeighbour = frame("192.0.2.1", "198.51.101.7");
        byte[] expiring = frame("192.0.2.1", "198.51.100.7");
        expiring[14 + 8] = 1;
        expiring[14 + 10] = 0;
        expiring[14 + 11] = 0;
        int c = BenchFrames.checksum(expiring, 14, 20, 0);
        expiring[14 + 10] = (byte) (c >> 8);
        expiring[14 + 11] = (byte) c;
        byte[] local = frame("192.0.2.1", "10.252.0.1");
        for (byte[] in : new byte[][] {noRoute, noNeighbour, expiring, local}) {
            Result r = run(in);
            assertEquals(XdpTestRun.XDP_PASS, r.verdict(), "verdict for " + Arrays.toString(Arrays.copyOfRange(in, 30, 34)));
            assertArrayEquals(in, r.output());
        }
    }

    @Test
    void aBlackholeRouteIsDropped() throws Exception {
        assertEquals(XdpTestRun.XDP_DROP, run(frame("192.0.2.1", "198.51.102.7")).verdict());
    }

    private byte[] forward(byte[] in) throws Exception {
        Result r = run(in);
        assertEquals(XdpTestRun.XDP_REDIRECT, r.verdict());
        return r.output();
    }

    private record Result(int verdict, byte[] output) {}

    /** One test run from a thread inside the namespace: the ingress ifindex and the FIB are that namespace's. */
    private static Result run(byte[] frame) throws Exception {
        return NetworkNamespace.call(NS, () -> {
            XdpTestRun.Runner runner = reference.runner(FibReferenceProgram.Program.FIB, frame.length);
            int verdict = runner.run(frame, ports.ingress());
            return new Result(verdict, runner.output());
        });
    }

    private static byte[] frame(String src, String dst) throws Exception {
        return BenchFrames.udp(ports.ingressMac(), BenchFrames.mac("02:00:00:00:bb:01"), InetAddress.getByName(src),
                InetAddress.getByName(dst), 40000, 9);
    }

    private static int ifindex(String ifname) {
        String out = Sh.run("ip", "-n", NS, "-o", "link", "show", "dev", ifname);
        return Integer.parseInt(out.substring(0, out.indexOf(':')).strip());
    }

    private static byte[] mac(String ifname) {
        String out = Sh.run("ip", "-n", NS, "-o", "link", "show", "dev", ifname);
        int at = out.indexOf("link/ether ") + "link/ether ".length();
        return BenchFrames.mac(out.substring(at, at + 17));
    }
}
