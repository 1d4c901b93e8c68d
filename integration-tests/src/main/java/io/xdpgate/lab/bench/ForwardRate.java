package io.xdpgate.lab.bench;

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
import java.util.List;

/**
 * Forwarding rate with real packets. The same sender (frame_sender.c: a packet socket and
 * sendmmsg, compiled with gcc here) sends the same UDP frames, to destinations drawn from the
 * router's table, from a sender namespace through the router to the sink: once entering on the
 * port without XDP (Linux forwards), once on the fast path's port; the sink's XDP counter tells
 * what arrived. A third kind of run sends straight to the sink, without a router: the sender's
 * and the sink's own ceiling. Each round runs the three kinds one after the other.
 *
 * <p>Sender, router and sink share the machine's cores (on veth the router's receive work mostly
 * runs on the sending CPU), so every rate includes the sender's and the sink's cost, and the ratio
 * of two rates understates the difference between the routers. The router's own cost per packet
 * is estimated as 1/rate - 1/ceiling.
 */
final class ForwardRate implements AutoCloseable {

    private static final String SOURCE = "/bench/frame_sender.c";

    enum Kind {
        KERNEL, FAST_PATH, DIRECT
    }

    /** One run: what the sender sent and the sink received, in the sender's elapsed time. */
    record Run(Kind kind, int round, long sent, long failed, long received, double seconds, long kernelForwarded) {
        double receivedPerSecond() {
            return received / seconds;
        }
    }

    /**
     * Medians over the rounds. The machine's load comes and goes, so ratios are taken within each
     * round (its runs are seconds apart) before the median: a busy moment slows all kinds alike.
     */
    record Figures(double kernelPps, double fastPps, double directPps, double ratio, double routerNsKernel,
                   double routerNsFast, List<Run> runs) {
        /** The router's own cost per packet, kernel over fast path: how many times more packets a core forwards. */
        double capacityRatio() {
            return routerNsKernel / routerNsFast;
        }

        static Figures of(List<Run> runs, int rounds) {
            double[] ratio = new double[rounds];
            double[] kernelNs = new double[rounds];
            double[] fastNs = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                double kernel = pps(runs, Kind.KERNEL, r);
                double fast = pps(runs, Kind.FAST_PATH, r);
                double direct = pps(runs, Kind.DIRECT, r);
                ratio[r] = fast / kernel;
                // The router's own time per packet: the run's time per packet less the sender's and sink's.
                kernelNs[r] = 1e9 / kernel - 1e9 / direct;
                fastNs[r] = 1e9 / fast - 1e9 / direct;
            }
            return new Figures(median(runs, Kind.KERNEL), median(runs, Kind.FAST_PATH), median(runs, Kind.DIRECT),
                    ForwardCost.median(ratio), ForwardCost.median(kernelNs), ForwardCost.median(fastNs), runs);
        }

        private static double pps(List<Run> runs, Kind kind, int round) {
            return runs.stream().filter(x -> x.kind() == kind && x.round() == round).findFirst().orElseThrow()
                    .receivedPerSecond();
        }
    }

    private final Path dir;
    private final Path binary;

    private ForwardRate(Path dir, Path binary) {
        this.dir = dir;
        this.binary = binary;
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

    /** rounds runs of each kind, alternating, each of the given length, to the given destinations (one family). */
    Figures measure(ForwardLab lab, List<InetAddress> destinations, double seconds, int rounds) throws IOException {
        boolean ipv4 = destinations.get(0) instanceof Inet4Address;
        Sender kernel = sender(lab, Kind.KERNEL, ForwardLab.KERNEL_SENDER, ForwardLab.ROUTER, ForwardLab.R_KERNEL,
                ForwardLab.SINK_IF, ipv4 ? "10.251.3.2" : "2001:db8:251:3::2", destinations);
        Sender fast = sender(lab, Kind.FAST_PATH, ForwardLab.FAST_SENDER, ForwardLab.ROUTER, ForwardLab.R_FAST,
                ForwardLab.SINK_IF, ipv4 ? "10.251.1.2" : "2001:db8:251:1::2", destinations);
        Sender direct = sender(lab, Kind.DIRECT, ForwardLab.DIRECT_SENDER, ForwardLab.SINK, ForwardLab.SINK_DIRECT_IF,
                ForwardLab.SINK_DIRECT_IF, ipv4 ? "10.251.1.2" : "2001:db8:251:1::2", destinations);
        List<Sender> order = List.of(kernel, fast, direct);
        for (Sender s : order) run(lab, s, -1, Math.min(seconds, 0.5)); // untimed: neighbours, caches, page faults
        List<Run> runs = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            // Rotate who goes first, so that no kind always follows the same one.
            for (int k = 0; k < order.size(); k++) runs.add(run(lab, order.get((r + k) % order.size()), r, seconds));
        }
        return Figures.of(runs, rounds);
    }

    /** A sender namespace, its interface, the frames it sends and the sink port that counts them. */
    private record Sender(Kind kind, String netns, String ifname, Path frames, int frameLength, String sinkIf) {
    }

    private Sender sender(ForwardLab lab, Kind kind, String netns, String peerNs, String peerIf, String sinkIf,
                          String source, List<InetAddress> destinations) throws IOException {
        String ifname = kind == Kind.DIRECT ? netns + "-s" : netns + "-r";
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

    private Run run(ForwardLab lab, Sender s, int round, double seconds) {
        long before = lab.sinkPackets(s.sinkIf());
        long forwardedBefore = kernelForwarded();
        String out = Sh.run(Sh.in(s.netns(), binary.toString(), s.ifname(), s.frames().toString(),
                Integer.toString(s.frameLength()), Double.toString(seconds))).strip();
        long received = lab.sinkPackets(s.sinkIf()) - before;
        long kernelForwarded = kernelForwarded() - forwardedBefore;
        String[] f = out.split("\\s+");
        if (f.length != 4 || !f[0].equals("sent")) throw new IllegalStateException("unexpected output of frame_sender: " + out);
        return new Run(s.kind(), round, Long.parseLong(f[1]), Long.parseLong(f[3]), received, Long.parseLong(f[2]) / 1e9,
                kernelForwarded);
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
