package io.xdpgate.lab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    @Test
    void theCapturedPortIsMeasuredAtOneSizeTheDefault100kWhenItIsOne() {
        ForwardBenchOptions o = ForwardBenchOptions.parse(new String[0]);
        assertEquals(100_000, o.captureAt());
        assertTrue(o.capturesAt(100_000));
        assertFalse(o.capturesAt(1));
        assertFalse(o.capturesAt(1_000_000));
        assertEquals(10_000, ForwardBenchOptions.parse(new String[] {"--routes4-sizes", "1,10000"}).captureAt(),
                "without 100k among the sizes, the largest");
        assertEquals(1, ForwardBenchOptions.parse(new String[] {"--capture-at", "1"}).captureAt());
    }

    @Test
    void theCapturedPortCanBeLeftOut() {
        ForwardBenchOptions o = ForwardBenchOptions.parse(new String[] {"--no-capture"});
        assertEquals(0, o.captureAt());
        assertFalse(o.capturesAt(100_000));
        assertEquals(0, ForwardBenchOptions.parse(new String[] {"--rate-seconds", "0"}).captureAt(), "no rate runs, no capture");
        assertEquals(0, ForwardBenchOptions.parse(new String[] {"--routes4-sizes", "", "--routes6", "10"}).captureAt());
    }

    @Test
    void aCaptureSizeMustBeAMeasuredIpv4SizeWithRateRuns() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ForwardBenchOptions.parse(new String[] {"--capture-at", "5000"}));
        assertTrue(e.getMessage().contains("5000"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ForwardBenchOptions.parse(new String[] {"--capture-at", "1", "--no-capture"}));
        assertThrows(IllegalArgumentException.class,
                () -> ForwardBenchOptions.parse(new String[] {"--capture-at", "1", "--rate-seconds", "0"}));
        assertThrows(IllegalArgumentException.class, () -> ForwardBenchOptions.parse(new String[] {"--capture-at"}));
    }
}
