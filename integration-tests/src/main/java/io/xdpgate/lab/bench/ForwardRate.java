package io.xdpgate.lab.bench;

import io.xdpgate.ebpf.SpecialMaps;
import io.xdpgate.ebpf.TcStat;
import io.xdpgate.lab.Sh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Forwarding rate with real packets. The same sender (frame_sender.c: a packet socket and
 * sendmmsg, compiled with gcc here) sends the same UDP frames, to destinations drawn from the
 * router's table, from a sender namespace through the relay (see {@link ForwardLab}) and the router
 * to the sink: once entering on the port without XDP (Linux forwards), once on the fast path's
 * port; the sink's XDP counter tells what arrived. A third kind of run goes from the relay straight
 * to the sink, without a router: the sender's, the relay's and the sink's own ceiling. Each round
 * runs the three kinds one after the other.
 *
 * <p>The sender is pinned to one CPU, and on veth everything a frame causes (the relay's
 * redirect, the router's receive and forwarding, the sink's XDP_DROP) runs as softirq work on the
 * sending CPU: in the sender's own context, which its CPU time includes on a kernel without IRQ
 * time accounting, or in that CPU's ksoftirqd, whose CPU time is added. So each run knows the CPU
 * time of the whole chain, and the direct run tells what the sender, the relay and the sink cost
 * without a router: the difference per packet is the router's own CPU time per packet, 1e9 / that
 * its forwarding rate on one core. This holds however busy the machine is (its other tasks only
 * take wall time from the run), while the packets per wall-clock second, also reported, depend on
 * the CPU share the run got, and include the sender's, the relay's and the sink's cost, so their
 * ratio understates the difference between the routers.
 *
 * <p>Optionally a fourth kind of run: the fast path's port captured by a real tcpdump (see
 * {@link PortCapture}), the same sender and frames; its packets are forwarded by the ports' TC
 * program. Each such run is checked: the TC program forwarded what arrived, the kernel nothing, and
 * tcpdump's filter saw it all; every other run is checked to have gone through TC not at all.
 */
final class ForwardRate implements AutoCloseable {

    private static final String SOURCE = "/bench/frame_sender.c";

    enum Kind {
        KERNEL, FAST_PATH, DIRECT, CAPTURED
    }

    /**
     * One run: what the sender sent and the sink received, in the sender's elapsed time; what the
     * ports' TC program forwarded meanwhile, and for a captured run what tcpdump reported (else null).
     */
    record Run(Kind kind, int round, long sent, long failed, long received, double seconds, long cpuNs,
               long kernelForwarded, long tcForwarded, PortCapture.Stats tcpdump) {
        double receivedPerSecond() {
            return received / seconds;
        }

        /** CPU time of the whole chain (sender, veths, router, sink) per packet that arrived. */
        double cpuNsPerPacket() {
            return (double) cpuNs / received;
        }
    }

    /**
     * Medians over the rounds; ratios are taken within each round (its runs are seconds apart)
     * before the median, so that a busy moment of the machine hits all kinds alike.
     *
     * @param kernelPps        packets per wall-clock second through the kernel (likewise fastPps, directPps)
     * @param wallRatio        fast path over kernel, packets per wall-clock second
     * @param routerNsKernel   the kernel's own CPU time per forwarded packet
     * @param routerNsFast     the fast path's own CPU time per forwarded packet
     * @param capture          the captured port's figures, null without captured runs
     */
    record Figures(double kernelPps, double fastPps, double directPps, double wallRatio, double routerNsKernel,
                   double routerNsFast, double capacityRatio, List<Run> runs, CaptureFigures capture) {

        static Figures of(List<Run> runs, int rounds) {
            double[] wall = new double[rounds];
            double[] kernelNs = new double[rounds];
            double[] fastNs = new double[rounds];
            double[] capacity = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                Run kernel = run(runs, Kind.KERNEL, r);
                Run fast = run(runs, Kind.FAST_PATH, r);
                Run direct = run(runs, Kind.DIRECT, r);
                wall[r] = fast.receivedPerSecond() / kernel.receivedPerSecond();
                kernelNs[r] = kernel.cpuNsPerPacket() - direct.cpuNsPerPacket();
                fastNs[r] = fast.cpuNsPerPacket() - direct.cpuNsPerPacket();
                capacity[r] = kernelNs[r] / fastNs[r];
            }
            return new Figures(median(runs, Kind.KERNEL), median(runs, Kind.FAST_PATH), median(runs, Kind.DIRECT),
                    ForwardCost.median(wall), ForwardCost.median(kernelNs), ForwardCost.median(fastNs),
                    ForwardCost.median(capacity), runs,
                    runs.stream().anyMatch(x -> x.kind() == Kind.CAPTURED) ? CaptureFigures.of(runs, rounds) : null);
        }

