package io.xdpgate.ebpf;

import io.xdpgate.ebpf.libbpf.Bpf;
import io.xdpgate.ebpf.libbpf.BpfObject;
import io.xdpgate.ebpf.libbpf.MapInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One loaded instance of the XDP fast path for one VRF. All instances loaded with
 * the same pin root share the maps pinned there. Attachments are pinned bpf_links,
 * so they outlive this object and the process.
 */
public final class FastPathProgram implements AutoCloseable {
    static final String PROGRAM = "xg_xdp_fwd";
    /** The TC ingress program of every port: forwards what XDP leaves to it while a port is captured. */
    static final String TC_PROGRAM = "xg_tc_port";

    private final BpfObject object;
    private final Path pinRoot;
    private final int vrf;
    private final int progFd;

    private FastPathProgram(BpfObject object, Path pinRoot, int vrf, int progFd) {
        this.object = object;
        this.pinRoot = pinRoot;
        this.vrf = vrf;
        this.progFd = progFd;
    }

    /**
     * Opens the embedded xdp_fwd.bpf.o (extracted from the classpath to a temp file),
     * pin_root_path = pinRoot (created if missing), writes xg_prog_cfg{vrf} into .rodata,
     * loads. Pinned maps already present under pinRoot are reused (shared by all VRFs'
     * instances); a pinned map whose type/key/value/max_entries/flags differ is
     * refused by an exception listing every difference.
     */
    public static FastPathProgram load(Path pinRoot, int vrf) throws BpfException {
        BpfObject object = PinnedLinks.loadForVrf(EmbeddedObject.path(), pinRoot, vrf, FastPathProgram::checkDefinitions);
        try {
            return new FastPathProgram(object, pinRoot, vrf, object.programFd(PROGRAM));
        } catch (BpfException | RuntimeException e) {
            object.close();
            throw e;
        }
    }

    /**
     * Creates every map of the fast path under pinRoot, or adopts the ones pinned there after
     * the same checks as {@link #load}, without loading a program: what a manager needs before
     * its first VRF, whose own load verifies the programs.
     */
    public static void createMaps(Path pinRoot) throws BpfException {
        PinnedLinks.createMaps(EmbeddedObject.path(), pinRoot, FastPathProgram::checkDefinitions);
        try {
            // The programs a previous manager attached keep that map while they run; the new ones count in
            // MapLayouts.PORT_STATS.
            java.nio.file.Files.deleteIfExists(pinRoot.resolve(MapLayouts.OBSOLETE_PORT_STATS));
        } catch (java.io.IOException e) {
            throw new BpfException("cannot unpin " + pinRoot.resolve(MapLayouts.OBSOLETE_PORT_STATS) + ": "
                    + e.getMessage(), BpfException.EINVAL);
        }
    }

    /**
     * Whether any of the fast path's maps is pinned under {@code pinRoot}: false before a manager's first
     * start there (or after a reboot), when {@link #createMaps} creates every one of them empty.
     */
    public static boolean anyMapPinned(Path pinRoot) {
        for (MapLayouts.MapDef d : MapLayouts.MAPS) {
            if (java.nio.file.Files.exists(pinRoot.resolve(d.name()))) return true;
        }
        return false;
    }

    /** The object's map definitions must be what MapLayouts says (they are built from the same header). */
    private static void checkDefinitions(List<MapInfo> defined) throws BpfException {
        List<String> diffs = new ArrayList<>();
        for (MapLayouts.MapDef d : MapLayouts.MAPS) {
            MapInfo actual = defined.stream().filter(m -> m.name().equals(d.name())).findFirst().orElse(null);
            if (actual == null) {
                diffs.add(d.name() + ": not defined in " + EmbeddedObject.RESOURCE);
            } else {
                diffs.addAll(MapCompatibility.differences(MapCompatibility.expected(d), actual));
            }
        }
        if (!diffs.isEmpty()) {
            throw new BpfException(EmbeddedObject.RESOURCE + " does not match MapLayouts: " + String.join("; ", diffs),
                    BpfException.EINVAL);
        }
    }

    /** Where the link attaching this VRF's program to ifindex is pinned. */
    Path linkPin(int ifindex) {
        return pinRoot.resolve("links").resolve("vrf" + Integer.toUnsignedString(vrf) + "-if" + ifindex);
    }

    /**
     * Attaches with a bpf_link to ifindex as seen from the calling thread's network
     * namespace (callers enter the right namespace first) and pins the link at
     * pinRoot/links/vrf&lt;vrf&gt;-if&lt;ifindex&gt;. If such a pinned link already exists it
     * is updated in place to this program (BPF_LINK_UPDATE, an atomic replacement)
     * instead of attaching twice. A pinned link whose device has gone is replaced.
     */
    public void attach(int ifindex) throws BpfException {
        Path pin = linkPin(ifindex);
        if (!PinnedLinks.updateInPlace(pin, progFd)) object.attachXdp(PROGRAM, ifindex, pin);
    }

    /** Where the link attaching this VRF's TC port program to ifindex is pinned. */
    Path tcLinkPin(int ifindex) {
        return pinRoot.resolve("links").resolve("vrf" + Integer.toUnsignedString(vrf) + "-if" + ifindex + "-tc");
    }

    /**
     * Attaches xg_tc_port to the TC ingress of ifindex (TCX bpf_link pinned beside the XDP one), or
     * updates a link pinned by a previous run in place. While no port is captured it only looks for
     * its tag in the packets Linux gets and lets them all through.
     */
    public void attachTc(int ifindex) throws BpfException {
        Path pin = tcLinkPin(ifindex);
        int tcFd = object.programFd(TC_PROGRAM);
        if (!PinnedLinks.updateInPlace(pin, tcFd)) {
            Bpf.attachTcxIngress(tcFd, ifindex, pin, TC_PROGRAM + " vrf " + Integer.toUnsignedString(vrf));
        }
    }

    /** Detaches the pinned links of ifindex (XDP and TC), unpins and so destroys them. Nothing to do if there is none. */
    public void detach(int ifindex) throws BpfException {
        PinnedLinks.detach(tcLinkPin(ifindex));
        PinnedLinks.detach(linkPin(ifindex));
    }

    public int vrf() {
        return vrf;
    }

    public Path pinRoot() {
        return pinRoot;
    }

    /** The kernel id of the loaded program (as bpftool shows it). */
    public int programId() throws BpfException {
        return Bpf.progId(progFd);
    }

    int programFd() {
        return progFd;
    }

    /** The fd of the ports' TC program (xg_tc_port) of this instance. */
    int tcProgramFd() throws BpfException {
        return object.programFd(TC_PROGRAM);
    }

    /** Closes the fds; pinned links keep the program attached, pinned maps stay. */
    @Override
    public void close() {
        object.close();
    }
}
