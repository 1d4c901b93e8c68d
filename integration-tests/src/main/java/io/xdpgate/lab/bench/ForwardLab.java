package io.xdpgate.lab.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xdpgate.ebpf.FibReferenceProgram;
import io.xdpgate.lab.Sh;
import io.xdpgate.netlink.NetworkNamespace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The namespaces of {@code xdpgate bench forward}: three identical senders, a relay, a router and a
 * sink.
 *
 * <pre>
 *   xgb-h (sender) xgb-h-g --- xgb-g-h  xgb-g-rh --- xgb-r-h 10.251.1.1  (fast path port)
 *   xgb-k (sender) xgb-k-g --- xgb-g-k  xgb-g-rk --- xgb-r-k 10.251.3.1  (no XDP, GRO: kernel forwarding)
 *                              xgb-g (relay)         xgb-r (router)
 *                                                    xgb-r-s 10.251.2.1 --- xgb-s-r 10.251.2.2 (sink, XDP_DROP)
 *   xgb-d (sender) xgb-d-g --- xgb-g-d  xgb-g-s  ----------------------------- xgb-s-d (sink, XDP_DROP)
 * </pre>
 *
 * Every route of the benchmark goes via the sink, 10.251.2.2 or 2001:db8:251:2::2, whose neighbour
 * entries in the router are permanent: both the kernel (and so bpf_fib_lookup) and the fast path
 * can forward at once. Traffic that enters on xgb-r-h meets the fast path, traffic that enters on
 * xgb-r-k the kernel alone; the sink drops everything in XDP and its veths count what arrived.
 * xgb-d reaches the sink without a router: what the senders, the relay and the sink alone cost.
 *
 * <p>The relay's XDP program redirects what each sender sends to its router port (or, for xgb-d,
 * to the sink), so the router's ports receive XDP frames, as a NIC driver's receive ring hands
 * them over: the fast path runs on the frame where it lies and the kernel builds a socket buffer
 * for it, as on a real port. A packet socket's frames sent straight into the router would arrive
 * as the sender's socket buffers instead, which the kernel takes over as they are and XDP must
 * first copy into a page of its own: a cost of veth that a NIC does not have.
 */
final class ForwardLab implements AutoCloseable {

    static final String ROUTER = "xgb-r";
    static final String FAST_SENDER = "xgb-h";
    static final String KERNEL_SENDER = "xgb-k";
    static final String DIRECT_SENDER = "xgb-d";
    static final String SINK = "xgb-s";
    static final String RELAY = "xgb-g";
    /** The router's ports: towards the fast path's sender, the kernel's sender and the sink. */
    static final String R_FAST = "xgb-r-h";
    static final String R_KERNEL = "xgb-r-k";
    static final String R_SINK = "xgb-r-s";
    static final String SINK_IF = "xgb-s-r";
    /** The sink's port towards the direct sender's relay. */
    static final String SINK_DIRECT_IF = "xgb-s-d";
    /** The relay's ports towards the router's fast path and kernel ports and towards the sink. */
    private static final String G_FAST = "xgb-g-rh";
    private static final String G_KERNEL = "xgb-g-rk";
    private static final String G_SINK = "xgb-g-s";
    static final String GATEWAY4 = "10.251.2.2";
    static final String GATEWAY6 = "2001:db8:251:2::2";
    static final int VRF = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path pinRoot;

    private ForwardLab(Path pinRoot) {
        this.pinRoot = pinRoot;
    }

