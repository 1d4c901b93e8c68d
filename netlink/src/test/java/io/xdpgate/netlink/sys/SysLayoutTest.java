package io.xdpgate.netlink.sys;

import static org.junit.jupiter.api.Assertions.*;

import io.xdpgate.netlink.NetlinkException;
import io.xdpgate.netlink.NetlinkOverrunException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** struct sockaddr_nl as we encode it, and how errno becomes an exception. */
class SysLayoutTest {

    @Test
    void sockaddrNlMatchesTheCLayout() {
        byte[] a = NativeNetlinkSocket.sockaddrNl(0x01020304, 0x10);
        assertEquals(12, a.length); // sizeof(struct sockaddr_nl)
        ByteBuffer b = ByteBuffer.wrap(a).order(ByteOrder.nativeOrder());
        assertEquals(16, b.getShort(0));         // nl_family = AF_NETLINK at offset 0
        assertEquals(0, b.getShort(2));          // nl_pad at offset 2
        assertEquals(0x01020304, b.getInt(4));   // nl_pid at offset 4
        assertEquals(0x10, b.getInt(8));         // nl_groups at offset 8
        assertEquals(0x01020304, NativeNetlinkSocket.portIdOf(a));
    }

    @Test
    void epollEventMatchesTheCLayout() {
        // struct epoll_event { uint32_t events; uint64_t data; }, packed on x86 only.
        assertEquals(12, NativeEpoll.eventSize(true));
        assertEquals(16, NativeEpoll.eventSize(false));
        byte[] e = NativeEpoll.encodeEvent(0x40000001, 0x0102030405060708L);
        assertEquals(NativeEpoll.EVENT_SIZE, e.length);
        ByteBuffer b = ByteBuffer.wrap(e).order(ByteOrder.nativeOrder());
        assertEquals(0x40000001, b.getInt(0));                          // EPOLLIN | EPOLLONESHOT
        assertEquals(0x0102030405060708L, b.getLong(e.length - 8));     // data.u64: the token
    }

    @Test
    void enobufsOnReceiveIsAnOverrun() {
        NetlinkException e = Syscalls.failure("recv(NETLINK_ROUTE)", Syscalls.ENOBUFS);
        assertInstanceOf(NetlinkOverrunException.class, e);
        assertEquals("recv(NETLINK_ROUTE) failed: ENOBUFS (No buffer space available)", e.getMessage());
        assertEquals(105, e.errno());
    }

    @Test
    void otherErrnosNameCallNameAndText() {
        NetlinkException e = Syscalls.failure("setsockopt(SO_RCVBUFFORCE)", 1);
        assertFalse(e instanceof NetlinkOverrunException);
        assertEquals("setsockopt(SO_RCVBUFFORCE) failed: EPERM (Operation not permitted)", e.getMessage());
        assertEquals("errno 9999", ErrnoNames.name(9999));
    }
}
