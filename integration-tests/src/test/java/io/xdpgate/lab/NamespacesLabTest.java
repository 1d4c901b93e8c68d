package io.xdpgate.lab;

import io.xdpgate.ctl.CtlMain;
import io.xdpgate.fastpath.VrfTable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every namespace is a VRF: namespaces created, changed and removed while the daemons run are
 * followed, and `xdpgate ctl verify` finds the fast path equal to the kernel once changes stop.
 */
class NamespacesLabTest {

    private static final Path PIN_ROOT = Path.of("/sys/fs/bpf/xg-test-ns");
    private static final Path SOCKET = Path.of("/run/xdpgate/xg-test-ns.sock");
    private static final List<String> created = new ArrayList<>();
    private static Daemons daemons;

    @BeforeAll
    static void start() {
        Privileged.require();
        Lab.removePins(PIN_ROOT);
        daemons = new Daemons(PIN_ROOT, SOCKET, Path.of("target", "lab-logs", "namespaces"));
        daemons.startFastPathManager("xgn-a");
        daemons.startCacheManagerForAllNamespaces();
    }

    @AfterAll
    static void stop() {
        if (daemons != null) daemons.close();
        for (String ns : created) {
            if (Files.exists(Path.of("/run/netns", ns))) Sh.exec(30, "ip", "netns", "del", ns);
        }
        Lab.removePins(PIN_ROOT);
    }

    /** A namespace with a veth pair xgn-a/xgn-b, an address, a neighbour and three routes. */
    private static void router(String ns, int n) {
        Sh.run("ip", "netns", "add", ns);
        created.add(ns);
        Sh.run("ip", "-n", ns, "link", "add", "xgn-a", "type", "veth", "peer", "name", "xgn-b");
        for (String dev : new String[] {"lo", "xgn-a", "xgn-b"}) Sh.run("ip", "-n", ns, "link", "set", dev, "up");
        // Every namespace uses the same prefixes: VRFs keep them apart.
        Sh.run("ip", "-n", ns, "addr", "add", "10.77.0.1/24", "dev", "xgn-a");
        Sh.run("ip", "-n", ns, "neigh", "replace", "10.77.0.2", "lladdr", "02:00:00:00:00:" + String.format("%02x", n),
                "dev", "xgn-a", "nud", "permanent");
        Sh.run("ip", "-n", ns, "route", "add", "10.78.0.0/16", "via", "10.77.0.2");
        Sh.run("ip", "-n", ns, "route", "add", "10.79.0.0/16", "via", "10.77.0.3");
        Sh.run("ip", "-n", ns, "route", "add", "blackhole", "10.80.0.0/16");
    }

    private static void awaitVerifyClean(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (CtlMain.verify(PIN_ROOT, 10) != 0) {
            daemons.checkAlive();
            if (System.nanoTime() > deadline) throw new AssertionError("ctl verify still finds differences (printed above)");
            Thread.sleep(250);
        }
    }

    private static Map<Integer, String> vrfTable() throws Exception {
        return VrfTable.read(PIN_ROOT);
    }

    private static void awaitVrfs(java.util.function.Predicate<Map<Integer, String>> condition, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            if (Files.exists(VrfTable.pathFor(PIN_ROOT)) && condition.test(vrfTable())) return;
            daemons.checkAlive();
            if (System.nanoTime() > deadline) throw new AssertionError("VRF table never showed " + what + ": " + vrfTable());
            Thread.sleep(50);
        }
    }

    @Test
    void namespacesChangingWhileRunningEndInSyncWithTheKernel() throws Exception {
        for (int i = 1; i <= 4; i++) router("xgn" + i, i);
        awaitVrfs(t -> t.values().containsAll(List.of("xgn1", "xgn2", "xgn3", "xgn4")), "the four namespaces");
        awaitVerifyClean(Duration.ofSeconds(20));

        // Change several namespaces at once: one removed, one added, routes and neighbours changed.
        Sh.run("ip", "netns", "del", "xgn2");
        router("xgn5", 5);
        Sh.run("ip", "-n", "xgn3", "route", "add", "10.81.0.0/16", "via", "10.77.0.2");
        Sh.run("ip", "-n", "xgn3", "route", "del", "10.79.0.0/16");
        Sh.run("ip", "-n", "xgn4", "neigh", "flush", "all");
        Sh.run("ip", "-n", "xgn4", "link", "set", "xgn-b", "down"); // carrier lost: routes vanish unannounced
        Sh.run("ip", "-n", "xgn1", "addr", "add", "10.77.1.1/24", "dev", "xgn-a");

        awaitVrfs(t -> t.containsValue("xgn5") && !t.containsValue("xgn2"), "xgn5 added and xgn2 removed");
        awaitVerifyClean(Duration.ofSeconds(20));
    }

    @Test
    void twoHundredFiftySixNamespacesAreFollowedAndForgotten() throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 256; i++) names.add("xgm" + i);
        List<String> batch = new ArrayList<>();
        for (String ns : names) batch.add("netns add " + ns);
        created.addAll(names);
        long start = System.nanoTime();
        Sh.run(writeBatch(batch));
        awaitVrfs(t -> t.values().containsAll(names), "all 256 namespaces");
        System.out.printf("256 namespaces followed %d ms after they were created%n", (System.nanoTime() - start) / 1_000_000);
        awaitVerifyClean(Duration.ofSeconds(60));

        batch.clear();
        for (String ns : names) batch.add("netns del " + ns);
        Sh.run(writeBatch(batch));
        awaitVrfs(t -> names.stream().noneMatch(t::containsValue), "the 256 namespaces gone");
        Map<Integer, String> after = vrfTable();
        assertTrue(after.containsValue(""), "the default namespace is still a VRF");
        assertFalse(after.values().stream().anyMatch(v -> v.startsWith("xgm")));
        assertEquals(0, CtlMain.verify(PIN_ROOT, 10));
    }

    private static String[] writeBatch(List<String> lines) throws java.io.IOException {
        Path f = Files.createTempFile("xg-ns", ".ip");
        Files.write(f, lines);
        f.toFile().deleteOnExit();
        return new String[] {"ip", "-batch", f.toString()};
    }
}
