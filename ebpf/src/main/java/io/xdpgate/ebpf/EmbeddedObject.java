package io.xdpgate.ebpf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;

/** The eBPF objects ship in the jar; libbpf needs a file, so each is copied out once per process. */
final class EmbeddedObject {
    static final String RESOURCE = "/bpf/xdp_fwd.bpf.o";
    static final String TC_EXCEPTION = "/bpf/tc_exception.bpf.o";

    private static final Map<String, Path> EXTRACTED = new HashMap<>();

    private EmbeddedObject() {
    }

    /** The fast path's object. */
    static Path path() throws BpfException {
        return path(RESOURCE);
    }

    static synchronized Path path(String resource) throws BpfException {
        Path extracted = EXTRACTED.get(resource);
        if (extracted != null && Files.isRegularFile(extracted)) {
            return extracted;
        }
        try (InputStream in = EmbeddedObject.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new BpfException(resource + " is not on the classpath: the ebpf module was built without it", 0);
            }
            // Keep the file name: libbpf names the object (and its .rodata map) after it.
            Path dir = Files.createTempDirectory("xdpgate-bpf-");
            dir.toFile().deleteOnExit();
            Path tmp = dir.resolve(Path.of(resource).getFileName().toString());
            tmp.toFile().deleteOnExit(); // deleted before dir: deleteOnExit runs in reverse order
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            EXTRACTED.put(resource, tmp);
            return tmp;
        } catch (IOException e) {
            if (e instanceof BpfException b) {
                throw b;
            }
            throw new BpfException("extract " + resource + " to a temporary file: " + e.getMessage(), 0, e);
        }
    }
}
