package io.xdpgate.fastpath;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The kernel's AF_PACKET socket list (/proc/net/packet) read as packet captures. */
class PacketSocketsTest {

    /**
     * Captured from a namespace running {@code tcpdump -i any} (SOCK_DGRAM, every interface) and
     * {@code tcpdump -i lo} (SOCK_RAW, ifindex 1), both ETH_P_ALL and running.
     */
    private static final List<String> TWO_TCPDUMPS = List.of(
            "sk               RefCnt Type Proto  Iface R Rmem   User   Inode",
            "000000002e16e927 3      2    0003   0     1 0      0      385603",
            "000000009acbed20 3      3    0003   1     1 0      0      387006");

    @Test
    void tcpdumpOnAnInterfaceAndOnAnyAreCaptures() {
        assertEquals(Set.of(0, 1), PacketSockets.parse(TWO_TCPDUMPS));
    }

    @Test
    void socketsOfOneProtocolOrNotRunningAreNoCaptures() {
        assertEquals(Set.of(), PacketSockets.parse(List.of(
                "sk               RefCnt Type Proto  Iface R Rmem   User   Inode",
                "000000002e16e927 3      2    0800   4     1 0      0      385603", // IPv4 only (a DHCP client)
                "000000009acbed20 3      3    0003   5     0 0      0      387006", // ETH_P_ALL, not running
                "000000009acbed21 3      3    0000   0     0 0      0      387007"))); // not bound yet
    }

    @Test
    void anEmptyListHasNoCapture() {
        assertEquals(Set.of(), PacketSockets.parse(List.of("sk               RefCnt Type Proto  Iface R Rmem   User   Inode")));
    }
}
