package io.xdpgate.cachemanager;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RoutesByNexthopTest {

    private final RoutesByNexthop index = new RoutesByNexthop();

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void keepsTheLatestIdPerRouteAndCountsRoutesPerId() throws Exception {
        assertEquals(0, index.put(ip("10.1.0.0"), 16, 10));
        assertEquals(0, index.put(ip("10.1.0.0"), 24, 10), "another length, another route");
        assertEquals(0, index.put(ip("2001:db8:100::"), 48, 10));
        assertEquals(3, index.routesUsing(10));
        assertEquals(10, index.put(ip("10.1.0.0"), 16, 11), "moved to 11");
        assertEquals(2, index.routesUsing(10));
        assertEquals(1, index.routesUsing(11));
        assertEquals(11, index.put(ip("10.1.0.0"), 16, 0), "no longer through an object: forgotten");
        assertEquals(0, index.routesUsing(11));
        assertEquals(2, index.size());

        assertEquals(Set.of(new RoutesByNexthop.Prefix(ip("10.1.0.0"), 24), new RoutesByNexthop.Prefix(ip("2001:db8:100::"), 48)),
                Set.copyOf(index.removeAll(10)));
        assertEquals(0, index.size());
        assertEquals(List.of(), index.removeAll(10));
    }

    @Test
    void agreesWithAMapThroughGrowthAndChurn() throws Exception {
        Random random = new Random(42);
        Map<RoutesByNexthop.Prefix, Integer> reference = new HashMap<>();
        for (int i = 0; i < 200_000; i++) {
            boolean v6 = random.nextInt(4) == 0;
            byte[] a = new byte[v6 ? 16 : 4];
            a[0] = (byte) (v6 ? 0x20 : 10);
            a[1] = (byte) random.nextInt(4); // few distinct prefixes: many replaces and removals
            a[a.length - 1] = (byte) random.nextInt(64);
            RoutesByNexthop.Prefix p = new RoutesByNexthop.Prefix(InetAddress.getByAddress(a), v6 ? 128 : 32 - random.nextInt(2));
            int op = random.nextInt(10);
            if (op < 6) {
                int id = random.nextInt(8);
                Integer old = id == 0 ? reference.remove(p) : reference.put(p, id);
                assertEquals(old == null ? 0 : old, index.put(p.prefix(), p.length(), id));
            } else if (op < 9) {
                Integer old = reference.remove(p);
                assertEquals(old == null ? 0 : old, index.remove(p.prefix(), p.length()));
            } else {
                int id = 1 + random.nextInt(7);
                Set<RoutesByNexthop.Prefix> expected = new HashSet<>();
                reference.entrySet().removeIf(e -> e.getValue() == id && expected.add(e.getKey()));
                assertEquals(expected, Set.copyOf(index.removeAll(id)));
            }
            assertEquals(reference.size(), index.size());
        }
        for (int id = 1; id < 8; id++) {
            int n = id;
            assertEquals(reference.values().stream().filter(v -> v == n).count(), index.routesUsing(id));
        }
        index.clear();
        assertEquals(0, index.size());
        assertEquals(0, index.routesUsing(3));
    }
}
