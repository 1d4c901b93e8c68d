package io.xdpgate.fpc;

/**
 * Applies the messages of one FPC connection, one at a time and in order, on that connection's
 * I/O thread. Returning a status other than OK, or throwing, makes the server report the message
 * individually to the client; the connection goes on.
 */
public interface FpcApplier {
    FpcStatus apply(FpcMessage message) throws Exception;

    /**
     * The peer's accepted HELLO, before any message of the connection is applied: its identity
     * names the sender across reconnections (a resync sweeps what that sender no longer has).
     */
    default void connected(FpcHello peer) {
    }

    /**
     * The optional message kinds this applier takes ({@link FpcHello} capability bits, such as
     * {@link FpcHello#ROUTE_ADD_LISTS}): the server's HELLO announces them, and the client sends only those.
     */
    default long capabilities() {
        return 0;
    }

    /** The connection is gone; called once, on the I/O thread, after the last {@link #apply}. */
    default void connectionClosed() {
    }
}
