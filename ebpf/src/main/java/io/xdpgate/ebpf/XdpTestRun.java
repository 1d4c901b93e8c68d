package io.xdpgate.ebpf;

import io.xdpgate.ebpf.libbpf.Bpf;
import io.xdpgate.ebpf.libbpf.XdpTestRunner;

/** Runs the fast path on one frame through BPF_PROG_TEST_RUN: no device sends or receives anything. */
public final class XdpTestRun {
    private XdpTestRun() {
    }

    /**
     * @param verdict    the XDP action returned (XDP_DROP 1, XDP_PASS 2, XDP_REDIRECT 4, ...)
     * @param output     the frame as the program left it
     * @param durationNs the kernel's average run time per repetition
     */
    public record Result(int verdict, byte[] output, long durationNs) {
        public Result {
            output = output.clone();
        }

        @Override
        public byte[] output() {
            return output.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Result r && verdict == r.verdict && java.util.Arrays.equals(output, r.output)
                    && durationNs == r.durationNs;
        }

        @Override
        public int hashCode() {
            return (verdict * 31 + java.util.Arrays.hashCode(output)) * 31 + Long.hashCode(durationNs);
        }

        @Override
        public String toString() {
            return "Result[verdict=" + verdict + ", output=" + output.length + " bytes, durationNs=" + durationNs + "]";
        }
    }

    public static final int XDP_ABORTED = 0;
    public static final int XDP_DROP = 1;
    public static final int XDP_PASS = 2;
    public static final int XDP_TX = 3;
    public static final int XDP_REDIRECT = 4;

    /**
     * Runs the program repeat times on frame (a repeated run sees the frame as the
     * previous run left it). ingressIfindex must exist in the calling thread's
     * network namespace (1, lo, always does). A call with repeat &gt; 1 costs about
     * 20 ms of wall time besides the runs (measured on Linux 6.18: the kernel
     * switches its XDP dispatcher to the program and back), repeat = 1 does not.
     */
    public static Result run(FastPathProgram p, byte[] frame, int ingressIfindex, int repeat) throws BpfException {
        Bpf.TestRun r = Bpf.testRunXdp(p.programFd(), FastPathProgram.PROGRAM + " vrf "
                + Integer.toUnsignedString(p.vrf()), frame, ingressIfindex, repeat);
        return new Result(r.retval(), r.output(), r.durationNs());
    }

    /** A runner of p for many single runs on distinct frames of at most maxFrame bytes (see {@link Runner}). */
    public static Runner runner(FastPathProgram p, int maxFrame) {
        return new Runner(new XdpTestRunner(p.programFd(), FastPathProgram.PROGRAM + " vrf "
                + Integer.toUnsignedString(p.vrf()), maxFrame));
    }

    /**
     * Runs one program once per call on a frame, its buffers allocated once: what a measurement
     * over many distinct frames (so that no cache is artificially warm) needs. Not thread-safe;
     * the ingress ifindex is looked up in the calling thread's network namespace.
     */
    public static final class Runner {
        private final XdpTestRunner runner;

        Runner(XdpTestRunner runner) {
            this.runner = runner;
        }

        /** The XDP action returned. */
        public int run(byte[] frame, int ingressIfindex) throws BpfException {
            return runner.run(frame, ingressIfindex);
        }

        /** The kernel's timing of the last run: the program plus one reading of the clock. */
        public long durationNs() {
            return runner.durationNs();
        }

        /** The frame as the program left it in the last run. */
        public byte[] output() {
            return runner.output();
        }
    }
}
