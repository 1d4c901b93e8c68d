package io.xdpgate.fpc;

/**
 * Told the synchronization latency of each state change sent through an {@link FpcSendQueue}: from the
 * moment the change was offered to the queue (for a coalesced change, the oldest pending change of its
 * key) to the moment a report of the server covering the message that carried it arrived. Barriers and
 * CONTROL requests are not state changes and are not timed. Called on the client's I/O thread (or the
 * queue's sender thread), so it must be quick and must not block.
 */
@FunctionalInterface
public interface FpcSyncLatencyListener {
    void onSynchronized(long latencyNanos);
}
