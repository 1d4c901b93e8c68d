package io.xdpgate.ctl;

import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The verifier's route key: equal exactly where the text of the prefix is, printed as before. */
class RoutePrefixTest {

    @Test
    void printsAsInetAddressDoes() throws Exception {
        assertEquals("10.1.0.0/16", RoutePrefix.of(InetAddress.getByName("10.1.0.0"), 16).toString());
        assertEquals("2001:db8:0:0:0:0:0:0/32", RoutePrefix.of(InetAddress.getByName("2001:db8::"), 32).toString());
        assertEquals("0.0.0.0/0", RoutePrefix.of(null, 0).toString());
        assertEquals("255.255.255.255/32", RoutePrefix.ipv4(-1, 32).toString());
        // An IPv4-mapped IPv6 prefix is printed in its family, as the text keys printed it.
        Inet6Address mapped = Inet6Address.getByAddress(null,
                new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 0}, -1);
        assertEquals(mapped.getHostAddress() + "/104", RoutePrefix.of(mapped, 104).toString());
    }

    @Test
    void familiesAndLengthsNeverMeet() throws Exception {
        RoutePrefix v4 = RoutePrefix.of(InetAddress.getByName("10.0.0.0"), 8);
        assertEquals(v4, RoutePrefix.ipv4(0x0a000000, 8));
        assertEquals(v4.hashCode(), RoutePrefix.ipv4(0x0a000000, 8).hashCode());
        assertNotEquals(v4, RoutePrefix.ipv4(0x0a000000, 9));
        assertNotEquals(v4, RoutePrefix.of(InetAddress.getByName("::a00:0"), 8)); // the same low bits, IPv6
    }

    @Test
    void aFullTablesPrefixesNeverCrowdAHashMapBucket() {
        // Random /24s and IPv6 /48s, as an Internet table's most frequent lengths: with a record's own
        // hash (31 times each field, added), tens of thousands of buckets of a 2^21-bucket HashMap held
        // 8 keys or more (turned into trees), up to 25.
        Random random = new Random(1);
        int[] buckets = new int[1 << 21];
        int crowded = 0;
        for (int i = 0; i < 1_250_000; i++) {
            RoutePrefix p = i < 1_000_000 ? RoutePrefix.ipv4(random.nextInt() & 0xffffff00, 24)
                    : new RoutePrefix(true, (0x2000L << 48) | ((random.nextLong() & 0x1fff_ffff_ffffL) << 16), 0, 48);
            int h = p.hashCode();
            if (++buckets[(h ^ (h >>> 16)) & (buckets.length - 1)] == 8) crowded++; // HashMap's index and TREEIFY_THRESHOLD
        }
        // A uniform hash leaves about one such bucket (Poisson, 0.6 keys per bucket); the record's own left 64,494.
        assertTrue(crowded < 20, crowded + " buckets hold 8 keys or more");
    }
}
