package io.xdpgate.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * NTF_USE against a real kernel: two namespaces joined by a veth pair; the near one holds a STALE
 * entry for the far one, a PERMANENT entry and none for a third address (needs root).
 */
class NeighbourRefresherPrivilegedTest {
    private TestNamespace near;
    private TestNamespace far;

    @BeforeEach
    void createNamespaces() throws Exception {
        Privileged.requireRoot();
        near = new TestNamespace("xghf");
        far = new TestNamespace("xghf");
        near.ip("link", "add", "xgva", "type", "veth", "peer", "name", "xgvb", "netns", far.name);
        near.ip("addr", "add", "10.8.0.1/24", "dev", "xgva");
        far.ip("addr", "add", "10.8.0.2/24", "dev", "xgvb");
        near.ip("link", "set", "xgva", "up");
        far.ip("link", "set", "xgvb", "up");
        near.ip("ntable", "change", "name", "arp_cache", "dev", "xgva", "delay_probe", "200");
        String farMac = far.ip("-br", "link", "show", "xgvb").trim().split("\\s+")[2];
        near.ip("neigh", "add", "10.8.0.2", "lladdr", farMac, "dev", "xgva", "nud", "stale");
        near.ip("neigh", "add", "10.8.0.50", "lladdr", "02:00:00:00:00:50", "dev", "xgva", "nud", "permanent");
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (near != null) near.close();
        if (far != null) far.close();
    }

    private String state(String address) throws Exception {
        String line = near.ip("neigh", "show", address, "dev", "xgva").trim();
        return line.isEmpty() ? "absent" : line.substring(line.lastIndexOf(' ') + 1);
    }

    @Test
    void aStaleEntryIsRevalidatedAndStaticOrMissingOnesAreLeftAlone() throws Exception {
        int ifindex = Integer.parseInt(near.ip("-o", "link", "show", "xgva").split(":")[0].trim());
        List<NeighbourRefresher.Target> targets = List.of(
                new NeighbourRefresher.Target(ifindex, InetAddress.getByName("10.8.0.2")),
                new NeighbourRefresher.Target(ifindex, InetAddress.getByName("10.8.0.50")),
                new NeighbourRefresher.Target(ifindex, InetAddress.getByName("10.8.0.99")));
        NeighbourRefresher.Outcome outcome;
        try (NeighbourRefresher refresher = NeighbourRefresher.open(near.name)) {
            outcome = refresher.refresh(targets);
        }
        assertEquals(new NeighbourRefresher.Outcome(1, 1, 1, Map.of()), outcome);
        String now = state("10.8.0.2");
        assertTrue(List.of("DELAY", "PROBE", "REACHABLE").contains(now), "STALE entry used: " + now);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!state("10.8.0.2").equals("REACHABLE") && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals("REACHABLE", state("10.8.0.2"), "the far end answered the unicast probe");
        assertEquals("PERMANENT", state("10.8.0.50"), "a static entry is never touched");
        assertEquals("absent", state("10.8.0.99"), "nothing is created");
    }
}
