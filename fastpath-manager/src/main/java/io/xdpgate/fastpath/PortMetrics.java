package io.xdpgate.fastpath;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.xdpgate.ebpf.Counter;
import io.xdpgate.ebpf.Stat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The per-interface series of the fast path's counters (xg_port_counts): for each port, the same
 * counters as the totals, by reason, labelled with its VRF, namespace and interface name. A VRF's
 * figures are the sum of its interfaces' series ({@code sum by (vrf)}); the totals (the series without
 * an interface) are the fast path's own global counters, never a sum of these. Series follow the
 * ports: they appear with a port and go with it.
 */
final class PortMetrics {

    /** One port's counters, read at scrape time. */
    record Reading(int vrf, String netns, String ifname, Map<Stat, Counter> counters) {}

    private record Labels(int vrf, String netns, String ifname) {}

    private final MeterRegistry registry;
    private final Map<Labels, List<Meter>> meters = new HashMap<>();
    private volatile Map<Labels, Map<Stat, Counter>> values = Map.of();

    PortMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Takes the counters of one scrape: series of new ports are registered, those of gone ports removed. */
    synchronized void update(List<Reading> readings) {
        Map<Labels, Map<Stat, Counter>> now = new HashMap<>();
        for (Reading r : readings) now.put(new Labels(r.vrf(), r.netns() == null ? "" : r.netns(), r.ifname()), r.counters());
        values = now;
        for (Labels l : now.keySet()) meters.computeIfAbsent(l, this::register);
        for (Iterator<Map.Entry<Labels, List<Meter>>> it = meters.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Labels, List<Meter>> e = it.next();
            if (now.containsKey(e.getKey())) continue;
            e.getValue().forEach(registry::remove);
            it.remove();
        }
    }

    private List<Meter> register(Labels l) {
        List<Meter> out = new ArrayList<>();
        for (Stat s : Stat.values()) {
            String kind = FastPathMetrics.kind(s);
            out.add(FunctionCounter.builder("xdpgate.fp.interface." + kind + ".packets", this, m -> m.value(l, s, false))
                    .description("Packets the fast path " + FastPathMetrics.describe(kind) + ", by ingress interface and reason")
                    .tags("vrf", Integer.toUnsignedString(l.vrf()), "netns", l.netns(), "interface", l.ifname(), "reason", s.label())
                    .register(registry));
            out.add(FunctionCounter.builder("xdpgate.fp.interface." + kind + ".bytes", this, m -> m.value(l, s, true))
                    .description("Bytes the fast path " + FastPathMetrics.describe(kind) + ", by ingress interface and reason")
                    .tags("vrf", Integer.toUnsignedString(l.vrf()), "netns", l.netns(), "interface", l.ifname(), "reason", s.label())
                    .baseUnit("bytes").register(registry));
        }
        return out;
    }

    private double value(Labels l, Stat s, boolean bytes) {
        Map<Stat, Counter> c = values.get(l);
        Counter v = c == null ? null : c.get(s);
        if (v == null) return 0;
        return bytes ? v.bytes() : v.packets();
    }
}
