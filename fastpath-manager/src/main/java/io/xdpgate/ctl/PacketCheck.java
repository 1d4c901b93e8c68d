package io.xdpgate.ctl;

import io.xdpgate.ebpf.Port;
import io.xdpgate.ebpf.Stat;
import io.xdpgate.ebpf.XdpTestRun;
import io.xdpgate.netlink.Link;
import io.xdpgate.netlink.NetworkNamespace;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code xdpgate ctl verify --packets N} for one VRF: N sampled packets, each decided by the kernel
 * (its own route lookup) and by the fast path (its program under BPF_PROG_TEST_RUN), compared by
 * {@link DecisionComparison}. A packet whose decisions differ is looked at a second time with the
 * neighbours and ports read again: a difference that does not repeat came from the state changing
 * meanwhile (a neighbour resolved or expired, a route being synchronized) and is reported apart.
 */
final class PacketCheck {

    /**
     * @param outcomes packets by what the fast path did ("forwarded", "forwarded ecmp", exception and
     *                 drop reasons)
     * @param fromDump packets whose route the kernel's answer did not name, taken from its dump (see
     *                 {@link KernelDecisions#decide})
     */
    record Result(int packets, int ipv4, int mismatches, int changed, Map<String, Integer> outcomes, long kernelNanos,
                  long fastPathNanos, long totalNanos, int fromDump) {}

    private record Verdicts(List<KernelDecision> kernel, List<FastDecision> fast) {}

    private PacketCheck() {}

    /**
     * Checks {@code count} packets in the VRF {@code vrf} of namespace {@code netns} (null: this one),
     * printing the result, the mismatches (at most {@code max}) and the differences that did not repeat.
     *
     * @param ports the fast path's ports of this VRF, by ifindex
     * @param freshPorts the same read again, for the second look
     */
    static Result run(Path pinRoot, int vrf, String netns, KernelSnapshot kernel, Map<Integer, Port> ports,
                      Callable<Map<Integer, Port>> freshPorts, int count, long seed, int max, PrintStream out)
            throws Exception {
        long start = System.nanoTime();
        List<Integer> up = new ArrayList<>();
        ports.forEach((ifindex, p) -> {
            Link l = kernel.links().get(ifindex);
            if (p.isUp() && l != null && l.isUp()) up.add(ifindex);
        });
        PacketSampler sampler = new PacketSampler(kernel, new java.util.HashSet<>(up), new Random(seed));
        List<TestPacket> packets = sampler.sample(count);
        DecisionComparison.Context context = DecisionComparison.Context.of(kernel.links(), ports, kernel.neighbours(),
                kernel.nexthops());
        KernelRoutes routes4 = new KernelRoutes(kernel.routes(), 2);
        KernelRoutes routes6 = new KernelRoutes(kernel.routes(), 10);
        long[] nanos = new long[2];
        List<String> mismatches = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        Map<String, Integer> outcomes = new TreeMap<>();
        int[] fromDump = new int[1];
        NetworkNamespace.call(netns, () -> {
            try (KernelDecisions kernelSide = KernelDecisions.open();
                 FastPathDecisions fastSide = FastPathDecisions.open(pinRoot, vrf)) {
                Verdicts v = decide(packets, kernelSide, fastSide, context, routes4, routes6, nanos);
                List<Integer> suspects = new ArrayList<>();
                for (int i = 0; i < packets.size(); i++) {
                    FastDecision f = v.fast().get(i);
                    outcomes.merge(label(f, v.kernel().get(i)), 1, Integer::sum);
                    if (v.kernel().get(i).note() != null && v.kernel().get(i).route() != null) fromDump[0]++;
                    if (DecisionComparison.mismatch(packets.get(i), v.kernel().get(i), f, context) != null) suspects.add(i);
                }
                if (suspects.isEmpty()) return null;
                // The second look: neighbours and ports as they are now.
                DecisionComparison.Context now = DecisionComparison.Context.of(kernel.links(), freshPorts.call(),
                        kernelSide.neighbours(), kernel.nexthops());
                List<TestPacket> again = suspects.stream().map(packets::get).toList();
                Verdicts second = decide(again, kernelSide, fastSide, now, routes4, routes6, new long[2]);
                for (int j = 0; j < again.size(); j++) {
                    int i = suspects.get(j);
                    String first = DecisionComparison.mismatch(packets.get(i), v.kernel().get(i), v.fast().get(i), context);
                    String repeated = DecisionComparison.mismatch(again.get(j), second.kernel().get(j), second.fast().get(j), now);
                    if (repeated != null) mismatches.add(repeated);
                    else changed.add(first);
                }
            }
            return null;
        });
        int ipv4 = (int) packets.stream().filter(TestPacket::ipv4).count();
        Result r = new Result(packets.size(), ipv4, mismatches.size(), changed.size(), outcomes, nanos[0], nanos[1],
                System.nanoTime() - start, fromDump[0]);
        print(r, sampler, seed, mismatches, changed, max, out);
        return r;
    }

