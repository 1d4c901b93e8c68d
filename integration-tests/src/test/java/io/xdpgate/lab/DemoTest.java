package io.xdpgate.lab;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./xdpgate demo} passes, leaves nothing behind, and can run again at once. */
class DemoTest {

    @Test
    void demoPassesTwiceInARowAndCleansUp() throws Exception {
        Privileged.require();
        assertTrue(Demo.run(), "first demo run");
        assertTrue(Demo.run(), "second demo run, right after the first");
        for (String ns : new String[] {Lab.H1, Lab.ROUTER, Lab.H2}) {
            assertFalse(Files.exists(Path.of("/run/netns", ns)), "namespace " + ns + " removed");
        }
        assertFalse(Files.exists(Demo.PIN_ROOT), "pins removed");
    }
}
