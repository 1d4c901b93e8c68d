package io.xdpgate.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cost of writing routes into the LPM tries as the fastpath-manager does
 * (FastPathMaps, so JNA and key building are included), in thread CPU time, one BPF_MAP_UPDATE_ELEM
 * per route against BPF_MAP_UPDATE_BATCH, with 10k and 1M random /24 prefixes
 * already in xg_fib4 (and 10k, 280k /48 in xg_fib6). Logged, not asserted.
 * Takes about a minute, so it only runs when asked:
 * {@code mvn -o -pl ebpf test -Dtest=RouteUpdateCostTest -Dxdpgate.bench=true}.
 */
@EnabledIfSystemProperty(named = "xdpgate.bench", matches = "true")
class RouteUpdateCostTest {
    private static final Logger LOG = LoggerFactory.getLogger(RouteUpdateCostTest.class);
    private static final int VRF = 7;
    private static final int MEASURED = 20_000;

    @Test
    void ipv4RouteUpdateCostAt10kAnd1MRoutes() throws Exception {
        for (int existing : new int[] {10_000, 1_000_000}) {
            measure4(existing);
        }
    }

    @Test
    void ipv6RouteUpdateCostAt10kAnd280kRoutes() throws Exception {
        for (int existing : new int[] {10_000, 280_000}) {
            measure6(existing);
        }
    }

    private static final int ROUNDS = 5;
    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    /**
     * This thread's CPU time, user and system: the system calls' kernel work
     * included, other processes' load excluded (the machines have two cores and
     * builds run beside this; wall time there says more about them than about the
     * trie). Work the kernel defers to RCU callbacks (freeing nodes) is not counted.
     */
    private static long clock() {
        return THREADS.getCurrentThreadCpuTime();
    }

    /**
     * Per round: M new prefixes inserted one update each, the same M replaced, then
     * deleted; M other new prefixes written by batch, then deleted. The first round
     * warms the JIT; the median of the others is logged.
     */
    private static void measure4(int existing) throws Exception {
        Path root = Privileged.freshPinRoot();
        try (FastPathProgram p = FastPathProgram.load(root, VRF); FastPathMaps maps = FastPathMaps.open(root)) {
            Random random = new Random(existing);
            Set<Integer> used = new HashSet<>();
            List<FastPathMaps.Route4Entry> fill = routes4(random, used, existing);
            List<FastPathMaps.Route4Entry> single = routes4(random, used, MEASURED);
            List<FastPathMaps.Route4Entry> batch = routes4(random, used, MEASURED);

            long t0 = clock();
            maps.putRoutes4(fill);
            long fillNs = clock() - t0;
            long[] insert = new long[ROUNDS];
            long[] replace = new long[ROUNDS];
            long[] delete = new long[ROUNDS];
            long[] batched = new long[ROUNDS];
            for (int round = 0; round < ROUNDS; round++) {
                insert[round] = timeSingle4(maps, single);
                replace[round] = timeSingle4(maps, single);
                delete[round] = timeDelete4(maps, single);
                t0 = clock();
                maps.putRoutes4(batch);
                batched[round] = (clock() - t0) / MEASURED;
                assertEquals(Route.unicast(1), maps.lookupRoute4(VRF, batch.get(0).prefix(), 24));
                timeDelete4(maps, batch);
            }
            assertEquals(existing, maps.route4Count());
            LOG.info("xg_fib4 holding {} random /24, per route through FastPathMaps (median of {} rounds of {}):"
                            + " putRoute4 of a new prefix {} ns, of a stored prefix {} ns, deleteRoute4 {} ns;"
                            + " putRoutes4 (BPF_MAP_UPDATE_BATCH) {} ns; filling the {} by putRoutes4 {} ns per route",
                    existing, ROUNDS - 1, MEASURED, median(insert), median(replace), median(delete),
                    median(batched), existing, fillNs / existing);
        } finally {
            Privileged.removePinRoot(root);
        }
    }

    /** The median of all but the first (warm-up) value. */
    private static long median(long[] v) {
        long[] rest = java.util.Arrays.copyOfRange(v, 1, v.length);
        java.util.Arrays.sort(rest);
        return rest[rest.length / 2];
    }

