package io.xdpgate.lab.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xdpgate.lab.Sh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Kernel memory of the fast path's pinned maps as bpftool shows it (bytes_memlock: the kernel's own
 * accounting of each map, which for a trie or a hash grows with its entries), and of the kernel's
 * IPv4 FIB in a namespace (/proc/net/fib_triestat), the reference's tables.
 */
final class MapMemory {

    private static final ObjectMapper JSON = new ObjectMapper();

    private MapMemory() {}

    /** Map name to bytes, for every map pinned directly under pinRoot. */
    static Map<String, Long> pinnedMaps(Path pinRoot) throws IOException {
        Map<String, Long> out = new TreeMap<>();
        try (Stream<Path> pins = Files.list(pinRoot)) {
            for (Path pin : (Iterable<Path>) pins::iterator) {
                if (Files.isDirectory(pin)) continue;
                Sh.Result r = Sh.exec(60, "bpftool", "-j", "map", "show", "pinned", pin.toString());
                if (!r.ok()) continue; // not a map (a pinned program or link)
                JsonNode map = JSON.readTree(r.stdout());
                out.put(pin.getFileName().toString(), map.path("bytes_memlock").asLong());
            }
        }
        return out;
    }

    /** The "Total size" of every IPv4 table in the namespace's fib_triestat, in bytes; -1 if unreadable. */
    static long kernelFib4(String netns) {
        Sh.Result r = Sh.exec(60, Sh.in(netns, "cat", "/proc/net/fib_triestat"));
        if (!r.ok()) return -1;
        long kb = 0;
        boolean found = false;
        for (String line : r.stdout().split("\n")) {
            String l = line.strip();
            if (!l.startsWith("Total size:")) continue;
            String[] f = l.substring("Total size:".length()).strip().split("\\s+");
            kb += Long.parseLong(f[0]);
            found = true;
        }
        return found ? kb * 1024 : -1;
    }
}
