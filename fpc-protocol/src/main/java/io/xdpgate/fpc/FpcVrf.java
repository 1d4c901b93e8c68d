package io.xdpgate.fpc;

/** VRF_ADD / VRF_DEL. Key: {@code vrf}. {@code name} is the network namespace name, "" for the default namespace. */
public record FpcVrf(boolean add, int vrf, String name) implements FpcMessage {
    public FpcVrf {
        FpcChecks.string("VRF name", name, FpcConstants.MAX_VRF_NAME);
    }

    @Override
    public FpcMessageType messageType() {
        return add ? FpcMessageType.VRF_ADD : FpcMessageType.VRF_DEL;
    }
}
