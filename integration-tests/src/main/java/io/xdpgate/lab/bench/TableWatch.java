package io.xdpgate.lab.bench;

import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.ebpf.Fib4Dir;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.List;

/**
 * Tells when the fast path's FIB holds a whole table, cheaply enough to ask every few
 * milliseconds. Counting a million-key LPM trie takes about a second, so the watch first
 * follows a sample (spread over the table, plus its last routes, which the daemons apply
 * last), and only when the sample is complete counts the keys to confirm. The IPv4 routes a
 * DIR-24 table does not show (longer routes take all of their /24s, {@link Fib4Dir#hidden})
 * are neither sampled nor expected in the count.
 */
final class TableWatch {

    private static final int SPREAD = 2000;
    private static final int TAIL = 500;

    private final List<InternetTable.Prefix> sample = new ArrayList<>();
    private final InternetTable table;
    private final int vrf;
    private final int base4;
    private final int base6;
    private final int hidden4;
    private int present; // sample[0 .. present) is known to be in the FIB

    TableWatch(InternetTable table, int vrf, int base4, int base6) {
        this.table = table;
        this.vrf = vrf;
        this.base4 = base4;
        this.base6 = base6;
        java.util.Set<Long> keys = new java.util.HashSet<>();
        for (InternetTable.Prefix p : table.ipv4()) keys.add(key(ipv4(p), p.length()));
        List<InternetTable.Prefix> shown = new ArrayList<>();
        for (InternetTable.Prefix p : table.ipv4()) {
            if (!Fib4Dir.hidden(ipv4(p), p.length(), (prefix, length) -> keys.contains(key(prefix, length)))) shown.add(p);
        }
        this.hidden4 = table.ipv4().size() - shown.size();
        pick(shown);
        pick(table.ipv6());
    }

    private static int ipv4(InternetTable.Prefix p) {
        return java.nio.ByteBuffer.wrap(p.address().getAddress()).getInt();
    }

    private static long key(int prefix, int length) {
        return (Integer.toUnsignedLong(prefix) << 6) | length;
    }

    /** The routes of the table that a DIR-24 table does not show. */
    int hiddenIpv4() {
        return hidden4;
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
        int count4 = maps.route4Count(); // first: it brings the maps' view of the DIR-24 tables up to date
        int ipv4 = table.ipv4().size() - (maps.hasFib4Dir(vrf) ? hidden4 : 0);
        return count4 >= base4 + ipv4 && maps.route6Count() >= base6 + table.ipv6().size();
    }

    int percent() {
        return sample.isEmpty() ? 100 : 100 * present / sample.size();
    }
}