    /** ns per route. */
    private static long timeSingle4(FastPathMaps maps, List<FastPathMaps.Route4Entry> routes) throws Exception {
        long t0 = clock();
        for (FastPathMaps.Route4Entry r : routes) {
            maps.putRoute4(VRF, r.prefix(), r.prefixLength(), r.route());
        }
        return (clock() - t0) / routes.size();
    }

    private static long timeDelete4(FastPathMaps maps, List<FastPathMaps.Route4Entry> routes) throws Exception {
        long t0 = clock();
        for (FastPathMaps.Route4Entry r : routes) {
            maps.deleteRoute4(VRF, r.prefix(), r.prefixLength());
        }
        return (clock() - t0) / routes.size();
    }

    /** n random /24 prefixes not in used (and then in it). */
    private static List<FastPathMaps.Route4Entry> routes4(Random random, Set<Integer> used, int n)
            throws UnknownHostException {
        List<FastPathMaps.Route4Entry> out = new ArrayList<>(n);
        while (out.size() < n) {
            int a = random.nextInt() & 0xffffff00;
            if (used.add(a)) {
                byte[] b = {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), 0};
                out.add(new FastPathMaps.Route4Entry(VRF, (Inet4Address) InetAddress.getByAddress(b), 24,
                        Route.unicast(1)));
            }
        }
        return out;
    }

    private static void measure6(int existing) throws Exception {
        Path root = Privileged.freshPinRoot();
        try (FastPathProgram p = FastPathProgram.load(root, VRF); FastPathMaps maps = FastPathMaps.open(root)) {
            Random random = new Random(existing);
            Set<Long> used = new HashSet<>();
            List<FastPathMaps.Route6Entry> fill = routes6(random, used, existing);
            List<FastPathMaps.Route6Entry> single = routes6(random, used, MEASURED);
            List<FastPathMaps.Route6Entry> batch = routes6(random, used, MEASURED);
            long t0 = clock();
            maps.putRoutes6(fill);
            long fillNs = clock() - t0;
            long[] insert = new long[ROUNDS];
            long[] batched = new long[ROUNDS];
            for (int round = 0; round < ROUNDS; round++) {
                t0 = clock();
                for (FastPathMaps.Route6Entry r : single) {
                    maps.putRoute6(VRF, r.prefix(), r.prefixLength(), r.route());
                }
                insert[round] = (clock() - t0) / MEASURED;
                t0 = clock();
                maps.putRoutes6(batch);
                batched[round] = (clock() - t0) / MEASURED;
                for (FastPathMaps.Route6Entry r : single) {
                    maps.deleteRoute6(VRF, r.prefix(), r.prefixLength());
                }
                for (FastPathMaps.Route6Entry r : batch) {
                    maps.deleteRoute6(VRF, r.prefix(), r.prefixLength());
                }
            }
            LOG.info("xg_fib6 holding {} random /48, per route through FastPathMaps (median of {} rounds of {}):"
                            + " putRoute6 of a new prefix {} ns; putRoutes6 (BPF_MAP_UPDATE_BATCH) {} ns;"
                            + " filling by putRoutes6 {} ns per route",
                    existing, ROUNDS - 1, MEASURED, median(insert), median(batched), fillNs / existing);
        } finally {
            Privileged.removePinRoot(root);
        }
    }

    /** n random /48 prefixes in 2000::/3 not in used. */
    private static List<FastPathMaps.Route6Entry> routes6(Random random, Set<Long> used, int n)
            throws UnknownHostException {
        List<FastPathMaps.Route6Entry> out = new ArrayList<>(n);
        while (out.size() < n) {
            long top = (random.nextLong() & 0x1fff_ffff_ffffL) | 0x2000_0000_0000L; // 48 bits
            if (used.add(top)) {
                byte[] b = new byte[16];
                for (int i = 0; i < 6; i++) {
                    b[i] = (byte) (top >>> (40 - 8 * i));
                }
                out.add(new FastPathMaps.Route6Entry(VRF, Inet6Address.getByAddress(null, b, -1), 48,
                        Route.unicast(1)));
            }
        }
        return out;
    }
}
