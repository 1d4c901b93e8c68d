package io.xdpgate.fpc;

/** Starts generation {@code generation}: every object sent until SYNC_END of the same generation is refreshed. */
public record FpcSyncBegin(long generation) implements FpcMessage {
    @Override
    public FpcMessageType messageType() {
        return FpcMessageType.SYNC_BEGIN;
    }
}
