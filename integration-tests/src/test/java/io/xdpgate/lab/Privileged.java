package io.xdpgate.lab;

import org.junit.jupiter.api.Assumptions;

import static org.junit.jupiter.api.Assertions.fail;

/** Lab tests need root (BPF, XDP, namespaces). In CI they must run: there a missing privilege fails. */
public final class Privileged {

    private Privileged() {}

    public static void require() {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) return;
        if ("true".equals(System.getenv("CI"))) {
            fail("lab tests need root (BPF, XDP, network namespaces) and CI must run them: run as root");
        }
        Assumptions.assumeTrue(false, "not root: lab test skipped outside CI");
    }
}
