package io.xdpgate.fpc;

import io.netty.handler.codec.CorruptedFrameException;

/**
 * Input that does not follow the FPC wire format, or a peer that breaks the protocol's rules.
 * The only exception the FPC decoders let escape; the connection that produced it is closed.
 */
public class FpcProtocolException extends CorruptedFrameException {
    private static final long serialVersionUID = 1L;

    public FpcProtocolException(String message) {
        super(message);
    }

    public FpcProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
