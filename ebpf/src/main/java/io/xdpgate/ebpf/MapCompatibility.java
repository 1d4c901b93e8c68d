package io.xdpgate.ebpf;

import io.xdpgate.ebpf.libbpf.Bpf;
import io.xdpgate.ebpf.libbpf.MapInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares pinned maps with the definitions the code expects, listing every
 * difference (libbpf would only say "parameter mismatch" for the first one).
 */
final class MapCompatibility {
    private MapCompatibility() {
    }

    /** The differences between an expected and an actual map, as "xg_nh: value_size is 32, expected 28". */
    static List<String> differences(MapInfo expected, MapInfo actual) {
        List<String> out = new ArrayList<>();
        String n = expected.name();
        compare(out, n, "type", actual.type(), expected.type());
        compare(out, n, "key_size", actual.keySize(), expected.keySize());
        compare(out, n, "value_size", actual.valueSize(), expected.valueSize());
        compare(out, n, "max_entries", actual.maxEntries(), expected.maxEntries());
        compare(out, n, "map_flags", actual.flags(), expected.flags());
        return out;
    }

    private static void compare(List<String> out, String map, String what, int actual, int expected) {
        if (actual != expected) {
            out.add(map + ": " + what + " is " + Integer.toUnsignedString(actual) + ", expected "
                    + Integer.toUnsignedString(expected));
        }
    }

    /** The differences of the pinned map at path, if one is there; none if nothing is pinned there. */
    static List<String> pinnedDifferences(MapInfo expected, Path path) {
        if (!Files.exists(path)) {
            return List.of();
        }
        int fd;
        try {
            fd = Bpf.objGet(path);
        } catch (BpfException e) {
            return List.of(expected.name() + ": cannot open " + path + ": " + e.getMessage());
        }
        try {
            return differences(expected, Bpf.mapInfo(fd, path.toString()));
        } catch (BpfException e) {
            return List.of(expected.name() + ": " + path + " is not a map: " + e.getMessage());
        } finally {
            Bpf.close(fd);
        }
    }

    static MapInfo expected(MapLayouts.MapDef d) {
        return new MapInfo(d.name(), d.type(), d.keySize(), d.valueSize(), d.maxEntries(), d.flags(), null);
    }

    static BpfException refused(String where, List<String> differences) {
        return new BpfException("pinned maps under " + where + " differ from the expected layout, refusing them: "
                + String.join("; ", differences), BpfException.EINVAL);
    }
}
