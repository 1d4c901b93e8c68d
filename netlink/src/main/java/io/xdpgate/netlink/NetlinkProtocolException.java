package io.xdpgate.netlink;

/** Malformed netlink input (from the kernel or a recording); the message names what was wrong and where. */
public final class NetlinkProtocolException extends NetlinkException {
    private static final long serialVersionUID = 1L;

    public NetlinkProtocolException(String message) {
        super(message, 0);
    }
}
