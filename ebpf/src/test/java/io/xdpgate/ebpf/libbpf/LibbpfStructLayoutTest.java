package io.xdpgate.ebpf.libbpf;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Structure;
import io.xdpgate.ebpf.Privileged;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every JNA Structure of the binding against the C layout of the installed libbpf
 * and UAPI headers: a small C program compiled here prints sizes and offsets.
 */
class LibbpfStructLayoutTest {
    /** C struct name to its mirror; bpf_map_info and the info structs are mirrored as prefixes (no size check). */
    private static final Map<String, Structure> MIRRORS = Map.of(
            "bpf_object_open_opts", new OpenOpts(),
            "bpf_test_run_opts", new TestRunOpts(),
            "bpf_map_create_opts", new MapCreateOpts(),
            "xdp_md", new XdpMd(),
            "bpf_map_info", new MapInfoStruct(),
            "bpf_prog_info", new IdInfoStruct(),
            "bpf_link_info", new IdInfoStruct());

    @Test
    void structuresMatchTheCLayout() throws Exception {
        Path exe = NativeTools.clang("libbpf_offsets.c", "libbpf_offsets");
        String out = Privileged.run(List.of(exe.toAbsolutePath().toString()));
        Method fieldOffset = Structure.class.getDeclaredMethod("fieldOffset", String.class);
        fieldOffset.setAccessible(true);
        List<String> diffs = new ArrayList<>();
        int checked = 0;
        for (String line : out.strip().split("\n")) {
            String[] kv = line.split(" ");
            long c = Long.parseLong(kv[1]);
            String[] sf = kv[0].split("\\.");
            Structure s = MIRRORS.get(sf[0]);
            if (s == null) {
                diffs.add(sf[0] + ": no Java mirror");
                continue;
            }
            if (sf.length == 1) {
                if (s.size() != c) {
                    diffs.add(sf[0] + ": size " + c + " in C, " + s.size() + " in " + s.getClass().getSimpleName());
                }
            } else if (sf[0].equals("bpf_prog_info") && sf[1].equals("prog_id")) {
                diffs.add("bpf_prog_info has no prog_id");
            } else {
                int j = (int) fieldOffset.invoke(s, sf[1]);
                if (j != c) {
                    diffs.add(kv[0] + ": offset " + c + " in C, " + j + " in " + s.getClass().getSimpleName());
                }
            }
            checked++;
        }
        assertTrue(checked > 40, "only " + checked + " lines from the C layout dump:\n" + out);
        assertTrue(diffs.isEmpty(), "JNA structures differ from C:\n  " + String.join("\n  ", diffs));
    }
}
