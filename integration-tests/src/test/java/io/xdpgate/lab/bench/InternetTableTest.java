package io.xdpgate.lab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The synthetic table of bench sync has the shape of a real one, at the full size the benchmark uses. */
class InternetTableTest {

    private static final InternetTable TABLE = InternetTable.generate(1_000_000, 250_000, 1);

    private static Map<Integer, Long> lengths(List<InternetTable.Prefix> prefixes) {
        return prefixes.stream().collect(Collectors.groupingBy(InternetTable.Prefix::length, Collectors.counting()));
    }

    @Test
    void theIpv4TableHasAsManyShortPrefixesAsARealOneNotEveryPossibleOne() {
        Map<Integer, Long> n = lengths(TABLE.ipv4());
        assertEquals(1_000_000, TABLE.ipv4().size());
        // A 2024 table of about a million routes: a dozen or two /8s, a few hundred /12s, some 13,000 /16s,
        // /24s about 60%. (A table with all 221 possible /8s covers the address space several times over.)
        assertTrue(n.getOrDefault(8, 0L) <= 40, "/8s: " + n.get(8));
        assertTrue(n.getOrDefault(9, 0L) <= 40, "/9s: " + n.get(9));
        assertTrue(n.getOrDefault(12, 0L) >= 200 && n.getOrDefault(12, 0L) <= 500, "/12s: " + n.get(12));
        assertTrue(n.get(16) >= 12_000 && n.get(16) <= 17_000, "/16s: " + n.get(16));
        assertTrue(n.get(24) >= 580_000 && n.get(24) <= 660_000, "/24s: " + n.get(24));
    }

    @Test
    void theIpv6TableIsMostlySlash48ThenSlash32() {
        Map<Integer, Long> n = lengths(TABLE.ipv6());
        assertEquals(250_000, TABLE.ipv6().size());
        int most = n.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        assertEquals(48, most);
        assertTrue(n.get(32) > n.getOrDefault(44, 0L), n.toString());
    }

    @Test
    void prefixesAreDistinctAndTheSameSeedGivesTheSameTable() {
        Set<String> seen = new HashSet<>();
        TABLE.ipv4().forEach(p -> assertTrue(seen.add(p.toString()), "twice: " + p));
        InternetTable again = InternetTable.generate(1000, 100, 1);
        assertEquals(TABLE.ipv4().subList(0, 10).stream().map(Object::toString).toList(),
                again.ipv4().subList(0, 10).stream().map(Object::toString).toList());
    }
}
