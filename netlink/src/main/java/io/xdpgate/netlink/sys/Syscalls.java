package io.xdpgate.netlink.sys;

import com.sun.jna.Native;
import io.xdpgate.netlink.NetlinkException;
import io.xdpgate.netlink.NetlinkOverrunException;

/** Turns libc's "-1 and errno" convention into {@link NetlinkException}s that name the call and the errno. */
final class Syscalls {
    static final int EINTR = 4;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int ENOBUFS = 105;

    private Syscalls() {}

    /** Runs one call, retrying when a signal interrupted it: EINTR is never an error of ours. */
    static long call(String what, LongCall call) throws NetlinkException {
        while (true) {
            long rc = call.invoke();
            if (rc != -1) {
                return rc;
            }
            int errno = Native.getLastError();
            if (errno != EINTR) {
                throw failure(what, errno);
            }
        }
    }

    static NetlinkException failure(String what, int errno) {
        String message = what + " failed: " + describe(errno);
        // ENOBUFS on a netlink receive means the kernel dropped messages for us: a distinct, recoverable case.
        return errno == ENOBUFS && what.startsWith("recv")
                ? new NetlinkOverrunException(message)
                : new NetlinkException(message, errno);
    }

    /** "ENOBUFS (No buffer space available)". */
    static String describe(int errno) {
        String text;
        try {
            text = LibC.INSTANCE.strerror(errno);
        } catch (RuntimeException | Error e) {
            text = null;
        }
        return ErrnoNames.name(errno) + (text == null ? "" : " (" + text + ")");
    }

    @FunctionalInterface
    interface LongCall {
        long invoke();
    }
}