    /** Both decisions for each packet: the kernel's all at once, then the fast path's one by one. */
    private static Verdicts decide(List<TestPacket> packets, KernelDecisions kernelSide, FastPathDecisions fastSide,
                                   DecisionComparison.Context context, KernelRoutes routes4, KernelRoutes routes6,
                                   long[] nanos)
            throws Exception {
        long t0 = System.nanoTime();
        List<KernelDecision> kernel = kernelSide.decide(packets, routes4, routes6, context.objects());
        long t1 = System.nanoTime();
        List<FastDecision> fast = new ArrayList<>(packets.size());
        for (int i = 0; i < packets.size(); i++) {
            TestPacket p = packets.get(i);
            List<Stat> likely = new ArrayList<>();
            for (Outcome o : DecisionComparison.expected(p, kernel.get(i), context)) {
                if (o.reason() != null && !likely.contains(o.reason())) likely.add(o.reason());
            }
            Link ingress = context.links().get(p.ingress());
            byte[] mac = ingress != null && ingress.mac() != null ? ingress.mac() : context.ports().get(p.ingress()).mac();
            fast.add(fastSide.decide(p.frame(mac), p.ingress(), likely));
        }
        nanos[0] += t1 - t0;
        nanos[1] += System.nanoTime() - t1;
        return new Verdicts(kernel, fast);
    }

    private static String label(FastDecision f, KernelDecision k) {
        return switch (f.verdict()) {
            case XdpTestRun.XDP_REDIRECT -> k.route() != null && k.route().multipath().size() > 1 ? "forwarded ecmp" : "forwarded";
            case XdpTestRun.XDP_PASS -> f.reason() == null ? "pass ?" : f.reason().label();
            case XdpTestRun.XDP_DROP -> "drop " + (f.reason() == null ? "?" : f.reason().label());
            default -> "verdict " + f.verdict();
        };
    }

    private static void print(Result r, PacketSampler sampler, long seed, List<String> mismatches, List<String> changed,
                              int max, PrintStream out) {
        out.printf("  packets: %d (%d IPv4, %d IPv6) towards %d IPv4 and %d IPv6 routes, seed %d: %d mismatches"
                        + " in %.1f s (kernel lookups %.1f s, fast path runs %.1f s)%n",
                r.packets(), r.ipv4(), r.packets() - r.ipv4(), sampler.routes4(), sampler.routes6(), seed, r.mismatches(),
                r.totalNanos() / 1e9, r.kernelNanos() / 1e9, r.fastPathNanos() / 1e9);
        if (r.packets() > 0) {
            out.println("  outcomes: " + r.outcomes().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                    .collect(Collectors.joining(", ")));
        } else {
            out.println("  no packets: no up fast path port with an address to send from");
        }
        if (r.fromDump() > 0) {
            out.println("  " + r.fromDump() + " IPv6 lookups through shared nexthop objects: the route from the dump's"
                    + " longest match (fibmatch names the nexthop's first route), checked against the kernel's chosen path");
        }
        mismatches.stream().limit(max).forEach(m -> out.println("  mismatch: " + m));
        if (mismatches.size() > max) out.println("  ... and " + (mismatches.size() - max) + " more mismatches");
        if (!changed.isEmpty()) {
            out.println("  " + changed.size() + " differences did not repeat on a second look (the state changed meanwhile):");
            changed.stream().limit(max).forEach(m -> out.println("  changed: " + m));
            if (changed.size() > max) out.println("  ... and " + (changed.size() - max) + " more");
        }
    }
}
