package io.xdpgate.fpc;

/** What a {@link FpcControl} request asks of the fast path. */
public enum FpcControlType {
    /** Forward on the port (vrf, ifindex) again. Value 0. */
    PORT_ENABLE(1),
    /** Stop forwarding on the port (vrf, ifindex): its traffic goes to Linux. Value 0. */
    PORT_DISABLE(2),
    /** Copy the packets of (vrf, ifindex) to the capture channel; ifindex 0 = every port of the VRF. Value 0. */
    CAPTURE_ON(3),
    /** Stop the capture started by CAPTURE_ON on the same (vrf, ifindex). Value 0. */
    CAPTURE_OFF(4),
    /** Set the fast path's MTU of the port (vrf, ifindex) to value (68..2^32-1). */
    SET_MTU(5);

    /** values() copies its array on every call; decoding looks codes up per message. */
    private static final FpcControlType[] VALUES = values();

    private final int code;

    FpcControlType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static FpcControlType fromCode(int code) {
        for (FpcControlType t : VALUES) {
            if (t.code == code) {
                return t;
            }
        }
        throw new FpcProtocolException("unknown FPC control type " + code);
    }
}
