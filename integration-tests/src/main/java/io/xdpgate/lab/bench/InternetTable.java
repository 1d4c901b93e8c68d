package io.xdpgate.lab.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A synthetic Internet routing table: random distinct prefixes whose lengths follow the
 * shape of today's BGP tables (in IPv4 /24 is by far the most frequent length, then /22 and
 * /23; in IPv6 /48, then /32). Addresses are drawn from global unicast space only (IPv4
 * 1.0.0.0–223.255.255.255 without 10/8 and 127/8; IPv6 2000::/3 without 2001:db8::/32), so
 * the table never covers a lab's own subnets. The same seed gives the same table.
 */
public final class InternetTable {

    /**
     * IPv4 prefix lengths and their relative frequency: roughly the routes of each length in 100,000
     * of a 2024 table of about a million (a draw weighs each against their sum, about 97,000). The
     * lengths up to /15 are rare: a real table holds a dozen /8s and a few hundred /12s. Weights in
     * per mille, as here until 2026-12-05, gave each of /8 to /12 a thousand draws in a million
     * routes, which the 221 /8s and 442 /9s outside 10/8 and 127/8 cannot all take: every one of
     * them was in the table, and together they covered the IPv4 space several times over.
     */
    private static final int[][] IPV4_LENGTHS = {
            {24, 60_000}, {23, 10_000}, {22, 12_000}, {21, 4_500}, {20, 4_000}, {19, 2_500}, {18, 1_400},
            {17, 800}, {16, 1_400}, {15, 200}, {14, 116}, {13, 60}, {12, 32}, {11, 11}, {10, 4}, {9, 1},
            {8, 2}};
    /** IPv6 prefix lengths and their relative frequency (per mille: none is as rare as IPv4's shortest). */
    private static final int[][] IPV6_LENGTHS = {
            {48, 500}, {32, 130}, {44, 70}, {40, 60}, {36, 35}, {29, 30}, {46, 20}, {28, 15}, {47, 15},
            {45, 10}, {42, 10}, {38, 10}, {34, 10}, {56, 10}, {64, 5}, {30, 5}, {31, 5}};

    public record Prefix(InetAddress address, int length) {
        @Override
        public String toString() {
            return address.getHostAddress() + "/" + length;
        }
    }

    private final List<Prefix> ipv4;
    private final List<Prefix> ipv6;

    private InternetTable(List<Prefix> ipv4, List<Prefix> ipv6) {
        this.ipv4 = ipv4;
        this.ipv6 = ipv6;
    }

    public static InternetTable generate(int ipv4Routes, int ipv6Routes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return new InternetTable(ipv4(ipv4Routes, random), ipv6(ipv6Routes, random));
    }

    public List<Prefix> ipv4() {
        return ipv4;
    }

    public List<Prefix> ipv6() {
        return ipv6;
    }

    /** The IPv4 routes [from4, to4) and the IPv6 routes [from6, to6) as a table of their own. */
    public InternetTable slice(int from4, int to4, int from6, int to6) {
        return new InternetTable(ipv4.subList(from4, to4), ipv6.subList(from6, to6));
    }

    public int size() {
        return ipv4.size() + ipv6.size();
    }

    /**
     * Writes an {@code ip -batch} file adding every route, IPv4 first, through the given
     * gateways (each reachable on a connected subnet of the namespace).
     */
    public void writeBatch(Path file, String verb, String gateway4, String gateway6) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (Prefix p : ipv4) w.write("route " + verb + " " + p + (gateway4 == null ? "" : " via " + gateway4) + "\n");
            for (Prefix p : ipv6) w.write("route " + verb + " " + p + (gateway6 == null ? "" : " via " + gateway6) + "\n");
        }
    }

    private static List<Prefix> ipv4(int count, SplittableRandom random) {
        int[] lengths = cumulative(IPV4_LENGTHS);
        Set<Long> seen = new HashSet<>(count * 2);
        List<Prefix> out = new ArrayList<>(count);
        while (out.size() < count) {
            int length = draw(IPV4_LENGTHS, lengths, random);
            int first = 1 + random.nextInt(223);
            if (first == 10 || first == 127) continue;
            int address = (first << 24) | random.nextInt(1 << 24);
            address &= (int) (0xffffffffL << (32 - length));
            if (!seen.add(((address & 0xffffffffL) << 8) | length)) continue;
            out.add(new Prefix(ipv4Address(address), length));
        }
        return out;
    }

    private static List<Prefix> ipv6(int count, SplittableRandom random) {
        int[] lengths = cumulative(IPV6_LENGTHS);
        Set<String> seen = new HashSet<>(count * 2);
        List<Prefix> out = new ArrayList<>(count);
        while (out.size() < count) {
            int length = draw(IPV6_LENGTHS, lengths, random);
            // Every length here is at most 64: the prefix lives in the high 64 bits.
            long high = (0x2L << 60) | (random.nextLong() >>> 3);
            high &= -1L << (64 - length);
            if ((high >>> 32) == 0x20010db8L) continue;
            if (!seen.add(Long.toHexString(high) + "/" + length)) continue;
            out.add(new Prefix(ipv6Address(high), length));
        }
        return out;
    }

    private static int[] cumulative(int[][] weights) {
        int[] sums = new int[weights.length];
        int sum = 0;
        for (int i = 0; i < weights.length; i++) sums[i] = sum += weights[i][1];
        return sums;
    }

    private static int draw(int[][] weights, int[] cumulative, SplittableRandom random) {
        int r = random.nextInt(cumulative[cumulative.length - 1]);
        for (int i = 0; i < cumulative.length; i++) {
            if (r < cumulative[i]) return weights[i][0];
        }
        throw new AssertionError();
    }

    static Inet4Address ipv4Address(int address) {
        byte[] b = {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static Inet6Address ipv6Address(long high) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) b[i] = (byte) (high >>> (56 - 8 * i));
        try {
            return (Inet6Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
