package io.xdpgate.fpc;

/**
 * First message of each side. {@code version} is the FPC version the sender speaks; a receiver
 * that speaks another refuses the connection with REPORT VERSION_MISMATCH. {@code capabilities} is
 * a bit set of optional features the sender handles when the peer sends them (its HELLO tells the peer
 * what it may send); unknown bits are ignored.
 */
public record FpcHello(int version, long capabilities, String identity) implements FpcMessage {
    /** The server applies ROUTE_ADD_LIST ({@link FpcRouteList}): the client may send route adds in lists. */
    public static final long ROUTE_ADD_LISTS = 1L;

    public FpcHello {
        FpcChecks.unsigned("version", version, 0xff);
        FpcChecks.string("identity", identity, FpcConstants.MAX_IDENTITY);
    }

    @Override
    public FpcMessageType messageType() {
        return FpcMessageType.HELLO;
    }
}
