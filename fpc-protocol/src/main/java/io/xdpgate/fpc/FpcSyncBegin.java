package io.xdpgate.fpc;

/**
 * Starts generation {@code generation} over one VRF, or over all of the sender's VRFs when
 * {@code vrf} is {@link #ALL_VRFS}: every object sent until the SYNC_END of the same generation
 * and scope is refreshed, and at that SYNC_END the receiver sweeps what was not.
 */
public record FpcSyncBegin(long generation, int vrf) implements FpcMessage {

    /** The scope "every VRF of this sender" (0xffffffff on the wire). */
    public static final int ALL_VRFS = -1;

    /** A generation over all of the sender's VRFs. */
    public FpcSyncBegin(long generation) {
        this(generation, ALL_VRFS);
    }

    @Override
    public FpcMessageType messageType() {
        return FpcMessageType.SYNC_BEGIN;
    }
}
