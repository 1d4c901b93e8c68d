package io.xdpgate.fpc;

/** Ends generation {@code generation}: the receiver deletes every object this generation did not refresh. */
public record FpcSyncEnd(long generation) implements FpcMessage {
    @Override
    public FpcMessageType messageType() {
        return FpcMessageType.SYNC_END;
    }
}
