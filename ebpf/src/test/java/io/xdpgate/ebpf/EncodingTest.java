package io.xdpgate.ebpf;

import static io.xdpgate.ebpf.Frames.ip;
import static io.xdpgate.ebpf.XdpFixtureTest.v4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Byte-level encoding of keys and values (x86_64: host order is little endian). No privileges needed. */
class EncodingTest {
    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void hostIsLittleEndianAsTheseVectorsAssume() {
        assertEquals(ByteOrder.LITTLE_ENDIAN, ByteOrder.nativeOrder());
    }

    @Test
    void fib4KeyHasTheVrfBigEndianInsideTheLpmPrefix() {
        assertArrayEquals(hex("38000000" // prefixlen 56 = 32 (vrf) + 24, host order
                + "00000007" // vrf 7, big endian: part of the matched prefix
                + "0a010200"), // 10.1.2.0, host bits cleared
                FastPathMaps.fib4Key(7, v4(ip(10, 1, 2, 99)), 24));
        assertArrayEquals(hex("20000000 00000007 00000000"), FastPathMaps.fib4Key(7, v4(ip(1, 2, 3, 4)), 0));
    }

    @Test
    void fib6KeyHasTheVrfBigEndianInsideTheLpmPrefixAndHostBitsCleared() {
        assertArrayEquals(hex("70000000" // prefixlen 112 = 32 (vrf) + 80, host order
                + "00000007" // vrf 7, big endian
                + "20010db8 00010002 00030000 00000000"), // 2001:db8:1:2:3::, bits beyond 80 cleared
                FastPathMaps.fib6Key(7, Frames6.v6("2001:db8:1:2:3:ffff:1:2"), 80));
        assertArrayEquals(hex("a0000000 00000007 20010db8 00000000 00000000 00000001"),
                FastPathMaps.fib6Key(7, Frames6.v6("2001:db8::1"), 128));
        assertArrayEquals(hex("20000000 00000007" + "00".repeat(16)),
                FastPathMaps.fib6Key(7, Frames6.v6("2001:db8::1"), 0));
        assertArrayEquals(hex("3b000000 00000007 20010da0 00000000 00000000 00000000"), // /27 inside a byte: 0xb8 -> 0xa0
                FastPathMaps.fib6Key(7, Frames6.v6("2001:db8::"), 27));
        assertThrows(IllegalArgumentException.class, () -> FastPathMaps.fib6Key(7, Frames6.v6("::"), 129));
        assertThrows(IllegalArgumentException.class, () -> FastPathMaps.fib6Key(7, Frames6.v6("::"), -1));
    }

    @Test
    void ipv6NeighbourAndLocalKeysAreHostOrderWithTheAddressInWireOrder() {
        assertArrayEquals(hex("07000000 2a000000 fe800000 00000000 00000000 00000001"),
                FastPathMaps.neigh6Key(7, 42, Frames6.v6("fe80::1")));
        assertArrayEquals(hex("07000000 20010db8 00000000 00000000 00000001"),
                FastPathMaps.local6Key(7, Frames6.v6("2001:db8::1")));
    }

    @Test
    void interfaceAndNeighbourKeysAreHostOrderWithTheAddressInNetworkOrder() {
        assertArrayEquals(hex("07000000 2a000000"), FastPathMaps.ifKey(7, 42));
        assertArrayEquals(hex("07000000 2a000000 c0000201"), FastPathMaps.neigh4Key(7, 42, v4(ip(192, 0, 2, 1))));
    }

    @Test
    void valuesEncodeAtTheHeaderOffsets() {
        assertArrayEquals(hex("020000000001" + "0100" + "dc050000" + "00000000"),
                new Port(Frames.mac(1), Port.UP, 1500).encode());
        assertArrayEquals(hex("020000000001" + "0100" + "dc050000" + "ff0f0000"),
                new Port(Frames.mac(1), Port.UP, 1500, 4095).encode(), "stats_slot at 12");
        assertArrayEquals(hex("01000000 03000000"), Route.unicast(3).encode());
        assertArrayEquals(hex("2a000000" + "05000000" + "dc050000" + "020000000003" + "020000000004" + "01" + "000000"),
                new Nexthop(42, Nexthop.VALID | Nexthop.RESOLVED, 1500, Frames.mac(3), Frames.mac(4), true).encode());
        assertArrayEquals(hex("020000000005" + "02" + "00"), new Neighbour(Frames.mac(5), 2, false).encode());
    }

    @Test
    void recordsRoundTrip() {
        Nexthop nh = Nexthop.connected(3, 9000, Frames.mac(7));
        assertEquals(nh, Nexthop.decode(nh.encode()));
        Port p = new Port(Frames.mac(1), 0, 1280, 77);
        assertEquals(p, Port.decode(p.encode()));
        Neighbour n = new Neighbour(Frames.mac(2), 0x40, true);
        assertEquals(n, Neighbour.decode(n.encode()));
        Counter c = new Counter(5, 500);
        assertEquals(c, Counter.decode(c.encode()));
    }

    @Test
    void recordsWithMacsCompareByContentAndCopyDefensively() {
        byte[] mac = Frames.mac(1);
        Port a = new Port(mac, Port.UP, 1500);
        mac[5] = 9;
        assertEquals(new Port(Frames.mac(1), Port.UP, 1500), a, "the constructor copied the array");
        assertEquals(new Port(Frames.mac(1), Port.UP, 1500).hashCode(), a.hashCode());
        a.mac()[0] = 0;
        assertArrayEquals(Frames.mac(1), a.mac(), "the accessor returns a copy");
        assertNotEquals(new Port(Frames.mac(2), Port.UP, 1500), a);
        assertNotEquals(a.withStatsSlot(3), a, "the stats slot is part of the port");
        assertEquals("Port[mac=02:00:00:00:00:01, flags=0x1, mtu=1500, statsSlot=0]", a.toString());
        assertEquals(Nexthop.resolved(1, 1500, Frames.mac(3), Frames.mac(4)),
                Nexthop.resolved(1, 1500, Frames.mac(3), Frames.mac(4)));
        assertThrows(IllegalArgumentException.class, () -> new Neighbour(new byte[5], 0, false));
    }

    @Test
    void statIndexesAndLabels() {
        assertEquals(0, Stat.FORWARDED.index());
        assertEquals(Stat.DROP_BLACKHOLE, Stat.fromIndex(12));
        assertEquals("no_neigh", Stat.EXC_NO_NEIGH.label());
        assertEquals(Stat.EXC_IPV6_HBH, Stat.fromIndex(13));
        assertEquals(Stat.EXC_ND, Stat.fromIndex(14));
        assertEquals(Stat.FORWARDED_ECMP, Stat.fromIndex(15));
        assertEquals(false, Stat.FORWARDED_ECMP.isException(), "a part of forwarded, not an exception");
        assertThrows(IllegalArgumentException.class, () -> Stat.fromIndex(-1));
        assertThrows(IllegalArgumentException.class, () -> Stat.fromIndex(Stat.SLOTS));
        for (Stat s : Stat.values()) {
            assertEquals(s, Stat.fromIndex(s.index()));
            assertEquals(s.label(), s.label().toLowerCase());
        }
    }
}
