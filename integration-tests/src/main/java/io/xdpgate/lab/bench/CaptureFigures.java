package io.xdpgate.lab.bench;

import java.util.List;

/**
 * The captured port against the uncaptured one, from the same rounds of {@link ForwardRate}: each
 * round's captured run is compared with its fast path run (same sender, frames and port, seconds
 * apart) and both are taken net of its direct run, as the kernel and the fast path are; medians.
 *
 * @param uncapturedNs      the router's own CPU time per packet, port not captured (XDP forwards)
 * @param capturedNs        the same with tcpdump on the port (the TC program forwards)
 * @param ratio             captured over uncaptured packets per core (uncapturedNs / capturedNs)
 * @param wallUncapturedPps packets per wall-clock second, port not captured (likewise wallCapturedPps)
 * @param wallRatio         captured over uncaptured, packets per wall-clock second
 * @param tcpdumpNsPerPacket tcpdump's own CPU time (on another CPU, not in capturedNs) per packet
 */
record CaptureFigures(double uncapturedNs, double capturedNs, double ratio, double wallUncapturedPps,
                      double wallCapturedPps, double wallRatio, double tcpdumpNsPerPacket, Totals totals) {

    /**
     * Sums over the captured runs: what the sink received, what the TC program forwarded, what the
     * kernel forwarded, what tcpdump's filter saw, wrote and lost; and what the TC program forwarded
     * during the uncaptured fast path runs (zero: the port was back to XDP).
     */
    record Totals(long received, long tcForwarded, long kernelForwarded, long tcpdumpReceivedByFilter,
                  long tcpdumpCaptured, long tcpdumpDropped, long tcForwardedUncaptured) {
    }

    static CaptureFigures of(List<ForwardRate.Run> runs, int rounds) {
        double[] uncaptured = new double[rounds];
        double[] captured = new double[rounds];
        double[] ratio = new double[rounds];
        double[] wall = new double[rounds];
        double[] tcpdump = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            ForwardRate.Run fast = ForwardRate.Figures.run(runs, ForwardRate.Kind.FAST_PATH, r);
            ForwardRate.Run cap = ForwardRate.Figures.run(runs, ForwardRate.Kind.CAPTURED, r);
            ForwardRate.Run direct = ForwardRate.Figures.run(runs, ForwardRate.Kind.DIRECT, r);
            uncaptured[r] = fast.cpuNsPerPacket() - direct.cpuNsPerPacket();
            captured[r] = cap.cpuNsPerPacket() - direct.cpuNsPerPacket();
            ratio[r] = uncaptured[r] / captured[r];
            wall[r] = cap.receivedPerSecond() / fast.receivedPerSecond();
            tcpdump[r] = (double) cap.tcpdump().cpuNs() / cap.received();
        }
        List<ForwardRate.Run> capturedRuns = of(runs, ForwardRate.Kind.CAPTURED);
        Totals totals = new Totals(
                capturedRuns.stream().mapToLong(ForwardRate.Run::received).sum(),
                capturedRuns.stream().mapToLong(ForwardRate.Run::tcForwarded).sum(),
                capturedRuns.stream().mapToLong(ForwardRate.Run::kernelForwarded).sum(),
                capturedRuns.stream().mapToLong(x -> x.tcpdump().receivedByFilter()).sum(),
                capturedRuns.stream().mapToLong(x -> x.tcpdump().captured()).sum(),
                capturedRuns.stream().mapToLong(x -> x.tcpdump().droppedByKernel()).sum(),
                of(runs, ForwardRate.Kind.FAST_PATH).stream().mapToLong(ForwardRate.Run::tcForwarded).sum());
        return new CaptureFigures(ForwardCost.median(uncaptured), ForwardCost.median(captured), ForwardCost.median(ratio),
                median(of(runs, ForwardRate.Kind.FAST_PATH)), median(capturedRuns), ForwardCost.median(wall),
                ForwardCost.median(tcpdump), totals);
    }

    private static List<ForwardRate.Run> of(List<ForwardRate.Run> runs, ForwardRate.Kind kind) {
        return runs.stream().filter(x -> x.kind() == kind && x.round() >= 0).toList();
    }

    private static double median(List<ForwardRate.Run> runs) {
        return ForwardCost.median(runs.stream().mapToDouble(ForwardRate.Run::receivedPerSecond).toArray());
    }
}
