package io.xdpgate.lab.bench;

import io.xdpgate.ebpf.FastPathMaps;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.List;

/**
 * Tells when the fast path's FIB holds a whole table, cheaply enough to ask every few
 * milliseconds. Counting a million-key LPM trie takes about a second, so the watch first
 * follows a sample (spread over the table, plus its last routes, which the daemons apply
 * last), and only when the sample is complete counts the keys to confirm.
 */
final class TableWatch {

    private static final int SPREAD = 2000;
    private static final int TAIL = 500;

    private final List<InternetTable.Prefix> sample = new ArrayList<>();
    private final InternetTable table;
    private final int vrf;
    private final int base4;
    private final int base6;
    private int present; // sample[0 .. present) is known to be in the FIB

    TableWatch(InternetTable table, int vrf, int base4, int base6) {
        this.table = table;
        this.vrf = vrf;
        this.base4 = base4;
        this.base6 = base6;
        pick(table.ipv4());
        pick(table.ipv6());
    }

    /** The same table watched again from an empty fast path (the base routes come back too). */
    TableWatch restartingFromEmpty() {
        return new TableWatch(table, vrf, base4, base6);
    }

    private void pick(List<InternetTable.Prefix> routes) {
        int step = Math.max(1, routes.size() / SPREAD);
        for (int i = 0; i < routes.size() - TAIL; i += step) sample.add(routes.get(i));
        for (int i = Math.max(0, routes.size() - TAIL); i < routes.size(); i++) sample.add(routes.get(i));
    }

    /** True once every sampled route is in the FIB. Routes once seen are not looked up again. */
    boolean sampleComplete(FastPathMaps maps) throws Exception {
        while (present < sample.size()) {
            InternetTable.Prefix p = sample.get(present);
            boolean in = p.address() instanceof Inet4Address a
                    ? maps.lookupRoute4(vrf, a, p.length()) != null
                    : maps.lookupRoute6(vrf, (Inet6Address) p.address(), p.length()) != null;
            if (!in) return false;
            present++;
        }
        return true;
    }

    /** True when the FIB holds at least the base routes plus the whole table. */
    boolean countsComplete(FastPathMaps maps) throws Exception {
        return maps.route4Count() >= base4 + table.ipv4().size() && maps.route6Count() >= base6 + table.ipv6().size();
    }

    int percent() {
        return sample.isEmpty() ? 100 : 100 * present / sample.size();
    }
}
