package io.xdpgate.daemon;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class YamlConfigTest {

    private static final List<YamlConfig.Key> KEYS = List.of(
            new YamlConfig.Value("socket", "--socket"),
            new YamlConfig.Value("rcvbuf", "--rcvbuf"),
            new YamlConfig.Switch("ipv6", null, "--no-ipv6"),
            new YamlConfig.ListOf("ports", "--ports"));

    /** Stands in for a daemon's option parser: rcvbuf must be a number. */
    private static final Consumer<List<String>> CHECK = args -> {
        if (args.size() == 2 && args.get(0).equals("--rcvbuf") && !args.get(1).matches("\\d+")) {
            throw new IllegalArgumentException("--rcvbuf expects a number, got '" + args.get(1) + "'");
        }
    };

    @TempDir
    Path dir;

    private List<String> load(String yaml) throws Exception {
        Path f = dir.resolve("daemon.yaml");
        Files.writeString(f, yaml);
        return YamlConfig.arguments(f, KEYS, CHECK);
    }

    private String error(String yaml) {
        return assertThrows(IllegalArgumentException.class, () -> load(yaml)).getMessage();
    }

    @Test
    void keysBecomeTheEquivalentArguments() throws Exception {
        assertEquals(List.of("--socket", "/run/x.sock", "--rcvbuf", "65536", "--no-ipv6", "--ports", "xgr/a,b"),
                load("socket: /run/x.sock\nrcvbuf: 65536\nipv6: false\nports: [xgr/a, b]\n"));
        assertEquals(List.of(), load("ipv6: true\n"), "a switch at its default adds nothing");
        assertEquals(List.of("--ports", "eth0"), load("ports: eth0\n"), "one value for a list");
        assertEquals(List.of(), load("# only a comment\n"), "an empty file keeps every default");
    }

    @Test
    void aBadKeyOrValueIsRefusedWithTheKeyAndWhatWasExpected() {
        String unknown = error("sokcet: /run/x.sock\n");
        assertTrue(unknown.contains("unknown key 'sokcet'") && unknown.contains("socket, rcvbuf, ipv6, ports"), unknown);
        String number = error("rcvbuf: lots\n");
        assertTrue(number.contains("key 'rcvbuf'") && number.contains("expects a number"), number);
        String bool = error("ipv6: maybe\n");
        assertTrue(bool.contains("key 'ipv6'") && bool.contains("expected true or false"), bool);
        String mapping = error("socket:\n  path: /x\n");
        assertTrue(mapping.contains("key 'socket'") && mapping.contains("a mapping"), mapping);
        String list = error("ports: [a, [b]]\n");
        assertTrue(list.contains("key 'ports'"), list);
        assertTrue(error("- a\n- b\n").contains("expected a mapping"));
        assertTrue(error("socket: a\nsocket: b\n").contains("not valid YAML"), "duplicate keys are refused");
        assertTrue(error("socket: [unclosed\n").contains("not valid YAML"));
    }

    @Test
    void aMissingOrHugeFileIsRefused() throws Exception {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> YamlConfig.arguments(dir.resolve("absent.yaml"), KEYS, CHECK)).getMessage().contains("no such file"));
        Path big = dir.resolve("big.yaml");
        Files.writeString(big, "# " + "x".repeat((int) YamlConfig.MAX_BYTES) + "\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> YamlConfig.arguments(big, KEYS, CHECK))
                .getMessage().contains("at most"));
    }
}
