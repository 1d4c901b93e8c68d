package io.xdpgate.netlink;

import java.io.IOException;

/** A failed netlink operation. When a syscall failed, {@link #errno()} is its errno and the message names both. */
public class NetlinkException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public NetlinkException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public NetlinkException(String message, int errno, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    /** The errno of the failed syscall, or 0 if the failure did not come from a syscall. */
    public int errno() {
        return errno;
    }
}
