package io.xdpgate.lab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardBenchOptionsTest {

    @Test
    void defaultsAreTheIssuesSizes() {
        ForwardBenchOptions o = ForwardBenchOptions.parse(new String[0]);
        assertEquals(List.of(1, 100_000, 1_000_000), o.routes4Sizes());
        assertEquals(280_000, o.routes6());
        assertEquals(1_000_000, o.maxRoutes4());
    }

    @Test
    void aQuickRunIsPossible() {
        ForwardBenchOptions o = ForwardBenchOptions.parse(new String[] {"--json", "--routes4-sizes", "1,10_000",
                "--routes6", "0", "--frames", "1024", "--rate-seconds", "0"});
        assertEquals(List.of(1, 10_000), o.routes4Sizes());
        assertEquals(0, o.routes6());
        assertEquals(1024, o.frames());
        assertEquals(0.0, o.rateSeconds());
        assertTrue(o.json());
    }

    @Test
    void sizesMustAscendBecauseEachAddsRoutesToTheLast() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ForwardBenchOptions.parse(new String[] {"--routes4-sizes", "100,10"}));
        assertTrue(e.getMessage().contains("ascend"), e.getMessage());
    }

    @Test
    void nothingToMeasureIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> ForwardBenchOptions.parse(new String[] {"--routes4-sizes", "", "--routes6", "0"}));
        assertThrows(IllegalArgumentException.class, () -> ForwardBenchOptions.parse(new String[] {"--frames", "x"}));
        assertThrows(IllegalArgumentException.class, () -> ForwardBenchOptions.parse(new String[] {"--bogus"}));
    }
}
