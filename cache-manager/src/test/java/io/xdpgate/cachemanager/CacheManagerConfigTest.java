package io.xdpgate.cachemanager;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CacheManagerConfigTest {

    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        Path f = dir.resolve("cache-manager.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void theDocumentedExampleHoldsTheDefaults() {
        Path doc = Path.of(System.getenv().getOrDefault("XDPGATE_ROOT", ".."), "docs", "config", "cache-manager.yaml");
        assertEquals(CacheManagerOptions.parse(new String[0]), CacheManagerOptions.parse(new String[] {"--config", doc.toString()}));
    }

    @Test
    void theFileSetsOptionsAndTheCommandLineOverridesIt() throws Exception {
        Path f = write("netns: blue\nvrf: 7\nrcvbuf: 65536\nipv6: false\nmetrics: off\n");
        CacheManagerOptions o = CacheManagerOptions.parse(new String[] {"--config", f.toString(), "--vrf", "9"});
        assertEquals("blue", o.netns());
        assertEquals(9, o.vrf(), "the command line wins");
        assertEquals(65536, o.receiveBufferBytes());
        assertFalse(o.ipv6());
        assertNull(o.metrics());
    }

    @Test
    void aBadValueIsRefusedWithItsKey() throws Exception {
        Path f = write("rcvbuf: 12\n");
        String m = assertThrows(IllegalArgumentException.class,
                () -> CacheManagerOptions.parse(new String[] {"--config", f.toString()})).getMessage();
        assertTrue(m.contains("key 'rcvbuf'") && m.contains("from 4096"), m);
        Path g = write("port: 1\n");
        m = assertThrows(IllegalArgumentException.class,
                () -> CacheManagerOptions.parse(new String[] {"--config", g.toString()})).getMessage();
        assertTrue(m.contains("unknown key 'port'"), m);
    }
}
