package io.xdpgate.ebpf;

import java.io.IOException;

/**
 * A failed bpf(2) or libbpf operation. The message names the call, the object it
 * was applied to and the errno with its symbolic name and text, for example
 * {@code bpf(BPF_MAP_UPDATE_ELEM) on xg_fib4 failed: ENOSPC (No space left on device)}.
 */
public class BpfException extends IOException {
    private static final long serialVersionUID = 1L;

    /** errno values callers commonly act on. */
    public static final int ENOENT = 2;
    public static final int E2BIG = 7;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;

    private final int errno;

    /** @param errno the positive errno, or 0 when the failure did not come from a system call */
    public BpfException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public BpfException(String message, int errno, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    /** The positive errno of the failed call, or 0 when the failure did not come from a system call. */
    public int errno() {
        return errno;
    }
}
