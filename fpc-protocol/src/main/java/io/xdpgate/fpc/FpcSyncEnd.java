package io.xdpgate.fpc;

/** Ends generation {@code generation} of scope {@code vrf} (see {@link FpcSyncBegin}). */
public record FpcSyncEnd(long generation, int vrf) implements FpcMessage {

    /** The end of a generation over all of the sender's VRFs. */
    public FpcSyncEnd(long generation) {
        this(generation, FpcSyncBegin.ALL_VRFS);
    }

    @Override
    public FpcMessageType messageType() {
        return FpcMessageType.SYNC_END;
    }
}
