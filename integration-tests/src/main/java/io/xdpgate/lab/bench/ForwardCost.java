package io.xdpgate.lab.bench;

import io.xdpgate.ebpf.FastPathProgram;
import io.xdpgate.ebpf.FibReferenceProgram;
import io.xdpgate.ebpf.XdpTestRun;
import io.xdpgate.netlink.NetworkNamespace;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Per-packet cost of the fast path and of the bpf_fib_lookup reference through BPF_PROG_TEST_RUN,
 * one run per frame over many distinct frames (so that the tables are looked up at random places,
 * as a router's traffic does, and no cache is warmer than that), in rounds that alternate which
 * program goes first. The runs are issued from a thread inside the router's namespace: the ingress
 * ifindex of a test run is looked up in the caller's namespace, and bpf_fib_lookup asks the FIB of
 * the ingress device's namespace.
 *
 * <p>The kernel times each run (the program plus one reading of the clock); a program that only
 * returns XDP_PASS, run the same way, gives that floor, reported beside the figures.
 */
final class ForwardCost {

    /**
     * Medians over the rounds of the mean kernel time per packet.
     *
     * @param fastNs the fast path
     * @param referenceNs the bpf_fib_lookup reference
     * @param floorNs the XDP_PASS program (what a test run costs around any program)
     */
    record Figures(double fastNs, double referenceNs, double floorNs, double[] fastRounds, double[] referenceRounds) {
        double ratio() {
            return fastNs / referenceNs;
        }

        /** The same ratio with the test run's own floor taken out of both. */
        double netRatio() {
            return Math.max(0, fastNs - floorNs) / Math.max(1e-9, referenceNs - floorNs);
        }
    }

    private ForwardCost() {}

    /**
     * @param frames frames addressed to the router's fast path port, each forwarded by both programs
     *               to expectDstMac from expectSrcMac (checked once for every frame before timing)
     */
    static Figures measure(Path pinRoot, int vrf, FibReferenceProgram reference, List<byte[]> frames, int ingressIfindex,
                           int rounds, byte[] expectDstMac, byte[] expectSrcMac) throws Exception {
        int maxFrame = frames.stream().mapToInt(f -> f.length).max().orElseThrow();
        return NetworkNamespace.call(ForwardLab.ROUTER, () -> {
            // A copy of the program on the live maps, as ctl verify does: the daemons' own stays attached.
            try (FastPathProgram fast = FastPathProgram.load(pinRoot, vrf)) {
                XdpTestRun.Runner fastRunner = XdpTestRun.runner(fast, maxFrame);
                XdpTestRun.Runner refRunner = reference.runner(FibReferenceProgram.Program.FIB, maxFrame);
                XdpTestRun.Runner floorRunner = reference.runner(FibReferenceProgram.Program.PASS, maxFrame);
                check("the fast path", fastRunner, frames, ingressIfindex, expectDstMac, expectSrcMac);
                check("the reference", refRunner, frames, ingressIfindex, expectDstMac, expectSrcMac);
                double[] fastRounds = new double[rounds];
                double[] refRounds = new double[rounds];
                double[] floorRounds = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    if (r % 2 == 0) {
                        refRounds[r] = meanNs(refRunner, frames, ingressIfindex);
                        fastRounds[r] = meanNs(fastRunner, frames, ingressIfindex);
                    } else {
                        fastRounds[r] = meanNs(fastRunner, frames, ingressIfindex);
                        refRounds[r] = meanNs(refRunner, frames, ingressIfindex);
                    }
                    floorRounds[r] = meanNs(floorRunner, frames, ingressIfindex);
                }
                return new Figures(median(fastRounds), median(refRounds), median(floorRounds), fastRounds, refRounds);
            }
        });
    }

    /** Every frame must be forwarded, and rewritten as a router would: else the figures compare nothing. */
    private static void check(String what, XdpTestRun.Runner runner, List<byte[]> frames, int ingress,
                              byte[] dstMac, byte[] srcMac) throws Exception {
        for (byte[] frame : frames) {
            int verdict = runner.run(frame, ingress);
            if (verdict != XdpTestRun.XDP_REDIRECT) {
                throw new IllegalStateException(what + " returned XDP action " + verdict + " instead of XDP_REDIRECT for "
                        + destination(frame) + ": its figures would not measure forwarding");
            }
            String error = BenchFrames.forwardingError(frame, runner.output(), dstMac, srcMac);
            if (error != null) throw new IllegalStateException(what + " forwarded " + destination(frame) + " wrongly: " + error);
        }
    }

    private static String destination(byte[] frame) {
        boolean ipv4 = (frame[12] & 0xff) == 0x08;
        byte[] a = ipv4 ? Arrays.copyOfRange(frame, 30, 34) : Arrays.copyOfRange(frame, 38, 54);
        try {
            return BenchFrames.text(java.net.InetAddress.getByAddress(a));
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static double meanNs(XdpTestRun.Runner runner, List<byte[]> frames, int ingress) throws Exception {
        long total = 0;
        for (byte[] frame : frames) {
            runner.run(frame, ingress);
            total += runner.durationNs();
        }
        return (double) total / frames.size();
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
