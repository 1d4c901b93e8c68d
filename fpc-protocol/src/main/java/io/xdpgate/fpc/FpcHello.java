package io.xdpgate.fpc;

/**
 * First message of each side. {@code version} is the FPC version the sender speaks; a receiver
 * that speaks another refuses the connection with REPORT VERSION_MISMATCH. {@code capabilities} is
 * a bit set of optional features; none is defined in version 1 and unknown bits are ignored.
 */
public record FpcHello(int version, long capabilities, String identity) implements FpcMessage {
    public FpcHello {
        FpcChecks.unsigned("version", version, 0xff);
        FpcChecks.string("identity", identity, FpcConstants.MAX_IDENTITY);
    }

    @Override
    public FpcMessageType messageType() {
        return FpcMessageType.HELLO;
    }
}
