package io.xdpgate.lab;

import io.xdpgate.ebpf.Stat;
import io.xdpgate.netlink.NetworkNamespace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ECMP through the fast path: a route with two nexthops, over two links from the router to xgh2,
 * spreads flows over both, and each flow keeps its path.
 *
 * <pre>
 *   xgh1 -- xgr -- xgr-h2  10.201.2.1 ---- 10.201.2.2 xgh2-r  --+
 *               \- xgr-h2b 10.201.3.1 ---- 10.201.3.2 xgh2-rb --+-- xgh2 (10.203.0.1 on lo)
 *   xgr: 10.203.0.0/24 nexthop via 10.201.2.2 nexthop via 10.201.3.2
 * </pre>
 */
class EcmpLabTest {

    private static final Path PIN_ROOT = Path.of("/sys/fs/bpf/xg-test-ecmp");
    private static final Path SOCKET = Path.of("/run/xdpgate/xg-test-ecmp.sock");
    private static final String R_H2B = "xgr-h2b";
    private static final String H2_IFB = "xgh2-rb";
    private static final String TARGET = "10.203.0.1";
    private static final int FLOWS = 64;
    private static final int PACKETS = 20;
    private static Lab lab;
    private static Daemons daemons;

    @BeforeAll
    static void start() throws Exception {
        Privileged.require();
        Lab.removePins(PIN_ROOT);
        lab = Lab.create();
        Sh.run("ip", "link", "add", H2_IFB, "netns", Lab.H2, "type", "veth", "peer", "name", R_H2B, "netns", Lab.ROUTER);
        Sh.run(Sh.in(Lab.H2, "ip", "link", "set", H2_IFB, "up"));
        Sh.run(Sh.in(Lab.ROUTER, "ip", "link", "set", R_H2B, "up"));
        Sh.run(Sh.in(Lab.H2, "ethtool", "-K", H2_IFB, "tx", "off", "gro", "on"));
        Sh.run(Sh.in(Lab.ROUTER, "ip", "addr", "add", "10.201.3.1/24", "dev", R_H2B));
        Sh.run(Sh.in(Lab.H2, "ip", "addr", "add", "10.201.3.2/24", "dev", H2_IFB));
        Sh.run(Sh.in(Lab.H2, "ip", "addr", "add", TARGET + "/32", "dev", "lo"));
        Sh.run(Sh.in(Lab.ROUTER, "ip", "route", "add", "10.203.0.0/24",
                "nexthop", "via", Lab.H2_ADDR, "dev", Lab.R_H2, "nexthop", "via", "10.201.3.2", "dev", R_H2B));
        daemons = new Daemons(PIN_ROOT, SOCKET, Path.of("target", "lab-logs", "ecmp"));
        daemons.startFastPathManager(String.join(",", Lab.ROUTER + "/" + Lab.R_H1, Lab.ROUTER + "/" + Lab.R_H2,
                Lab.ROUTER + "/" + R_H2B));
        daemons.startCacheManager();
        daemons.awaitSynchronized(lab, Duration.ofSeconds(30));
        // Linux resolves both gateways once; from then on they are synchronized.
        Sh.run(Sh.in(Lab.ROUTER, "ping", "-c", "1", "-W", "1", Lab.H2_ADDR));
        Sh.run(Sh.in(Lab.ROUTER, "ping", "-c", "1", "-W", "1", "10.201.3.2"));
        Traffic.ping(Lab.H1, Lab.H2_ADDR, 3, 0.2);
    }

    @AfterAll
    static void stop() {
        if (daemons != null) daemons.close();
        if (lab != null) lab.close();
        Lab.removePins(PIN_ROOT);
    }

    private static long received(String ifname) {
        return lab.linkStat(Lab.H2, ifname, "rx", "packets");
    }

    /** Sends PACKETS UDP datagrams of one flow (source port {@code port}) and tells which link carried them. */
    private static int pathOf(DatagramSocket[] sockets, int flow) throws Exception {
        long a = received(Lab.H2_IF);
        long b = received(H2_IFB);
        byte[] payload = new byte[64];
        for (int i = 0; i < PACKETS; i++) {
            sockets[flow].send(new DatagramPacket(payload, payload.length, new InetSocketAddress(InetAddress.getByName(TARGET), 9)));
        }
        Thread.sleep(20);
        long da = received(Lab.H2_IF) - a;
        long db = received(H2_IFB) - b;
        if (da >= PACKETS && db < PACKETS / 2) return 0;
        if (db >= PACKETS && da < PACKETS / 2) return 1;
        throw new AssertionError("flow " + flow + " was not on one path: " + da + " packets on " + Lab.H2_IF + ", " + db + " on " + H2_IFB);
    }

    @Test
    void flowsSpreadOverBothNexthopsAndEachKeepsItsPath() throws Exception {
        Counters before = Counters.read(PIN_ROOT, lab);
        // Sockets of xgh1, made by a thread inside its namespace: one per flow, source ports 40000..40063.
        DatagramSocket[] sockets = NetworkNamespace.call(Lab.H1, () -> {
            DatagramSocket[] s = new DatagramSocket[FLOWS];
            for (int i = 0; i < FLOWS; i++) s[i] = new DatagramSocket(new InetSocketAddress(Lab.H1_ADDR, 40000 + i));
            return s;
        });
        try {
            int[] path = new int[FLOWS];
            int[] perPath = new int[2];
            for (int f = 0; f < FLOWS; f++) perPath[path[f] = pathOf(sockets, f)]++;
            for (int f = 0; f < FLOWS; f++) assertEquals(path[f], pathOf(sockets, f), "flow " + f + " changed path");
            Counters d = Counters.read(PIN_ROOT, lab).minus(before);
            System.out.printf("ECMP: %d flows on %s, %d on %s; %d fast-path forwarded, %d by the kernel%n",
                    perPath[0], Lab.H2_IF, perPath[1], H2_IFB, d.packets(Stat.FORWARDED), d.kernelForwarded());
            assertTrue(perPath[0] >= FLOWS * 3 / 10 && perPath[1] >= FLOWS * 3 / 10,
                    "each nexthop carries at least 30% of the flows: " + perPath[0] + " / " + perPath[1]);
            assertTrue(d.packets(Stat.FORWARDED) >= 2L * FLOWS * PACKETS, "forwarded by the fast path:\n" + d.table());
            assertTrue(d.kernelForwarded() <= 5, "not by the kernel:\n" + d.table());
        } finally {
            for (DatagramSocket s : sockets) s.close();
        }
    }
}
