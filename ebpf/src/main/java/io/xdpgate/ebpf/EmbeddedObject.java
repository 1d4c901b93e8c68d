package io.xdpgate.ebpf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** xdp_fwd.bpf.o ships in the jar; libbpf needs a file, so it is copied out once per process. */
final class EmbeddedObject {
    static final String RESOURCE = "/bpf/xdp_fwd.bpf.o";

    private static Path extracted;

    private EmbeddedObject() {
    }

    static synchronized Path path() throws BpfException {
        if (extracted != null && Files.isRegularFile(extracted)) {
            return extracted;
        }
        try (InputStream in = EmbeddedObject.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new BpfException(RESOURCE + " is not on the classpath: the ebpf module was built without it", 0);
            }
            // Keep the file name: libbpf names the object (and its .rodata map) after it.
            Path dir = Files.createTempDirectory("xdpgate-bpf-");
            dir.toFile().deleteOnExit();
            Path tmp = dir.resolve("xdp_fwd.bpf.o");
            tmp.toFile().deleteOnExit(); // deleted before dir: deleteOnExit runs in reverse order
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            extracted = tmp;
            return tmp;
        } catch (IOException e) {
            if (e instanceof BpfException b) {
                throw b;
            }
            throw new BpfException("extract " + RESOURCE + " to a temporary file: " + e.getMessage(), 0, e);
        }
    }
}
