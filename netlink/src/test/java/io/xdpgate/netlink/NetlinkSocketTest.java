package io.xdpgate.netlink;

import static io.xdpgate.netlink.Rtnl.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Real NETLINK_ROUTE sockets in the current namespace; none of this needs privileges. */
class NetlinkSocketTest {

    @Test
    void dumpOfLinksReturnsLoopbackWithOurSequenceAndPort() throws Exception {
        try (NetlinkSocket socket = NetlinkSocket.open(1 << 20)) {
            assertNotEquals(0, socket.portId());
            socket.send(RtnlCodec.dumpRequest(RTM_GETLINK, AF_UNSPEC, 4242));
            List<RtnlEvent> events = new ArrayList<>();
            ParseResult r;
            do {
                ByteBuffer datagram = socket.receive();
                assertNotNull(datagram, "the kernel answers a dump within 250 ms");
                r = RtnlCodec.parse(datagram, events::add);
                assertEquals(4242, r.seq());
                assertEquals(socket.portId(), r.portId());
            } while (!r.done());
            assertTrue(events.stream().map(e -> (Link) e.object()).anyMatch(l -> (l.flags() & IFF_LOOPBACK) != 0),
                    "loopback is in every namespace");
        }
    }

    @Test
    void receiveTimesOutWithNullSoThatReadersCanStop() throws Exception {
        try (NetlinkSocket socket = NetlinkSocket.open(4096)) {
            long start = System.nanoTime();
            assertNull(socket.receive());
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis >= 200 && millis < 1_000, "waited " + millis + " ms");
        }
    }

    @Test
    void closeIsIdempotentAndLaterCallsFailClearly() throws Exception {
        NetlinkSocket socket = NetlinkSocket.open(4096);
        socket.close();
        socket.close();
        NetlinkException e = assertThrows(NetlinkException.class, socket::receive);
        assertTrue(e.getMessage().contains("socket closed"), e.getMessage());
    }

    @Test
    void closeWaitsForABlockedReceiverWithoutBreakingIt() throws Exception {
        NetlinkSocket socket = NetlinkSocket.open(4096);
        Thread reader = new Thread(() -> {
            try {
                while (true) {
                    socket.receive();
                }
            } catch (NetlinkException expected) {
                // "socket closed" ends the loop
            }
        });
        reader.start();
        Thread.sleep(50);
        long start = System.nanoTime();
        socket.close();
        reader.join(2_000);
        assertFalse(reader.isAlive());
        assertTrue(System.nanoTime() - start < 1_000_000_000L);
    }

    @Test
    void kernelErrorsComeBackAsNlmsgError() throws Exception {
        try (NetlinkSocket socket = NetlinkSocket.open(1 << 16)) {
            ByteBuffer request = new NlBuilder().begin(RTM_GETLINK, NLM_F_REQUEST, 7, 0)
                    .u8(AF_UNSPEC).u8(0).u16(0)         // ifi_family, pad, ifi_type
                    .u32(0x7ffffff0)                    // ifi_index: no such link
                    .u32(0).u32(0)                      // ifi_flags, ifi_change
                    .end().build();
            socket.send(request);
            ParseResult r = RtnlCodec.parse(socket.receive(), e -> { });
            assertEquals(19, r.error()); // ENODEV
            assertEquals(7, r.seq());
            assertEquals(socket.portId(), r.portId());
        }
    }

    @Test
    void enteringAMissingNamespaceNamesTheCallAndErrno() {
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> NetworkNamespace.enterOnCurrentThread("xgnl-missing-" + ProcessHandle.current().pid()));
        assertEquals(2, e.errno());
        assertTrue(e.getMessage().contains("open(/run/netns/xgnl-missing-"), e.getMessage());
        assertTrue(e.getMessage().contains("failed: ENOENT (No such file or directory)"), e.getMessage());
    }

    @Test
    void currentNamespaceNeedsNoEntry() throws Exception {
        NetworkNamespace.enterOnCurrentThread(null);
        NetworkNamespace.enterOnCurrentThread("");
        assertEquals(42, NetworkNamespace.call(null, () -> 42));
    }

    @Test
    void namesWithSlashesAreRefused() {
        assertThrows(NetlinkException.class, () -> NetworkNamespace.enterOnCurrentThread("../etc"));
    }

    @Test
    void callRethrowsTheTaskFailure() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> NetworkNamespace.call(null, () -> {
                    throw new IllegalStateException("boom");
                }));
        assertEquals("boom", e.getMessage());
    }

    @Test
    void executorWhoseThreadCannotEnterFailsEveryTask() throws Exception {
        ExecutorService executor = NetworkNamespace.executor("xgnl-missing", "xg-test");
        try {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> executor.submit(() -> 1).get(5, TimeUnit.SECONDS));
            assertInstanceOf(NetlinkException.class, e.getCause());
            assertThrows(ExecutionException.class, () -> executor.submit(() -> { }).get(5, TimeUnit.SECONDS));
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void executorRunsTasksOnItsNamedThread() throws Exception {
        ExecutorService executor = NetworkNamespace.executor(null, "xg-named");
        try {
            assertEquals("xg-named", executor.submit(() -> Thread.currentThread().getName()).get());
        } finally {
            executor.shutdownNow();
        }
    }
}
