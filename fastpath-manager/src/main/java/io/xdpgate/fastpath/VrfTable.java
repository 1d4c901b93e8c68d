package io.xdpgate.fastpath;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * The VRF table the Fast Path Manager publishes for operator tools: VRF id to network namespace
 * name ("" for the namespace the daemons run in). It sits in /run/xdpgate, named after the pin
 * root, so that `xdpgate ctl` finds it from the same --pin-root as the daemon.
 */
public final class VrfTable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path RUN_DIR = Path.of("/run/xdpgate");

    private VrfTable() {}

    public static Path pathFor(Path pinRoot) {
        return RUN_DIR.resolve(pinRoot.getFileName() + ".vrfs.json");
    }

    /** Replaces the file atomically: a reader sees the old table or the new one, never half. */
    static void publish(Path pinRoot, Map<Integer, String> vrfs) throws IOException {
        Path file = pathFor(pinRoot);
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), new TreeMap<>(vrfs));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The published table; an exception naming the file when there is none or it is unreadable. */
    public static Map<Integer, String> read(Path pinRoot) throws IOException {
        Path file = pathFor(pinRoot);
        if (!Files.exists(file)) {
            throw new IOException("no VRF table at " + file + ": is the fast path manager running with --pin-root " + pinRoot + "?");
        }
        try {
            return JSON.readValue(file.toFile(), new TypeReference<TreeMap<Integer, String>>() {});
        } catch (IOException e) {
            throw new IOException("unreadable VRF table " + file + ": " + e.getMessage(), e);
        }
    }
}
