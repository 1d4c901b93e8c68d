package io.xdpgate.netlink;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One namespace's policy routing rules ({@code ip rule}, {@code ip -6 rule}) and whether they are exactly
 * the ones a namespace starts with. Only then does the kernel forward by the main table (after the local
 * one) and nothing else; any other rule (a source selector, an l3mdev or a suppress_prefixlength rule, a
 * moved or removed default) may send some packets elsewhere.
 * <p>Rules are kept by {@link Rule#identity()} with replace semantics, so that a dump followed by the
 * changes queued during it (which may announce a dumped rule again, or delete one the dump missed)
 * ends in the kernel's state. Not thread-safe: one monitor's listener feeds it.
 */
public final class PolicyRules {

    /** Family bits of {@link #differingFamilies}. */
    public static final int IPV4 = 0x1;
    public static final int IPV6 = 0x2;

    /** (priority, table) of the rules a fresh namespace has, checked on Linux 6.18: {@code ip -4 rule}. */
    private static final Set<List<Integer>> DEFAULTS4 = Set.of(List.of(0, Rtnl.RT_TABLE_LOCAL),
            List.of(32766, Rtnl.RT_TABLE_MAIN), List.of(32767, Rtnl.RT_TABLE_DEFAULT));
    /** {@code ip -6 rule} of a fresh namespace: no rule for the default table. */
    private static final Set<List<Integer>> DEFAULTS6 = Set.of(List.of(0, Rtnl.RT_TABLE_LOCAL),
            List.of(32766, Rtnl.RT_TABLE_MAIN));

    private final Map<String, Rule> ipv4 = new HashMap<>();
    private final Map<String, Rule> ipv6 = new HashMap<>();

    /** Forgets every rule: a full dump announces them all again. */
    public void clear() {
        ipv4.clear();
        ipv6.clear();
    }

    /** A dumped, added or deleted rule; deleting a rule not held changes nothing. Other families are ignored. */
    public void apply(Rule rule, boolean deleted) {
        Map<String, Rule> rules = rule.family() == Rtnl.AF_INET ? ipv4 : rule.family() == Rtnl.AF_INET6 ? ipv6 : null;
        if (rules == null) return;
        if (deleted) rules.remove(rule.identity());
        else rules.put(rule.identity(), rule);
    }

    /**
     * Whether the rules of {@code family} (AF_INET, AF_INET6) are exactly the kernel's defaults: IPv4 looks
     * in local at priority 0, main at 32766, default at 32767; IPv6 in local at 0 and main at 32766. Each
     * once, selecting every packet, and nothing else (a duplicate of a default counts as another rule).
     */
    public boolean areDefaults(int family) {
        Map<String, Rule> rules = family == Rtnl.AF_INET ? ipv4 : ipv6;
        Set<List<Integer>> expected = family == Rtnl.AF_INET ? DEFAULTS4 : DEFAULTS6;
        if (rules.size() != expected.size()) return false;
        Set<List<Integer>> seen = new HashSet<>();
        for (Rule r : rules.values()) {
            if (!r.isKernelDefault() || !seen.add(List.of(r.priority(), r.table()))) return false;
        }
        return seen.equals(expected);
    }

    /**
     * The families among those followed ({@link #IPV4}, and {@link #IPV6} when {@code ipv6}) whose rules
     * differ from the defaults: 0 when the namespace forwards by its main table alone.
     */
    public int differingFamilies(boolean ipv6) {
        int families = areDefaults(Rtnl.AF_INET) ? 0 : IPV4;
        if (ipv6 && !areDefaults(Rtnl.AF_INET6)) families |= IPV6;
        return families;
    }

    /** Rules held, both families. */
    public int size() {
        return ipv4.size() + ipv6.size();
    }
}
