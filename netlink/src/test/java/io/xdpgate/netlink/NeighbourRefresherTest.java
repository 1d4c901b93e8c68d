package io.xdpgate.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The bytes of an NTF_USE request, field by field. */
class NeighbourRefresherTest {

    @Test
    void anIpv4UseRequestIsRtmNewneighWithNtfUseAndNothingToCreateOrReplace() throws Exception {
        ByteBuffer m = NeighbourRefresher.useRequest(
                new NeighbourRefresher.Target(7, InetAddress.getByName("10.8.0.2")), 42).order(ByteOrder.nativeOrder());
        assertEquals(36, m.remaining());
        assertEquals(36, m.getInt(0));                          // nlmsg_len
        assertEquals(Rtnl.RTM_NEWNEIGH, m.getShort(4));         // nlmsg_type
        assertEquals(Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK, m.getShort(6)); // nlmsg_flags: no CREATE, no REPLACE
        assertEquals(42, m.getInt(8));                          // nlmsg_seq
        assertEquals(0, m.getInt(12));                          // nlmsg_pid
        assertEquals(Rtnl.AF_INET, m.get(16));                  // ndm_family
        assertEquals(7, m.getInt(20));                          // ndm_ifindex
        assertEquals(0, m.getShort(24));                        // ndm_state: the entry's own
        assertEquals(Rtnl.NTF_USE, m.get(26));                  // ndm_flags
        assertEquals(8, m.getShort(28));                        // rta_len
        assertEquals(Rtnl.NDA_DST, m.getShort(30));             // rta_type
        assertArrayEquals(new byte[] {10, 8, 0, 2}, Arrays.copyOfRange(m.array(), 32, 36));
    }

    @Test
    void anIpv6UseRequestCarriesSixteenAddressBytes() throws Exception {
        ByteBuffer m = NeighbourRefresher.useRequest(
                new NeighbourRefresher.Target(3, InetAddress.getByName("fe80::1")), 1).order(ByteOrder.nativeOrder());
        assertEquals(48, m.getInt(0));
        assertEquals(Rtnl.AF_INET6, m.get(16));
        assertEquals(20, m.getShort(28));
        assertArrayEquals(InetAddress.getByName("fe80::1").getAddress(), Arrays.copyOfRange(m.array(), 32, 48));
    }
}
