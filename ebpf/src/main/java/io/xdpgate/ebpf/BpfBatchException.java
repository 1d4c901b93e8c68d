package io.xdpgate.ebpf;

/**
 * A batch operation (BPF_MAP_UPDATE_BATCH) that failed part way. The kernel
 * applies the entries in order and stops at the first failure: the first
 * {@link #completed()} entries were applied, the one at that index failed, the
 * rest were not tried.
 */
public final class BpfBatchException extends BpfException {
    private static final long serialVersionUID = 1L;

    private final int completed;

    public BpfBatchException(String message, int errno, int completed) {
        super(message, errno);
        this.completed = completed;
    }

    private BpfBatchException(String message, int errno, int completed, Throwable cause) {
        super(message, errno, cause);
        this.completed = completed;
    }

    /** The number of entries applied before the failure; also the index of the entry that failed. */
    public int completed() {
        return completed;
    }

    /** The same failure, context in front of the message ("install route ...: bpf(...) failed: ..."). */
    public BpfBatchException withContext(String context) {
        return new BpfBatchException(context + ": " + getMessage(), errno(), completed, this);
    }
}
