package io.xdpgate.fastpath;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FastPathConfigTest {

    @TempDir
    Path dir;

    private FastPathOptions parse(String yaml, String... more) throws Exception {
        Path f = dir.resolve("fastpath-manager.yaml");
        Files.writeString(f, yaml);
        String[] args = new String[more.length + 2];
        args[0] = "--config";
        args[1] = f.toString();
        System.arraycopy(more, 0, args, 2, more.length);
        return FastPathOptions.parse(args);
    }

    @Test
    void theDocumentedExampleHoldsTheDefaults() {
        Path doc = Path.of(System.getenv().getOrDefault("XDPGATE_ROOT", ".."), "docs", "config", "fastpath-manager.yaml");
        assertEquals(FastPathOptions.parse(new String[0]), FastPathOptions.parse(new String[] {"--config", doc.toString()}));
    }

    @Test
    void theFileSetsOptionsAndTheCommandLineOverridesIt() throws Exception {
        FastPathOptions o = parse("pin-root: /sys/fs/bpf/xg-x\nports: [xgr/a, b]\nallow-uid: [1000, 1001]\nmetrics: off\n",
                "--pin-root", "/sys/fs/bpf/xg-y");
        assertEquals(Path.of("/sys/fs/bpf/xg-y"), o.pinRoot(), "the command line wins");
        assertEquals(List.of("xgr/a", "b"), o.ports());
        assertEquals(Set.of(1000, 1001), o.allowedUids());
        assertNull(o.metrics());
        assertEquals(9468, parse("metrics: 127.0.0.1:9468\n").metrics().getPort());
    }

    @Test
    void aBadKeyOrValueIsRefusedWithTheKey() {
        String m = assertThrows(IllegalArgumentException.class, () -> parse("allow-uid: [-1]\n")).getMessage();
        assertTrue(m.contains("key 'allow-uid'") && m.contains("non-negative"), m);
        m = assertThrows(IllegalArgumentException.class, () -> parse("metrics: localhost\n")).getMessage();
        assertTrue(m.contains("key 'metrics'") && m.contains("ADDRESS:PORT"), m);
        m = assertThrows(IllegalArgumentException.class, () -> parse("port: eth0\n")).getMessage();
        assertTrue(m.contains("unknown key 'port'") && m.contains("ports"), m);
    }
}
