package io.xdpgate.lab.bench;

import io.xdpgate.netlink.NetlinkException;
import io.xdpgate.netlink.NetlinkSocket;
import io.xdpgate.netlink.NetworkNamespace;
import io.xdpgate.netlink.Rtnl;

import java.io.Closeable;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Adds and deletes single routes with RTM_NEWROUTE / RTM_DELROUTE on a netlink socket of one
 * namespace, as a routing daemon does, and waits for the kernel's acknowledgement: the
 * benchmark's clock starts at the request, not at the start of an {@code ip} process.
 */
final class RouteRequests implements Closeable {

    private static final int NLM_F_CREATE = 0x400;
    private static final int NLM_F_EXCL = 0x200;
    private static final int RTA_DST = 1;
    private static final int RTA_OIF = 4;
    private static final int RTA_GATEWAY = 5;
    private static final int RT_TABLE_MAIN = 254;
    private static final int RTPROT_STATIC = 4;
    private static final int RTN_UNICAST = 1;

    private final NetlinkSocket socket;
    private final ByteBuffer buffer = ByteBuffer.allocate(128).order(ByteOrder.nativeOrder());
    private int sequence;

    private RouteRequests(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** A socket created inside {@code netns}: it stays bound to that namespace. */
    static RouteRequests open(String netns) throws Exception {
        return new RouteRequests(NetworkNamespace.call(netns, () -> NetlinkSocket.open(1 << 20)));
    }

    /** Sends an add (create, fail if it exists) of {@code prefix/length via gateway dev ifindex}. */
    void sendAdd(InetAddress prefix, int length, InetAddress gateway, int ifindex) throws NetlinkException {
        send(Rtnl.RTM_NEWROUTE, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, prefix, length, gateway, ifindex);
    }

    void sendDelete(InetAddress prefix, int length) throws NetlinkException {
        send(Rtnl.RTM_DELROUTE, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK, prefix, length, null, 0);
    }

    /** Waits for the acknowledgement of the last request; fails with the kernel's error. */
    void awaitAck() throws NetlinkException {
        while (true) {
            ByteBuffer reply = socket.receive();
            if (reply == null) throw new NetlinkException("no acknowledgement from the kernel within 250 ms", 0);
            int type = reply.getShort(4) & 0xffff;
            int seq = reply.getInt(8);
            if (type != Rtnl.NLMSG_ERROR || seq != sequence) continue;
            int error = reply.getInt(16);
            if (error != 0) throw new NetlinkException("route request refused", -error);
            return;
        }
    }

    private void send(int type, int flags, InetAddress prefix, int length, InetAddress gateway, int ifindex)
            throws NetlinkException {
        byte[] dst = prefix.getAddress();
        buffer.clear();
        buffer.putInt(0).putShort((short) type).putShort((short) flags).putInt(++sequence).putInt(0);
        // struct rtmsg
        buffer.put((byte) (dst.length == 4 ? Rtnl.AF_INET : Rtnl.AF_INET6)).put((byte) length).put((byte) 0).put((byte) 0)
                .put((byte) RT_TABLE_MAIN).put((byte) RTPROT_STATIC).put((byte) 0).put((byte) RTN_UNICAST).putInt(0);
        attribute(RTA_DST, dst);
        if (gateway != null) attribute(RTA_GATEWAY, gateway.getAddress());
        if (ifindex > 0) {
            buffer.putShort((short) 8).putShort((short) RTA_OIF).putInt(ifindex);
        }
        buffer.putInt(0, buffer.position());
        buffer.flip();
        socket.send(buffer);
    }

    private void attribute(int type, byte[] value) {
        buffer.putShort((short) (4 + value.length)).putShort((short) type).put(value);
        // Addresses are 4 or 16 bytes: already aligned to 4.
    }

    @Override
    public void close() {
        socket.close();
    }
}
