package io.xdpgate.ebpf.libbpf;

import com.sun.jna.Native;
import io.xdpgate.ebpf.BpfException;

/** Return-value conventions of libbpf 1.x turned into exceptions; EINTR retried. */
final class Calls {
    private Calls() {
    }

    @FunctionalInterface
    interface IntCall {
        int call();
    }

    /** Runs a call returning a negative errno on failure, again while it fails with EINTR. */
    static int retry(IntCall c) {
        int ret;
        do {
            ret = c.call();
        } while (ret == -Errno.EINTR);
        return ret;
    }

    /** Throws for a negative return; returns it otherwise. */
    static int check(int ret, String call) throws BpfException {
        if (ret < 0) {
            throw failure(call, -ret);
        }
        return ret;
    }

    static BpfException failure(String call, int errno) {
        return new BpfException(call + " failed: " + Errno.describe(errno), errno);
    }

    /** For calls returning NULL with errno set. */
    static BpfException lastError(String call) {
        int errno = Native.getLastError();
        return failure(call, errno == 0 ? Errno.EINVAL : errno);
    }
}
