package io.xdpgate.ebpf.libbpf;

import com.sun.jna.Memory;
import io.xdpgate.ebpf.BpfException;

/**
 * BPF_PROG_TEST_RUN of one XDP program, one frame per call, with the native buffers and
 * structures allocated once: a measurement runs hundreds of thousands of distinct frames and
 * should not spend its time allocating. Not thread-safe. The ingress ifindex is looked up in
 * the calling thread's network namespace.
 */
public final class XdpTestRunner {
    private static final LibBpf LIB = LibBpf.INSTANCE;

    private final int progFd;
    private final String what;
    private final int maxFrame;
    private final int outCap;
    private final Memory in;
    private final Memory out;
    private final XdpMd ctx = new XdpMd();
    private final TestRunOpts opts = new TestRunOpts();
    private int verdict;
    private long durationNs;
    private int outLength;

    /** @param maxFrame the longest frame {@link #run} will be given */
    public XdpTestRunner(int progFd, String what, int maxFrame) {
        if (maxFrame <= 0) {
            throw new IllegalArgumentException("maxFrame " + maxFrame);
        }
        this.progFd = progFd;
        this.what = what;
        this.maxFrame = maxFrame;
        this.outCap = maxFrame + 4096; // room for a program that grows the frame
        this.in = new Memory(maxFrame);
        this.out = new Memory(outCap);
        opts.data_in = in;
        opts.data_out = out;
        opts.ctx_in = ctx.getPointer();
        opts.ctx_size_in = ctx.size();
        opts.repeat = 1;
    }

    /** Runs the program once on frame arriving on ingressIfindex; returns the XDP action. */
    public int run(byte[] frame, int ingressIfindex) throws BpfException {
        if (frame.length == 0 || frame.length > maxFrame) {
            throw new IllegalArgumentException("frame of " + frame.length + " bytes, this runner takes 1.." + maxFrame);
        }
        in.write(0, frame, 0, frame.length);
        // The kernel wants data = data_meta = 0 and data_end = the frame length.
        ctx.data_end = frame.length;
        ctx.ingress_ifindex = ingressIfindex;
        ctx.write();
        opts.data_size_in = frame.length;
        opts.data_size_out = outCap; // the kernel overwrites it with the output's length
        opts.write();
        Calls.check(Calls.retry(() -> LIB.bpf_prog_test_run_opts(progFd, opts)), "bpf(BPF_PROG_TEST_RUN) on " + what);
        opts.read();
        verdict = opts.retval;
        durationNs = Integer.toUnsignedLong(opts.duration);
        outLength = Math.min(opts.data_size_out, outCap);
        return verdict;
    }

    /** The kernel's timing of the last run (it includes reading the clock once). */
    public long durationNs() {
        return durationNs;
    }

    public int verdict() {
        return verdict;
    }

    /** The frame as the program left it in the last run. */
    public byte[] output() {
        return out.getByteArray(0, outLength);
    }
}
