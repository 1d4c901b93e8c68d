package io.xdpgate.hitflags;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HitflagsOptionsTest {

    @TempDir
    Path dir;

    private HitflagsOptions parseFile(String yaml, String... more) throws Exception {
        Path f = dir.resolve("hitflags.yaml");
        Files.writeString(f, yaml);
        String[] args = new String[more.length + 2];
        args[0] = "--config";
        args[1] = f.toString();
        System.arraycopy(more, 0, args, 2, more.length);
        return HitflagsOptions.parse(args);
    }

    @Test
    void defaultsAreTheFastPathManagersPinRootOneSecondAndPort9468() {
        HitflagsOptions o = HitflagsOptions.parse(new String[0]);
        assertEquals(Path.of("/sys/fs/bpf/xdpgate"), o.pinRoot());
        assertEquals(Duration.ofSeconds(1), o.interval());
        assertEquals("127.0.0.1", o.metrics().getHostString());
        assertEquals(9468, o.metrics().getPort());
    }

    @Test
    void theDocumentedExampleHoldsTheDefaults() {
        Path doc = Path.of(System.getenv().getOrDefault("XDPGATE_ROOT", ".."), "docs", "config", "hitflags.yaml");
        assertEquals(HitflagsOptions.parse(new String[0]), HitflagsOptions.parse(new String[] {"--config", doc.toString()}));
    }

    @Test
    void intervalsTakeMillisecondsSecondsOrMinutesWithinBounds() {
        assertEquals(Duration.ofMillis(250), HitflagsOptions.parseInterval("250ms"));
        assertEquals(Duration.ofSeconds(2), HitflagsOptions.parseInterval("2s"));
        assertEquals(Duration.ofMinutes(1), HitflagsOptions.parseInterval("1m"));
        for (String bad : new String[] {"1", "1.5s", "-1s", "5ms", "11m", "s", "99999999999999999999s"}) {
            String m = assertThrows(IllegalArgumentException.class, () -> HitflagsOptions.parseInterval(bad), bad).getMessage();
            assertTrue(m.contains("--interval") && m.contains(bad), m);
        }
    }

    @Test
    void theFileSetsOptionsAndTheCommandLineOverridesIt() throws Exception {
        HitflagsOptions o = parseFile("pin-root: /sys/fs/bpf/xg-x\ninterval: 200ms\nmetrics: off\n", "--interval", "3s");
        assertEquals(Path.of("/sys/fs/bpf/xg-x"), o.pinRoot());
        assertEquals(Duration.ofSeconds(3), o.interval(), "the command line wins");
        assertNull(o.metrics());
    }

    @Test
    void aBadKeyOrValueIsRefusedWithTheKey() {
        String m = assertThrows(IllegalArgumentException.class, () -> parseFile("interval: 1 second\n")).getMessage();
        assertTrue(m.contains("key 'interval'") && m.contains("ms, s or m"), m);
        m = assertThrows(IllegalArgumentException.class, () -> parseFile("metrics: localhost\n")).getMessage();
        assertTrue(m.contains("key 'metrics'") && m.contains("ADDRESS:PORT"), m);
        m = assertThrows(IllegalArgumentException.class, () -> parseFile("pinroot: /x\n")).getMessage();
        assertTrue(m.contains("unknown key 'pinroot'") && m.contains("pin-root"), m);
        m = assertThrows(IllegalArgumentException.class, () -> HitflagsOptions.parse(new String[] {"--ports", "x"})).getMessage();
        assertTrue(m.contains("unknown option '--ports'"), m);
    }

    @Test
    void theHelpNamesEveryOptionAndEveryConfigKey() {
        for (String option : new String[] {"--pin-root", "--interval", "--metrics", "--config", "--help"}) {
            assertTrue(HitflagsOptions.HELP.contains(option), option);
        }
        for (var key : HitflagsOptions.CONFIG_KEYS) assertTrue(HitflagsOptions.HELP.contains(key.name()), key.name());
    }
}
