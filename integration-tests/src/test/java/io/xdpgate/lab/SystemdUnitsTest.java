package io.xdpgate.lab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The systemd units of docs/systemd are valid units, as systemd itself checks them. */
class SystemdUnitsTest {

    @TempDir
    Path dir;

    @Test
    void theUnitsPassSystemdAnalyzeVerify() throws Exception {
        Path root = Path.of(System.getenv().getOrDefault("XDPGATE_ROOT", "..")).toAbsolutePath().normalize();
        Path launcher = root.resolve("xdpgate");
        String[] units = {"xdpgate-fastpath-manager.service", "xdpgate-cache-manager.service", "xdpgate-hitflags.service"};
        List<String> command = new ArrayList<>(List.of("systemd-analyze", "verify", "--man=no"));
        for (String unit : units) command.add(dir.resolve(unit).toString());
        for (String unit : units) {
            // Installed, the units run /opt/xdpgate/xdpgate; here, this checkout's launcher.
            String text = Files.readString(root.resolve("docs/systemd").resolve(unit));
            assertTrue(text.contains("/opt/xdpgate/xdpgate "), unit + " starts the launcher at /opt/xdpgate");
            Files.writeString(dir.resolve(unit), text.replace("/opt/xdpgate/xdpgate", launcher.toString()));
        }
        Sh.Result r = Sh.exec(60, command.toArray(new String[0]));
        assertTrue(r.ok() && r.stderr().isBlank() && r.stdout().isBlank(),
                "systemd-analyze verify (exit " + r.exitCode() + "):\n" + r.stdout() + r.stderr());
    }
}