        static Run run(List<Run> runs, Kind kind, int round) {
            return runs.stream().filter(x -> x.kind() == kind && x.round() == round).findFirst().orElseThrow();
        }
    }

    private final Path dir;
    private final Path binary;
    /** The CPU the sender runs on, and so every softirq its frames cause. */
    private final int cpu;
    private Path ksoftirqdPid;

    private ForwardRate(Path dir, Path binary) {
        this.dir = dir;
        this.binary = binary;
        this.cpu = Runtime.getRuntime().availableProcessors() - 1;
    }

    /** Compiles the sender into a temporary directory. */
    static ForwardRate compile() throws IOException {
        Path dir = Files.createTempDirectory("xgb-bench-forward-");
        Path source = dir.resolve("frame_sender.c");
        try (InputStream in = ForwardRate.class.getResourceAsStream(SOURCE)) {
            if (in == null) throw new IOException(SOURCE + " is not on the classpath");
            Files.copy(in, source, StandardCopyOption.REPLACE_EXISTING);
        }
        Path binary = dir.resolve("frame_sender");
        Sh.Result r = Sh.exec(120, "gcc", "-O2", "-Wall", "-o", binary.toString(), source.toString());
        if (!r.ok()) {
            throw new IOException("gcc could not compile " + SOURCE + " (apt-get install gcc): " + r.stderr().strip());
        }
        return new ForwardRate(dir, binary);
    }

    /**
     * rounds runs of each kind, alternating, each of the given length, to the given destinations (one
     * family); with captured, each round has a captured-port run too.
     */
    Figures measure(ForwardLab lab, List<InetAddress> destinations, double seconds, int rounds, boolean captured)
            throws IOException, InterruptedException {
        boolean ipv4 = destinations.get(0) instanceof Inet4Address;
        Sender kernel = sender(lab, Kind.KERNEL, ForwardLab.KERNEL_SENDER, ForwardLab.ROUTER, ForwardLab.R_KERNEL,
                ForwardLab.SINK_IF, ipv4 ? "10.251.3.2" : "2001:db8:251:3::2", destinations);
        Sender fast = sender(lab, Kind.FAST_PATH, ForwardLab.FAST_SENDER, ForwardLab.ROUTER, ForwardLab.R_FAST,
                ForwardLab.SINK_IF, ipv4 ? "10.251.1.2" : "2001:db8:251:1::2", destinations);
        Sender direct = sender(lab, Kind.DIRECT, ForwardLab.DIRECT_SENDER, ForwardLab.SINK, ForwardLab.SINK_DIRECT_IF,
                ForwardLab.SINK_DIRECT_IF, ipv4 ? "10.251.1.2" : "2001:db8:251:1::2", destinations);
        List<Sender> order = new ArrayList<>(List.of(kernel, fast, direct));
        // Exactly the fast path run's sender, frames and port; only the capture differs.
        if (captured) {
            order.add(new Sender(Kind.CAPTURED, fast.netns(), fast.ifname(), fast.frames(), fast.frameLength(),
                    fast.sinkIf()));
        }
        for (Sender s : order) run(lab, s, -1, Math.min(seconds, 0.5)); // untimed: neighbours, caches, page faults
        List<Run> runs = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            // Rotate who goes first, so that no kind always follows the same one.
            for (int k = 0; k < order.size(); k++) runs.add(run(lab, order.get((r + k) % order.size()), r, seconds));
        }
        // After the last capture too, the port is back to XDP forwarding (run checks it).
        if (captured) run(lab, fast, -1, Math.min(seconds, 0.5));
        return Figures.of(runs, rounds);
    }

    /** A sender namespace, its interface, the frames it sends and the sink port that counts them. */
    private record Sender(Kind kind, String netns, String ifname, Path frames, int frameLength, String sinkIf) {
    }

    private Sender sender(ForwardLab lab, Kind kind, String netns, String peerNs, String peerIf, String sinkIf,
                          String source, List<InetAddress> destinations) throws IOException {
        String ifname = ForwardLab.senderIf(netns);
        byte[] dstMac = BenchFrames.mac(lab.mac(peerNs, peerIf));
        byte[] srcMac = BenchFrames.mac(lab.mac(netns, ifname));
        InetAddress src = InetAddress.getByName(source);
        Path file = dir.resolve(kind.name().toLowerCase() + ".frames");
        int length = -1;
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < destinations.size(); i++) {
                byte[] frame = BenchFrames.udp(dstMac, srcMac, src, destinations.get(i), 1024 + (i & 0x7fff), 9);
                length = frame.length;
                out.write(frame);
            }
        }
        return new Sender(kind, netns, ifname, file, length, sinkIf);
    }

    private Run run(ForwardLab lab, Sender s, int round, double seconds) throws IOException, InterruptedException {
        PortCapture tap = null;
        if (s.kind() == Kind.CAPTURED) {
            // tcpdump on the first CPU, the sender on the last: the chain's CPU time stays the chain's.
            tap = PortCapture.start(ForwardLab.ROUTER, ForwardLab.R_FAST, 0, ForwardBench.PIN_ROOT,
                    new SpecialMaps.PortKey(ForwardLab.VRF, lab.ifindex(ForwardLab.ROUTER, ForwardLab.R_FAST)));
        }
        String out;
        long softirq;
        long received;
        long kernelForwarded;
        Map<TcStat, Long> tc;
        PortCapture.Stats tcpdump = null;
        try {
            long before = lab.sinkPackets(s.sinkIf());
            long forwardedBefore = kernelForwarded();
            Map<TcStat, Long> tcBefore = tcStats();
            long softirqBefore = ksoftirqdNs();
            out = Sh.run(Sh.in(s.netns(), "taskset", "-c", Integer.toString(cpu), binary.toString(), s.ifname(),
                    s.frames().toString(), Integer.toString(s.frameLength()), Double.toString(seconds))).strip();
            softirq = ksoftirqdNs() - softirqBefore;
            received = lab.sinkPackets(s.sinkIf()) - before;
            kernelForwarded = kernelForwarded() - forwardedBefore;
            tc = tcStats();
            tc.replaceAll((stat, n) -> n - tcBefore.get(stat));
            if (tap != null) {
                tcpdump = tap.stop();
                tap = null;
            }
        } finally {
            if (tap != null) tap.kill();
        }
        String[] f = out.split("\\s+");
        if (f.length != 5 || !f[0].equals("sent")) throw new IllegalStateException("unexpected output of frame_sender: " + out);
        if (received == 0) throw new IllegalStateException("nothing reached the sink from " + s.netns() + " (" + s.kind() + ")");
        Run run = new Run(s.kind(), round, Long.parseLong(f[1]), Long.parseLong(f[3]), received, Long.parseLong(f[2]) / 1e9,
                Long.parseLong(f[4]) + softirq, kernelForwarded, tc.get(TcStat.CAPTURE_FORWARDED), tcpdump);
        check(run, tc.get(TcStat.CAPTURE_NO_META));
        return run;
    }

    /**
     * A captured run's packets went through the TC program, not the kernel, and tcpdump saw them; any
     * other run's did not go through TC (after a capture: the port is back to XDP forwarding).
     */
    private static void check(Run r, long noMeta) {
        String what = r.kind() + " run " + r.round() + " (" + r + ")";
        // These runs give the kernel nothing to forward: a handful is stray traffic, more is Linux forwarding.
        boolean kernelFlat = r.kernelForwarded() <= Math.max(10, r.received() / 1000);
        if (r.kind() != Kind.CAPTURED) {
            if (r.tcForwarded() != 0) throw new IllegalStateException("the TC program forwarded packets in the " + what);
            if (r.kind() == Kind.FAST_PATH && !kernelFlat) {
                throw new IllegalStateException("the kernel forwarded " + r.kernelForwarded() + " packets in the " + what);
            }
            return;
        }
        if (r.tcForwarded() < r.received()) {
            throw new IllegalStateException("the sink received more than the TC program forwarded in the " + what);
        }
        if (noMeta != 0) throw new IllegalStateException(noMeta + " packets without XDP metadata in the " + what);
        if (!kernelFlat) {
            throw new IllegalStateException("the kernel forwarded " + r.kernelForwarded() + " packets in the " + what);
        }
        if (r.tcpdump().receivedByFilter() < r.received()) {
            throw new IllegalStateException("tcpdump's filter saw fewer packets than the sink received in the " + what);
        }
    }

    /** The TC side's packet counters of the benchmark's fast path. */
    private static Map<TcStat, Long> tcStats() {
        try (SpecialMaps m = SpecialMaps.open(ForwardBench.PIN_ROOT)) {
            Map<TcStat, Long> out = new EnumMap<>(TcStat.class);
            m.tcStats().forEach((stat, c) -> out.put(stat, c.packets()));
            return out;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read xg_tc_stats under " + ForwardBench.PIN_ROOT + ": " + e.getMessage(), e);
        }
    }

    /** CPU time of ksoftirqd on the sender's CPU (/proc/PID/schedstat: nanoseconds on the CPU). */
    private long ksoftirqdNs() throws IOException {
        Path pid = ksoftirqd();
        return Long.parseLong(Files.readString(pid.resolve("schedstat")).strip().split("\\s+")[0]);
    }

    private Path ksoftirqd() throws IOException {
        if (ksoftirqdPid != null) return ksoftirqdPid;
        String name = "ksoftirqd/" + cpu;
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                if (!p.getFileName().toString().chars().allMatch(Character::isDigit)) continue;
                try {
                    if (Files.readString(p.resolve("comm")).strip().equals(name)) return ksoftirqdPid = p;
                } catch (IOException e) {
                    // a process that just ended
                }
            }
        }
        throw new IOException("no " + name + " thread in /proc");
    }

    /** IPv4 and IPv6 packets the router's kernel forwarded (the fast path's never count here). */
    private static long kernelForwarded() {
        long sum = 0;
        String[] lines = Sh.run(Sh.in(ForwardLab.ROUTER, "cat", "/proc/net/snmp")).split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (!lines[i].startsWith("Ip:") || !lines[i + 1].startsWith("Ip:")) continue;
            String[] names = lines[i].split("\\s+");
            String[] values = lines[i + 1].split("\\s+");
            for (int k = 1; k < names.length; k++) if (names[k].equals("ForwDatagrams")) sum += Long.parseLong(values[k]);
        }
        for (String line : Sh.run(Sh.in(ForwardLab.ROUTER, "cat", "/proc/net/snmp6")).split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 2 && f[0].equals("Ip6OutForwDatagrams")) sum += Long.parseLong(f[1]);
        }
        return sum;
    }

    private static double median(List<Run> runs, Kind kind) {
        return ForwardCost.median(runs.stream().filter(r -> r.kind() == kind).mapToDouble(Run::receivedPerSecond).toArray());
    }

    @Override
    public void close() {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // a temporary directory left behind: nothing else depends on it
        }
    }
}
