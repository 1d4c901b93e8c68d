package io.xdpgate.ctl;

import io.xdpgate.ebpf.BpfException;
import io.xdpgate.ebpf.BpfMap;
import io.xdpgate.ebpf.FastPathProgram;
import io.xdpgate.ebpf.MapLayouts;
import io.xdpgate.ebpf.Stat;
import io.xdpgate.ebpf.XdpTestRun;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Runs one VRF's fast path on test packets through BPF_PROG_TEST_RUN: a copy of the program, loaded
 * for this purpose, on the live maps (routes, nexthops, neighbours, ports) but with a private xg_stats
 * and xg_port_counts, so that the runs never show in the fast path's statistics and the counter a run moved tells its
 * exception or drop reason without any other traffic in the way. The copy's pin root is a directory
 * beside the real one ({@code PINROOT-verify-PID}) of links to every pinned map but its counters (xg_stats, xg_port_counts) and
 * the records of neighbour uses, xg_neigh_used and xg_nh_used (so that hitflags never refreshes a
 * neighbour for a test packet); it is
 * removed on close. Calls must come from a thread in the VRF's network namespace (the ingress ifindex
 * of a test run is looked up there), one at a time.
 */
final class FastPathDecisions implements AutoCloseable {

    private static final String STATS = "xg_stats";
    /** The copy's own maps: its counters, and its record of neighbour uses (hitflags must not refresh for test packets). */
    private static final Set<String> PRIVATE = Set.of(STATS, MapLayouts.PORT_STATS.name(), MapLayouts.NEIGH_USED.name(),
            MapLayouts.NH_USED.name());
    private static final String SUFFIX = "-verify-"; // bpffs refuses names with a dot

    private final Path privateRoot;
    private final FastPathProgram program;
    private final BpfMap stats;
    private final long[] seen = new long[Stat.SLOTS];

    private FastPathDecisions(Path privateRoot, FastPathProgram program, BpfMap stats) {
        this.privateRoot = privateRoot;
        this.program = program;
        this.stats = stats;
    }

    static FastPathDecisions open(Path pinRoot, int vrf) throws BpfException, IOException {
        removeAbandoned(pinRoot);
        Path root = privateRoot(pinRoot, ProcessHandle.current().pid());
        remove(root);
        Files.createDirectories(root);
        FastPathProgram program = null;
        BpfMap stats = null;
        try {
            try (Stream<Path> pins = Files.list(pinRoot)) {
                for (Path pin : (Iterable<Path>) pins::iterator) {
                    String name = pin.getFileName().toString();
                    if (!Files.isDirectory(pin) && !PRIVATE.contains(name)) Files.createSymbolicLink(root.resolve(name), pin);
                }
            }
            program = FastPathProgram.load(root, vrf);
            stats = BpfMap.openPinned(root.resolve(STATS));
            FastPathDecisions d = new FastPathDecisions(root, program, stats);
            for (Stat s : Stat.values()) d.seen[s.index()] = d.packets(s);
            return d;
        } catch (IOException | RuntimeException e) {
            if (stats != null) stats.close();
            if (program != null) program.close();
            remove(root);
            throw e;
        }
    }

    static Path privateRoot(Path pinRoot, long pid) {
        return pinRoot.resolveSibling(pinRoot.getFileName() + SUFFIX + pid);
    }

    /** Private pin roots of verify runs that ended without removing theirs (killed). */
    private static void removeAbandoned(Path pinRoot) throws IOException {
        Path parent = pinRoot.toAbsolutePath().getParent();
        String prefix = pinRoot.getFileName() + SUFFIX;
        if (parent == null || !Files.isDirectory(parent)) return;
        try (Stream<Path> siblings = Files.list(parent)) {
            for (Path p : (Iterable<Path>) siblings::iterator) {
                String name = p.getFileName().toString();
                if (!name.startsWith(prefix)) continue;
                try {
                    long pid = Long.parseLong(name.substring(prefix.length()));
                    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) continue;
                } catch (NumberFormatException e) {
                    continue;
                }
                remove(p);
            }
        }
    }

    private static void remove(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /**
     * Runs the program once on {@code frame} arriving on {@code ingress}. {@code likely}: the counters to
     * look at first after a pass or a drop (any other that moved is found too, only slower).
     */
    FastDecision decide(byte[] frame, int ingress, List<Stat> likely) throws BpfException {
        XdpTestRun.Result r = XdpTestRun.run(program, frame, ingress, 1);
        byte[] out = r.output();
        if (r.verdict() == XdpTestRun.XDP_REDIRECT) {
            return FastDecision.redirect(Arrays.copyOfRange(out, 6, 12), Arrays.copyOfRange(out, 0, 6), rewrite(frame, out));
        }
        Stat reason = moved(likely);
        return new FastDecision(r.verdict(), reason, null, null, null);
    }

    /** The exception or drop counter that moved since the last look, the likely ones looked at first. */
    private Stat moved(List<Stat> likely) throws BpfException {
        for (Stat s : likely) if (advanced(s)) return s;
        for (Stat s : Stat.values()) {
            if (s != Stat.FORWARDED && s != Stat.FORWARDED_ECMP && !likely.contains(s) && advanced(s)) return s;
        }
        return null;
    }

    private boolean advanced(Stat s) throws BpfException {
        long now = packets(s);
        boolean moved = now != seen[s.index()];
        seen[s.index()] = now;
        return moved;
    }

    private long packets(Stat s) throws BpfException {
        byte[][] perCpu = stats.lookupPerCpu(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(s.index()).array());
        long sum = 0;
        if (perCpu != null) for (byte[] v : perCpu) sum += ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getLong(0);
        return sum;
    }

    /**
     * What is wrong with a forwarded frame besides its MACs, null if nothing: the rest must be the packet
     * that came in with TTL (hop limit) one less and, for IPv4, the header checksum still right.
     */
    static String rewrite(byte[] in, byte[] out) {
        if (out.length != in.length) return "length " + out.length + " instead of " + in.length;
        boolean ipv4 = (in[12] & 0xff) == 0x08;
        int ttlAt = ipv4 ? 14 + 8 : 14 + 7;
        for (int i = 12; i < in.length; i++) {
            boolean rewritten = i == ttlAt || (ipv4 && (i == 24 || i == 25));
            if (!rewritten && in[i] != out[i]) return "byte " + i + " changed";
        }
        if ((out[ttlAt] & 0xff) != (in[ttlAt] & 0xff) - 1) {
            return (ipv4 ? "TTL " : "hop limit ") + (out[ttlAt] & 0xff) + " after " + (in[ttlAt] & 0xff);
        }
        if (ipv4 && TestPacket.checksum(out, 14, 20, 0) != 0) return "bad IPv4 header checksum";
        return null;
    }

    @Override
    public void close() {
        stats.close();
        program.close();
        try {
            remove(privateRoot);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot remove " + privateRoot, e);
        }
    }
}