    /** Builds the lab (removing leftovers of an interrupted run first) and attaches the sink's XDP_DROP. */
    static ForwardLab create(Path pinRoot, FibReferenceProgram programs) throws Exception {
        ForwardLab lab = new ForwardLab(pinRoot);
        lab.close();
        try {
            for (String ns : new String[] {ROUTER, FAST_SENDER, KERNEL_SENDER, DIRECT_SENDER, SINK, RELAY}) {
                Sh.run("ip", "netns", "add", ns);
                Sh.run("ip", "-n", ns, "link", "set", "lo", "up");
            }
            Sh.run(Sh.in(ROUTER, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"));
            pair(RELAY, G_FAST, ROUTER, R_FAST);
            pair(RELAY, G_KERNEL, ROUTER, R_KERNEL);
            pair(SINK, SINK_IF, ROUTER, R_SINK);
            pair(RELAY, G_SINK, SINK, SINK_DIRECT_IF);
            router(R_FAST, "10.251.1");
            router(R_KERNEL, "10.251.3");
            // Frames redirected into a veth arrive only where its peer has XDP or GRO (LAB.md).
            Sh.run(Sh.in(ROUTER, "ethtool", "-K", R_KERNEL, "gro", "on"));
            Sh.run("ip", "-n", ROUTER, "addr", "add", "10.251.2.1/24", "dev", R_SINK);
            Sh.run("ip", "-n", ROUTER, "addr", "add", "2001:db8:251:2::1/64", "dev", R_SINK, "nodad");
            Sh.run("ip", "-n", SINK, "addr", "add", GATEWAY4 + "/24", "dev", SINK_IF);
            Sh.run("ip", "-n", SINK, "addr", "add", GATEWAY6 + "/64", "dev", SINK_IF, "nodad");
            String sinkMac = lab.mac(SINK, SINK_IF);
            Sh.run("ip", "-n", ROUTER, "neigh", "replace", GATEWAY4, "lladdr", sinkMac, "dev", R_SINK, "nud", "permanent");
            Sh.run("ip", "-n", ROUTER, "neigh", "replace", GATEWAY6, "lladdr", sinkMac, "dev", R_SINK, "nud", "permanent");
            for (String sinkIf : new String[] {SINK_IF, SINK_DIRECT_IF}) {
                int ifindex = lab.ifindex(SINK, sinkIf);
                Path pin = lab.linkPin(sinkIf);
                NetworkNamespace.call(SINK, () -> {
                    programs.attach(FibReferenceProgram.Program.DROP, ifindex, pin);
                    return null;
                });
            }
            lab.relay(programs, FAST_SENDER, G_FAST);
            lab.relay(programs, KERNEL_SENDER, G_KERNEL);
            lab.relay(programs, DIRECT_SENDER, G_SINK);
            return lab;
        } catch (Exception | Error e) {
            lab.close();
            throw e;
        }
    }

    /** A router port's address (the senders' frames come from the next address of its subnet). */
    private static void router(String routerIf, String subnet) {
        Sh.run("ip", "-n", ROUTER, "addr", "add", subnet + ".1/24", "dev", routerIf);
    }

    /**
     * A sender namespace and its veth into the relay, whose XDP program sends what arrives on to
     * relayOut; each attachment pinned beside the sinks'.
     */
    private void relay(FibReferenceProgram programs, String sender, String relayOut) throws Exception {
        String relayIn = relayIn(sender);
        pair(sender, senderIf(sender), RELAY, relayIn);
        // The XDP path never completes a checksum left to the NIC (see LAB.md).
        Sh.run(Sh.in(sender, "ethtool", "-K", senderIf(sender), "tx", "off"));
        int in = ifindex(RELAY, relayIn);
        int out = ifindex(RELAY, relayOut);
        Path pin = linkPin(relayIn);
        NetworkNamespace.call(RELAY, () -> {
            programs.relay(in, out);
            programs.attach(FibReferenceProgram.Program.RELAY, in, pin);
            return null;
        });
    }

    /** The relay's port towards a sender: xgb-g-h for xgb-h. */
    private static String relayIn(String sender) {
        return RELAY + "-" + sender.substring(sender.length() - 1);
    }

    /** The interface a sender namespace sends its frames on. */
    static String senderIf(String sender) {
        return sender + "-g";
    }

    private static void pair(String ns, String ifname, String peerNs, String peerIf) {
        Sh.run("ip", "link", "add", ifname, "netns", ns, "type", "veth", "peer", "name", peerIf, "netns", peerNs);
        Sh.run("ip", "-n", ns, "link", "set", ifname, "up");
        Sh.run("ip", "-n", peerNs, "link", "set", peerIf, "up");
    }

    /** The fast path manager's --ports: the fast sender's port and the sink's (an egress must be a port). */
    static String fastPathPorts() {
        return ROUTER + "/" + R_FAST + "," + ROUTER + "/" + R_SINK;
    }

    /**
     * Where the XDP link of the lab's own program on ifname (the sink's drop, the relay's redirect) is
     * pinned: beside the fast path's pin root, not inside it, for the fast path manager owns that directory.
     */
    Path linkPin(String ifname) {
        return pinRoot.resolveSibling(pinRoot.getFileName() + "-xdp-" + ifname);
    }

    int ifindex(String ns, String ifname) {
        return link(ns, ifname).get("ifindex").asInt();
    }

    String mac(String ns, String ifname) {
        return macOf(ns, ifname);
    }

    private static String macOf(String ns, String ifname) {
        return link(ns, ifname).get("address").asText();
    }

    private static JsonNode link(String ns, String ifname) {
        try {
            return JSON.readTree(Sh.run("ip", "-n", ns, "-j", "link", "show", "dev", ifname)).get(0);
        } catch (IOException e) {
            throw new IllegalStateException("unreadable ip -j link show of " + ifname + " in " + ns, e);
        }
    }

    /**
     * Packets that reached the sink's XDP program: the veth's per-queue XDP counter (the interface's
     * rx counter does not move for frames an XDP program drops).
     */
    long sinkPackets(String sinkIf) {
        long sum = 0;
        boolean found = false;
        for (String line : Sh.run(Sh.in(SINK, "ethtool", "-S", sinkIf)).split("\n")) {
            String[] kv = line.strip().split(":\\s*");
            if (kv.length == 2 && kv[0].matches("rx_queue_\\d+_xdp_packets")) {
                sum += Long.parseLong(kv[1].strip());
                found = true;
            }
        }
        if (!found) throw new IllegalStateException("ethtool -S " + sinkIf + " shows no rx_queue_N_xdp_packets");
        return sum;
    }

    /** Removes whatever a lab with this pin root left behind, whether or not it was complete. */
    static void destroy(Path pinRoot) {
        new ForwardLab(pinRoot).close();
    }

    /** Deletes the namespaces (and so every veth and route) and the sink's pinned links. */
    @Override
    public void close() {
        for (String ns : new String[] {FAST_SENDER, KERNEL_SENDER, DIRECT_SENDER, SINK, RELAY, ROUTER}) {
            if (Files.exists(Path.of("/run/netns", ns))) Sh.exec(300, "ip", "netns", "del", ns);
        }
        for (String ifname : new String[] {SINK_IF, SINK_DIRECT_IF, relayIn(FAST_SENDER), relayIn(KERNEL_SENDER),
                relayIn(DIRECT_SENDER)}) {
            try {
                Files.deleteIfExists(linkPin(ifname));
            } catch (IOException e) {
                throw new IllegalStateException("cannot remove " + linkPin(ifname) + ": " + e.getMessage(), e);
            }
        }
    }
}
