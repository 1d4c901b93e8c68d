package io.xdpgate.lab;

import io.xdpgate.ebpf.Counter;
import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.ebpf.Stat;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/** A snapshot of the fast path's per-reason counters and the router kernel's forwarding counter. */
public record Counters(Map<Stat, Counter> fastPath, long kernelForwarded) {

    public static Counters read(Path pinRoot, Lab lab) {
        try (FastPathMaps maps = FastPathMaps.open(pinRoot)) {
            return new Counters(new EnumMap<>(maps.stats()), lab.kernelForwarded());
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the fast path counters under " + pinRoot + ": " + e.getMessage(), e);
        }
    }

    public long packets(Stat stat) {
        Counter c = fastPath.get(stat);
        return c == null ? 0 : c.packets();
    }

    /** What happened between {@code before} and this snapshot. */
    public Counters minus(Counters before) {
        Map<Stat, Counter> d = new EnumMap<>(Stat.class);
        for (Stat s : Stat.values()) {
            Counter a = fastPath.get(s);
            Counter b = before.fastPath.get(s);
            long p = (a == null ? 0 : a.packets()) - (b == null ? 0 : b.packets());
            long y = (a == null ? 0 : a.bytes()) - (b == null ? 0 : b.bytes());
            d.put(s, new Counter(p, y));
        }
        return new Counters(d, kernelForwarded - before.kernelForwarded);
    }

    public long exceptions() {
        long sum = 0;
        for (Stat s : Stat.values()) {
            if (isException(s)) sum += packets(s);
        }
        return sum;
    }

    /** Forwarded counters (FORWARDED_ECMP is a part of FORWARDED) and drops are not exceptions. */
    private static boolean isException(Stat s) {
        return s.name().startsWith("EXC_");
    }

    /** The table the demo prints. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("  %-44s %12s%n", "path", "packets"));
        sb.append(String.format("  %-44s %12d%n", "fast path: forwarded by XDP", packets(Stat.FORWARDED)));
        if (packets(Stat.FORWARDED_ECMP) > 0) {
            sb.append(String.format("  %-44s %12d%n", "  of which through an ECMP group", packets(Stat.FORWARDED_ECMP)));
        }
        for (Stat s : Stat.values()) {
            if (s.name().startsWith("FORWARDED") || packets(s) == 0) continue;
            sb.append(String.format("  %-44s %12d%n", (s.name().startsWith("DROP") ? "fast path: dropped, " : "exception to Linux: ") + s.label(), packets(s)));
        }
        sb.append(String.format("  %-44s %12d%n", "Linux kernel: forwarded (IpForwDatagrams)", kernelForwarded));
        return sb.toString();
    }
}
