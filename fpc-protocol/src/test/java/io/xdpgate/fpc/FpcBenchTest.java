package io.xdpgate.fpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A small FpcBench run: every figure is there, the JSON is one object, no socket is left behind. */
class FpcBenchTest {
    @Test
    void aSmallRunReportsEveryFigureAndCleansUp() throws Exception {
        long before = benchDirs();
        Map<String, Object> r = FpcBench.run(20_000);
        assertEquals(before, benchDirs(), "the temporary socket directory is removed");
        for (String key : new String[] {"route_msgs_per_s", "encode_msgs_per_s", "decode_msgs_per_s", "route_list_routes_per_s"}) {
            assertTrue((double) r.get(key) > 0, key + " " + r.get(key));
        }
        assertTrue((long) r.get("heap_bytes") > 0);
        String json = FpcBench.toJson(r);
        assertTrue(json.startsWith("{\"routes\":20000,") && json.endsWith("}") && !json.contains("\n"), json);
        assertTrue(json.contains("\"route_msgs_per_s\":") && json.contains("\"heap_bytes\":"), json);
    }

    private static long benchDirs() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("fpc-bench")).count();
        }
    }
}
