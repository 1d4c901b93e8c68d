package io.xdpgate.lab.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The cold start's steps read from the fast path manager's log lines written after the start. */
class ColdStartPhasesTest {

    @Test
    void eachStepIsTheFirstLineThatMarksItAfterTheStartingPoint(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("fastpath-manager.log");
        Files.write(log, List.of(
                "23:59:50.000 fastpath-manager INFO  FastPathManager: listening for FPC on /run/xdpgate/x.sock",
                "23:59:51.000 fastpath-manager INFO  ForwardingState: generation 7 of cm complete: 0 vrfs and 0 stale objects removed"));
        long from = ColdStartPhases.mark(log);
        Files.write(log, List.of(
                "23:59:59.500 fastpath-manager INFO  FastPathManager: listening for FPC on /run/xdpgate/x.sock",
                "23:59:59.600 fastpath-manager INFO  ConnectionApplier: generation 8 of cm over all its vrfs begins",
                "a line of something else",
                "00:00:00.100 fastpath-manager INFO  ForwardingState: vrf 1 (netns 'x'): fast path program loaded",
                "00:00:05.250 fastpath-manager INFO  ForwardingState: generation 8 of cm complete: 0 vrfs and 0 stale objects removed",
                "00:00:09.000 fastpath-manager INFO  ForwardingState: generation 9 of cm complete: 0 vrfs and 0 stale objects removed"),
                java.nio.file.StandardOpenOption.APPEND);

        Map<String, Double> steps = ColdStartPhases.read(log, from, LocalTime.parse("23:59:58.000"));

        assertEquals(Map.of("listening", 1.5, "generation_began", 1.6, "program_loaded", 2.1, "complete", 7.25), steps);
        assertEquals(List.of("listening", "generation_began", "program_loaded", "complete"), List.copyOf(steps.keySet()));
    }

    @Test
    void noLogNoSteps(@TempDir Path dir) throws Exception {
        assertEquals(Map.of(), ColdStartPhases.read(dir.resolve("none.log"), 0, LocalTime.NOON));
    }
}
