package io.xdpgate.hitflags;

import io.xdpgate.fastpath.VrfTable;
import io.xdpgate.netlink.NeighbourRefresher;
import io.xdpgate.netlink.NetlinkException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The namespace of each VRF, from the table the fast path manager publishes next to its pin root
 * (re-read when it changes), and one {@link NeighbourRefresher} per VRF, opened on first use inside
 * that namespace and kept while the VRF keeps its namespace.
 */
final class VrfNamespaces implements AutoCloseable {

    private record Open(String netns, NeighbourRefresher refresher) {}

    private final Path pinRoot;
    private Map<Integer, String> table = Map.of();
    private FileTime readAt;
    private final Map<Integer, Open> open = new HashMap<>();

    VrfNamespaces(Path pinRoot) {
        this.pinRoot = pinRoot;
    }

    /** Re-reads the table if its file changed; closes the refreshers of VRFs gone or moved. */
    void reload() throws IOException {
        Path file = VrfTable.pathFor(pinRoot);
        FileTime modified = Files.exists(file) ? Files.getLastModifiedTime(file) : null;
        if (modified == null || modified.equals(readAt)) return;
        table = VrfTable.read(pinRoot);
        readAt = modified;
        for (Iterator<Map.Entry<Integer, Open>> it = open.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, Open> e = it.next();
            if (!e.getValue().netns().equals(table.get(e.getKey()))) {
                e.getValue().refresher().close();
                it.remove();
            }
        }
    }

    /** The refresher of {@code vrf}, or null when the VRF is not in the table. */
    NeighbourRefresher refresher(int vrf) throws NetlinkException {
        Open o = open.get(vrf);
        if (o != null) return o.refresher();
        String netns = table.get(vrf);
        if (netns == null) return null;
        o = new Open(netns, NeighbourRefresher.open(netns));
        open.put(vrf, o);
        return o.refresher();
    }

    /** The namespace of {@code vrf} ("" for the daemons' own), or null. */
    String namespaceOf(int vrf) {
        return table.get(vrf);
    }

    /** Closes the refresher of {@code vrf} after an error: the next use opens a new one. */
    void discard(int vrf) {
        Open o = open.remove(vrf);
        if (o != null) o.refresher().close();
    }

    @Override
    public void close() {
        open.values().forEach(o -> o.refresher().close());
        open.clear();
    }
}
