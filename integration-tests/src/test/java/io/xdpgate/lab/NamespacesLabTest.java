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

    /**
     * A namespace with a veth pair xgn-a/xgn-b and, in IPv4 and IPv6, an address, a neighbour and
     * routes, two of them through kernel nexthop objects (a single nexthop and a group of two).
     */
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
        Sh.run("ip", "-n", ns, "addr", "add", "2001:db8:77::1/64", "dev", "xgn-a", "nodad");
        Sh.run("ip", "-n", ns, "neigh", "replace", "2001:db8:77::2", "lladdr", "02:00:00:00:01:" + String.format("%02x", n),
                "dev", "xgn-a", "nud", "permanent");
        Sh.run("ip", "-n", ns, "route", "add", "2001:db8:78::/48", "via", "2001:db8:77::2");
        Sh.run("ip", "-n", ns, "route", "add", "blackhole", "2001:db8:79::/48");
        Sh.run("ip", "-n", ns, "nexthop", "add", "id", "7", "via", "10.77.0.2", "dev", "xgn-a");
        Sh.run("ip", "-n", ns, "nexthop", "add", "id", "9", "via", "10.77.0.3", "dev", "xgn-a");
        Sh.run("ip", "-n", ns, "nexthop", "add", "id", "10", "group", "7/9");
        Sh.run("ip", "-n", ns, "route", "add", "10.82.0.0/16", "nhid", "7");
        Sh.run("ip", "-n", ns, "route", "add", "10.83.0.0/16", "nhid", "10");
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
        daemons.awaitVerifyClean(Duration.ofSeconds(20));

        // Change several namespaces at once: one removed, one added, and in the others routes,
        // neighbours, addresses, links and nexthop objects changed, in both families.
        Sh.run("ip", "netns", "del", "xgn2");
        router("xgn5", 5);
        Sh.run("ip", "-n", "xgn3", "route", "add", "10.81.0.0/16", "via", "10.77.0.2");
        Sh.run("ip", "-n", "xgn3", "route", "del", "10.79.0.0/16");
        Sh.run("ip", "-n", "xgn3", "nexthop", "replace", "id", "7", "via", "10.77.0.3", "dev", "xgn-a");
        Sh.run("ip", "-n", "xgn3", "route", "replace", "2001:db8:78::/48", "via", "2001:db8:77::3");
        Sh.run("ip", "-n", "xgn4", "neigh", "flush", "all");
        Sh.run("ip", "-n", "xgn4", "link", "set", "xgn-b", "down"); // carrier lost: routes vanish unannounced
        Sh.run("ip", "-n", "xgn1", "addr", "add", "10.77.1.1/24", "dev", "xgn-a");
        Sh.run("ip", "-n", "xgn1", "nexthop", "del", "id", "7"); // the kernel flushes its routes unannounced
        Sh.run("ip", "-n", "xgn1", "addr", "del", "2001:db8:77::1/64", "dev", "xgn-a");
        Sh.run("ip", "-n", "xgn5", "link", "add", "xgn-c", "type", "veth", "peer", "name", "xgn-d");
        Sh.run("ip", "-n", "xgn5", "link", "set", "xgn-c", "up");
        Sh.run("ip", "-n", "xgn5", "addr", "add", "10.90.0.1/24", "dev", "xgn-c");
        Sh.run("ip", "-n", "xgn3", "link", "add", "xgn-e", "type", "veth", "peer", "name", "xgn-f");
        Sh.run("ip", "-n", "xgn3", "link", "del", "xgn-e");
        Sh.run("ip", "-n", "xgn3", "nexthop", "add", "id", "11", "blackhole");
        Sh.run("ip", "-n", "xgn3", "route", "add", "10.84.0.0/16", "nhid", "11");

        awaitVrfs(t -> t.containsValue("xgn5") && !t.containsValue("xgn2"), "xgn5 added and xgn2 removed");
        daemons.awaitVerifyClean(Duration.ofSeconds(20));
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
        daemons.awaitVerifyClean(Duration.ofSeconds(60));

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
