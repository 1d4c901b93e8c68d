package io.xdpgate.lab.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyncBenchOptionsTest {

    @Test
    void defaultsAndColdStarts() {
        SyncBenchOptions d = SyncBenchOptions.parse(new String[0]);
        assertEquals(1_000_000, d.routes4());
        assertEquals(250_000, d.routes6());
        assertEquals(1, d.coldStarts());
        assertEquals(3, SyncBenchOptions.parse(new String[] {"--cold-starts", "3", "--json"}).coldStarts());
        assertTrue(SyncBenchOptions.USAGE.contains("--cold-starts N"));
    }

    @Test
    void badValuesAreRefusedWithTheirReason() {
        assertEquals("--cold-starts must be at least 1",
                assertThrows(IllegalArgumentException.class, () -> SyncBenchOptions.parse(new String[] {"--cold-starts", "0"})).getMessage());
        assertEquals("--cold-starts needs a value",
                assertThrows(IllegalArgumentException.class, () -> SyncBenchOptions.parse(new String[] {"--cold-starts"})).getMessage());
    }
}
