package io.xdpgate.ebpf;

import io.xdpgate.ebpf.libbpf.Bpf;

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
}
