package io.xdpgate.fastpath;

import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** IpFamily.masked: host bits cleared; a prefix announced masked is kept as it is. */
class IpFamilyMaskTest {

    @Test
    void hostBitsAreCleared() throws Exception {
        assertEquals(InetAddress.getByName("10.1.0.0"), IpFamily.masked(InetAddress.getByName("10.1.2.3"), 16));
        assertEquals(InetAddress.getByName("10.1.2.0"), IpFamily.masked(InetAddress.getByName("10.1.2.255"), 23));
        assertEquals(InetAddress.getByName("0.0.0.0"), IpFamily.masked(InetAddress.getByName("10.1.2.3"), 0));
        assertEquals(InetAddress.getByName("2001:db8::"), IpFamily.masked(InetAddress.getByName("2001:db8::1"), 64));
        assertEquals(InetAddress.getByName("2001:db8:1200::"), IpFamily.masked(InetAddress.getByName("2001:db8:12ff::"), 40));
    }

    @Test
    void aMaskedPrefixIsKeptAsItIs() throws Exception {
        InetAddress v4 = InetAddress.getByAddress(new byte[] {10, 1, 0, 0});
        assertSame(v4, IpFamily.masked(v4, 16));
        assertSame(v4, IpFamily.masked(v4, 32));
        InetAddress v6 = Inet6Address.getByAddress(null, InetAddress.getByName("2001:db8::").getAddress(), -1);
        assertSame(v6, IpFamily.masked(v6, 48));
    }

    @Test
    void anIpv4MappedPrefixStaysIpv6AndAScopeIsDropped() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 10;
        mapped[13] = 1;
        mapped[14] = 2;
        mapped[15] = 3;
        InetAddress m = IpFamily.masked(Inet6Address.getByAddress(null, mapped, -1), 120);
        assertInstanceOf(Inet6Address.class, m);
        assertEquals(0, m.getAddress()[15]);
        Inet6Address scoped = Inet6Address.getByAddress(null, InetAddress.getByName("fe80::").getAddress(), 3);
        InetAddress unscoped = IpFamily.masked(scoped, 64);
        assertNotSame(scoped, unscoped);
        assertEquals(0, ((Inet6Address) unscoped).getScopeId());
        assertInstanceOf(Inet4Address.class, IpFamily.masked(InetAddress.getByName("192.0.2.1"), 24));
    }
}
