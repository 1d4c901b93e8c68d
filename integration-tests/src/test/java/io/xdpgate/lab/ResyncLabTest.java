package io.xdpgate.lab;

import io.xdpgate.ebpf.FastPathMaps;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.xdpgate.lab.Daemons.ipv4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * FPC reliability with the real daemons: either side killed in the middle of a resynchronization
 * of a large table, the kernel changed meanwhile, and the fast path ends equal to the kernel;
 * hostile frames close only their own connection.
 */
class ResyncLabTest {

    private static final Path PIN_ROOT = Path.of("/sys/fs/bpf/xg-test-resync");
    private static final Path SOCKET = Path.of("/run/xdpgate/xg-test-resync.sock");
    private static final String FPM = "fastpath-manager";
    private static final String CM = "cache-manager";
    private static final int ROUTES = 60_000;
    private static Lab lab;
    private static Daemons daemons;

    @BeforeAll
    static void startLab() throws Exception {
        Privileged.require();
        Lab.removePins(PIN_ROOT);
        lab = Lab.create();
        daemons = new Daemons(PIN_ROOT, SOCKET, Path.of("target", "lab-logs", "resync"));
        daemons.startFastPathManager();
        daemons.startCacheManager();
        daemons.awaitSynchronized(lab, Duration.ofSeconds(30));
        List<String> adds = new ArrayList<>();
        for (int i = 0; i < ROUTES; i++) adds.add("route add " + prefix(i) + " via " + Lab.H2_ADDR);
        lab.ipBatch(Lab.ROUTER, adds);
        awaitEqual(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopLab() {
        if (daemons != null) daemons.close();
        if (lab != null) lab.close();
        Lab.removePins(PIN_ROOT);
    }

    /** 10.a.b.0/24 for a in 0..239 without the lab's own 10.99 and 10.201-202. */
    private static String prefix(int i) {
        int a = i / 256;
        if (a >= 99) a++;
        if (a >= 201) a += 2;
        return "10." + a + "." + (i % 256) + ".0/24";
    }

    private static void awaitEqual(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> diffs;
        while (!(diffs = RouteComparison.differences(Lab.ROUTER, PIN_ROOT, Lab.ROUTER_VRF)).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(diffs.size() + " differences between kernel and fast path, e.g. "
                        + diffs.subList(0, Math.min(5, diffs.size())));
            }
            daemons.checkAlive();
            Thread.sleep(200);
        }
    }

    /** Deletes {@code count} of the bulk routes and adds as many new ones, in the kernel only. */
    private static void changeKernelWhileDown(int round, int count) {
        List<String> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batch.add("route del " + prefix(round * count + i));
            batch.add("route add 10.202." + (round * 16 + i / 256) + "." + (i % 256) + "/32 via " + Lab.H2_ADDR);
        }
        lab.ipBatch(Lab.ROUTER, batch);
    }

    /** Restarts the cache manager and returns once the fast path manager has begun the new generation. */
    private static void startResync() throws InterruptedException {
        int begun = daemons.logCount(FPM, "begins");
        daemons.stopCacheManager();
        daemons.startCacheManager();
        daemons.awaitLog(FPM, "begins", begun + 1, Duration.ofSeconds(30));
    }

    @Test
    void fastPathManagerKilledInTheMiddleOfAResyncEndsEqualToTheKernelAfterRestart() throws Exception {
        int completed = daemons.logCount(FPM, "complete:");
        startResync();
        daemons.killFastPathManager();
        assertEquals(completed, daemons.logCount(FPM, "complete:"), "killed before the generation completed");

        changeKernelWhileDown(0, 1000);
        Sh.run(Sh.in(Lab.ROUTER, "ip", "route", "flush", "10.202.0.0/24")); // 256 more deletions

        daemons.startFastPathManager();
        awaitEqual(Duration.ofSeconds(60));
        assertTrue(Traffic.ping(Lab.H1, Lab.H2_ADDR, 20, 0.01).allAnswered(), "forwarding after the restart");
    }

    @Test
    void cacheManagerKilledInTheMiddleOfAResyncEndsEqualToTheKernelAfterRestart() throws Exception {
        int completed = daemons.logCount(FPM, "complete:");
        startResync();
        daemons.killCacheManager();
        assertEquals(completed, daemons.logCount(FPM, "complete:"), "killed before the generation completed");

        changeKernelWhileDown(1, 1000);
        daemons.startCacheManager();
        awaitEqual(Duration.ofSeconds(60));
    }

    @Test
    void hostileFramesCloseOnlyTheirOwnConnection() throws Exception {
        int before;
        try (FastPathMaps maps = FastPathMaps.open(PIN_ROOT)) {
            before = maps.route4Count();
        }
        byte[] unknownVersion = {9, 14, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 16};
        byte[] oversized = {1, 14, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 16, 0, 0};
        byte[] truncatedThenClosed = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100, 1, 2};
        assertTrue(closedByServer(unknownVersion), "unknown version closes the connection");
        assertTrue(closedByServer(oversized), "oversized length closes the connection");
        sendAndClose(truncatedThenClosed);
        daemons.checkAlive();

        try (FastPathMaps maps = FastPathMaps.open(PIN_ROOT)) {
            assertEquals(before, maps.route4Count(), "the fast path state is untouched");
            // The cache manager's own connection still works: a change still arrives at once.
            Sh.run(Sh.in(Lab.ROUTER, "ip", "route", "add", "10.99.0.0/16", "via", Lab.H2_ADDR));
            long start = System.nanoTime();
            while (maps.lookupRoute4(Lab.ROUTER_VRF, ipv4("10.99.0.0"), 16) == null && System.nanoTime() - start < 1_000_000_000L) {
                Thread.sleep(1);
            }
            assertNotNull(maps.lookupRoute4(Lab.ROUTER_VRF, ipv4("10.99.0.0"), 16), "the legitimate connection still applies");
            Sh.run(Sh.in(Lab.ROUTER, "ip", "route", "del", "10.99.0.0/16"));
        }
    }

    private static boolean closedByServer(byte[] frame) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(SOCKET));
            ch.write(ByteBuffer.wrap(frame));
            ByteBuffer in = ByteBuffer.allocate(4096);
            long deadline = System.nanoTime() + 5_000_000_000L;
            ch.configureBlocking(false);
            while (System.nanoTime() < deadline) {
                int n = ch.read(in);
                if (n < 0) return true;
                in.clear();
                Thread.onSpinWait();
            }
            return false;
        } catch (IOException e) {
            return true; // reset by the server
        }
    }

    private static void sendAndClose(byte[] frame) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(SOCKET));
            ch.write(ByteBuffer.wrap(frame));
        }
    }
}
