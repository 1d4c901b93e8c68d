package io.xdpgate.ebpf.libbpf;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpgate.ebpf.BpfException;
import io.xdpgate.ebpf.Privileged;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A program the verifier rejects: the exception carries the verifier's log. */
class VerifierLogTest {
    @Test
    void loadFailureCarriesTheVerifierLog() throws Exception {
        Privileged.requireRoot();
        Path obj = NativeTools.clang("rejected.bpf.c", "rejected.bpf.o", "-O2", "-g", "-target", "bpf",
                "-I/usr/include/x86_64-linux-gnu", "-c");
        try (BpfObject o = BpfObject.open(obj, null)) {
            BpfException e = assertThrows(BpfException.class, o::load);
            String m = e.getMessage();
            assertTrue(m.startsWith("bpf_object__load(rejected.bpf.o) failed: EACCES (Permission denied)"), m);
            assertTrue(m.contains("verifier log:"), m);
            assertTrue(m.contains("invalid access to packet"), m);
            assertTrue(m.contains("libbpf: prog 'xg_rejected'"), "libbpf's own warnings travel too: " + m);
        }
    }
}
