package io.xdpgate.netlink;

/**
 * ENOBUFS on receive: the socket's buffer was full and the kernel dropped messages for it. The only way
 * back to a correct view is a full dump (a resync).
 */
public final class NetlinkOverrunException extends NetlinkException {
    private static final long serialVersionUID = 1L;
    private static final int ENOBUFS = 105;

    public NetlinkOverrunException(String message) {
        super(message, ENOBUFS);
    }
}
