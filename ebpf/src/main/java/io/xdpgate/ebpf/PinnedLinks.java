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
 * What the fast path's programs share in loading and attaching: opening an object for one VRF with
 * its maps pinned under a pin root (a pinned map of another layout refused, every difference
 * listed), and attachments that are pinned bpf_links, updated in place when a previous run left one.
 */
final class PinnedLinks {

    private PinnedLinks() {}

    /**
     * Opens file with pin_root_path pinRoot (created if missing), checks the maps already pinned
     * there, writes xg_prog_cfg{vrf} into .rodata and loads. beforeLoad runs on the opened object
     * first (more checks); on any failure the object is closed.
     */
    static BpfObject loadForVrf(Path file, Path pinRoot, int vrf, Check beforeLoad) throws BpfException {
        return load(file, pinRoot, vrf, beforeLoad, true);
    }

    /** As {@link #loadForVrf}, but only the maps: created, or reused after the same checks, and pinned. */
    static void createMaps(Path file, Path pinRoot, Check beforeLoad) throws BpfException {
        load(file, pinRoot, 0, beforeLoad, false).close();
    }

    private static BpfObject load(Path file, Path pinRoot, int vrf, Check beforeLoad, boolean programs)
            throws BpfException {
        createDirectories(pinRoot);
        BpfObject object = BpfObject.open(file, pinRoot);
        try {
            beforeLoad.check(object.maps());
            List<String> diffs = new ArrayList<>();
            for (MapInfo m : object.maps()) {
                if (m.pinPath() != null) diffs.addAll(MapCompatibility.pinnedDifferences(m, Path.of(m.pinPath())));
            }
            if (!diffs.isEmpty()) throw MapCompatibility.refused(pinRoot.toString(), diffs);
            object.setRodata(StructBytes.allocate(MapLayouts.PROG_CFG).host32("vrf", vrf).array());
            if (!programs) object.skipPrograms();
            object.load();
            return object;
        } catch (BpfException | RuntimeException e) {
            object.close();
            throw e;
        }
    }

    /** A check of an opened object's map definitions. */
    @FunctionalInterface
    interface Check {
        void check(List<MapInfo> defined) throws BpfException;
    }

    /**
     * If a link is pinned at pin, points it at progFd (BPF_LINK_UPDATE: an atomic replacement) and
     * returns true; a link whose device has gone is unpinned. Returns false when there is none (any
     * more): the caller attaches anew, pinning at pin (its directory now exists).
     */
    static boolean updateInPlace(Path pin, int progFd) throws BpfException {
        if (Files.exists(pin)) {
            int fd = Bpf.objGet(pin);
            try {
                Bpf.linkUpdate(fd, progFd, pin.toString());
                return true;
            } catch (BpfException e) {
                if (!Bpf.isDefunctLink(e)) throw e;
                // The device was deleted (and its ifindex perhaps reused): the old link is dead.
            } finally {
                Bpf.close(fd);
            }
            delete(pin);
        }
        createDirectories(pin.getParent());
        return false;
    }

    /** Detaches the link pinned at pin and unpins it (so destroys it); nothing to do if there is none. */
    static void detach(Path pin) throws BpfException {
        if (!Files.exists(pin)) return;
        int fd = Bpf.objGet(pin);
        try {
            Bpf.linkDetach(fd, pin.toString());
        } finally {
            Bpf.close(fd);
        }
        delete(pin);
    }

    static void createDirectories(Path dir) throws BpfException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new BpfException("create directory " + dir + ": " + e, 0, e);
        }
    }

    static void delete(Path pin) throws BpfException {
        try {
            Files.deleteIfExists(pin);
        } catch (IOException e) {
            throw new BpfException("remove " + pin + ": " + e, 0, e);
        }
    }
}
