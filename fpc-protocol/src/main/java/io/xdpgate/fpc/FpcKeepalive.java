package io.xdpgate.fpc;

/** Sent by either side when it has had nothing to send for a third of the keepalive timeout. */
public record FpcKeepalive() implements FpcMessage {
    @Override
    public FpcMessageType messageType() {
        return FpcMessageType.KEEPALIVE;
    }
}
