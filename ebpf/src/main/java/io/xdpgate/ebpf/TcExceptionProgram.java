package io.xdpgate.ebpf;

import io.xdpgate.ebpf.libbpf.Bpf;
import io.xdpgate.ebpf.libbpf.BpfObject;
import java.nio.file.Path;

/**
 * The exception device's TC program (tc_exception.bpf.o) loaded for one VRF: it checks and strips
 * the trailer of special exceptions and reinjects them as received on the trailer's interface.
 * Its maps are the pinned xg_exc_cfg and xg_tc_stats shared with the XDP fast path. The attachment
 * is a pinned TCX link, so it outlives this object and the process.
 */
public final class TcExceptionProgram implements AutoCloseable {
    static final String PROGRAM = "xg_tc_exception";

    private final BpfObject object;
    private final Path pinRoot;
    private final int vrf;
    private final int progFd;

    private TcExceptionProgram(BpfObject object, Path pinRoot, int vrf, int progFd) {
        this.object = object;
        this.pinRoot = pinRoot;
        this.vrf = vrf;
        this.progFd = progFd;
    }

    /** Loads the program for vrf; pinned maps under pinRoot are reused, a different layout refused. */
    public static TcExceptionProgram load(Path pinRoot, int vrf) throws BpfException {
        BpfObject object = PinnedLinks.loadForVrf(EmbeddedObject.path(EmbeddedObject.TC_EXCEPTION), pinRoot, vrf,
                defined -> { });
        try {
            return new TcExceptionProgram(object, pinRoot, vrf, object.programFd(PROGRAM));
        } catch (BpfException | RuntimeException e) {
            object.close();
            throw e;
        }
    }

    /** Where the link attaching this VRF's program to its exception device is pinned. */
    public Path linkPin() {
        return linkPin(pinRoot, vrf);
    }

    public static Path linkPin(Path pinRoot, int vrf) {
        return pinRoot.resolve("links").resolve("exc-vrf" + Integer.toUnsignedString(vrf));
    }

    /**
     * Attaches to the TC ingress of ifindex (in the calling thread's namespace) and pins the link;
     * a link pinned by a previous run is updated in place to this program instead (BPF_LINK_UPDATE),
     * or replaced if its device has gone.
     */
    public void attach(int ifindex) throws BpfException {
        Path pin = linkPin();
        if (!PinnedLinks.updateInPlace(pin, progFd)) {
            Bpf.attachTcxIngress(progFd, ifindex, pin, PROGRAM + " vrf " + Integer.toUnsignedString(vrf));
        }
    }

    /** Detaches and unpins the link of vrf, if there is one. */
    public static void detach(Path pinRoot, int vrf) throws BpfException {
        PinnedLinks.detach(linkPin(pinRoot, vrf));
    }

    /** The verdict of one BPF_PROG_TEST_RUN, the packet as the program left it and the skb mark after it. */
    public record Result(int verdict, byte[] output, int mark) {
        public Result {
            output = output.clone();
        }

        @Override
        public byte[] output() {
            return output.clone();
        }
    }

    /** With TCX: no verdict, the next program (and the legacy TC filters) decide. */
    public static final int TC_ACT_UNSPEC = -1;
    public static final int TC_ACT_OK = 0;
    public static final int TC_ACT_SHOT = 2;
    public static final int TC_ACT_REDIRECT = 7;

    /** Runs the program once on frame as if it arrived on ifindex (1, lo, always exists) with mark. */
    public Result testRun(byte[] frame, int ifindex, int mark) throws BpfException {
        Bpf.SkbTestRun r = Bpf.testRunSkb(progFd, PROGRAM + " vrf " + Integer.toUnsignedString(vrf), frame, ifindex,
                mark);
        return new Result(r.retval(), r.output(), r.markOut());
    }

    public int vrf() {
        return vrf;
    }

    @Override
    public void close() {
        object.close();
    }
}
