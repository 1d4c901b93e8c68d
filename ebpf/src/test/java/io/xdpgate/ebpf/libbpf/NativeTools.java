package io.xdpgate.ebpf.libbpf;

import io.xdpgate.ebpf.Privileged;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Compiles the C sources of src/test/c with clang into target/test-c. */
final class NativeTools {
    static final Path SOURCES = Path.of("src/test/c");
    static final Path OUT = Path.of("target/test-c");

    private NativeTools() {
    }

    /** Compiles source with the given clang arguments into target/test-c/output. */
    static Path clang(String source, String output, String... args) throws Exception {
        Files.createDirectories(OUT);
        Path out = OUT.resolve(output);
        List<String> cmd = new ArrayList<>(List.of(Privileged.tool("clang")));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-Wall", "-Werror", SOURCES.resolve(source).toString(), "-o", out.toString()));
        Privileged.run(cmd);
        return out;
    }
}
