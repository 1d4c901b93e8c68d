package io.xdpgate.fpc;

/**
 * The (sequence, offer time) of each timed message the send queue handed to the client, in sending order,
 * until a report covers it. Bounded: when full, the oldest record is dropped (and counted), so a server
 * that stops reporting cannot make the sender's memory grow. Thread-safe: the sender thread adds, the
 * client's I/O thread acknowledges.
 */
final class FpcSyncLatencyRecords {
    private final long[] sequences;
    private final long[] offeredNanos;
    private int head;
    private int size;
    private long acknowledged; // the highest sequence covered by a report so far
    private long dropped;

    FpcSyncLatencyRecords(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        sequences = new long[capacity];
        offeredNanos = new long[capacity];
    }

    /**
     * A message with this sequence was sent. A report may already cover it (the I/O thread can write and
     * hear back before the sender thread gets here): then its latency is told at once.
     */
    synchronized void sent(long sequence, long offeredAt, FpcSyncLatencyListener listener) {
        if (sequence <= acknowledged) {
            listener.onSynchronized(System.nanoTime() - offeredAt);
            return;
        }
        if (size == sequences.length) {
            head = (head + 1) % sequences.length;
            size--;
            dropped++;
        }
        int tail = (head + size) % sequences.length;
        sequences[tail] = sequence;
        offeredNanos[tail] = offeredAt;
        size++;
    }

    /** A report covers every sequence up to {@code sequence}: one latency for each record it covers. */
    synchronized void acknowledged(long sequence, long now, FpcSyncLatencyListener listener) {
        acknowledged = Math.max(acknowledged, sequence);
        while (size > 0 && sequences[head] <= sequence) {
            listener.onSynchronized(now - offeredNanos[head]);
            head = (head + 1) % sequences.length;
            size--;
        }
    }

    synchronized long dropped() {
        return dropped;
    }

    synchronized int size() {
        return size;
    }
}
