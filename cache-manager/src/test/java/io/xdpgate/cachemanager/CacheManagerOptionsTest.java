package io.xdpgate.cachemanager;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CacheManagerOptionsTest {

    private static CacheManagerOptions parse(String... args) {
        return CacheManagerOptions.parse(args);
    }

    @Test
    void ipv6AndMetricsAreOnByDefault() throws Exception {
        CacheManagerOptions o = parse();
        assertTrue(o.ipv6());
        assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 9466), o.metrics());
        assertFalse(parse("--no-ipv6").ipv6());
    }

    @Test
    void metricsTakeAnAddressAndPortOrOff() throws Exception {
        assertNull(parse("--metrics", "off").metrics());
        assertEquals(new InetSocketAddress(InetAddress.getByName("::1"), 9100), parse("--metrics", "[::1]:9100").metrics());
        assertEquals(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0), parse("--metrics", "0.0.0.0:0").metrics());
        for (String bad : new String[] {"9466", ":9466", "127.0.0.1:", "127.0.0.1:70000", "::1:9466", "127.0.0.1:x"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("--metrics", bad), bad);
            assertTrue(e.getMessage().startsWith("--metrics"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> parse("--metrics"));
    }

    @Test
    void helpNamesEveryOption() {
        for (String option : new String[] {"--netns", "--vrf", "--socket", "--rcvbuf", "--no-ipv6", "--metrics", "--record", "--help"}) {
            assertTrue(CacheManagerOptions.HELP.contains(option), option);
        }
        assertTrue(CacheManagerOptions.HELP.contains("127.0.0.1:9466"));
    }
}
