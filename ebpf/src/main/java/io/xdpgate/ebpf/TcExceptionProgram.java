package io.xdpgate.ebpf;

import io.xdpgate.ebpf.libbpf.Bpf;
import io.xdpgate.ebpf.libbpf.BpfObject;
import io.xdpgate.ebpf.libbpf.MapInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
        Path file = EmbeddedObject.path(EmbeddedObject.TC_EXCEPTION);
        try {
            Files.createDirectories(pinRoot);
        } catch (IOException e) {
            throw new BpfException("create directory " + pinRoot + ": " + e, 0, e);
        }
        BpfObject object = BpfObject.open(file, pinRoot);
        try {
            List<String> diffs = new ArrayList<>();
            for (MapInfo m : object.maps()) {
                if (m.pinPath() != null) {
                    diffs.addAll(MapCompatibility.pinnedDifferences(m, Path.of(m.pinPath())));
                }
            }
            if (!diffs.isEmpty()) {
                throw MapCompatibility.refused(pinRoot.toString(), diffs);
            }
            object.setRodata(StructBytes.allocate(MapLayouts.PROG_CFG).host32("vrf", vrf).array());
            object.load();
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
        if (Files.exists(pin)) {
            int fd = Bpf.objGet(pin);
            try {
                Bpf.linkUpdate(fd, progFd, pin.toString());
                return;
            } catch (BpfException e) {
                if (!Bpf.isDefunctLink(e)) {
                    throw e;
                }
            } finally {
                Bpf.close(fd);
            }
            unpin(pin);
        }
        try {
            Files.createDirectories(pin.getParent());
        } catch (IOException e) {
            throw new BpfException("create directory " + pin.getParent() + ": " + e, 0, e);
        }
        Bpf.attachTcxIngress(progFd, ifindex, pin, PROGRAM + " vrf " + Integer.toUnsignedString(vrf));
    }

    /** Detaches and unpins the link of vrf, if there is one. */
    public static void detach(Path pinRoot, int vrf) throws BpfException {
        Path pin = linkPin(pinRoot, vrf);
        if (!Files.exists(pin)) {
            return;
        }
        int fd = Bpf.objGet(pin);
        try {
            Bpf.linkDetach(fd, pin.toString());
        } finally {
            Bpf.close(fd);
        }
        unpin(pin);
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

    private static void unpin(Path pin) throws BpfException {
        try {
            Files.deleteIfExists(pin);
        } catch (IOException e) {
            throw new BpfException("unpin " + pin + ": " + e, 0, e);
        }
    }
}
