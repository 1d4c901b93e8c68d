package io.xdpgate.fpc;

/** Route types; codes are the kernel's RTN_* values so both sides grep alike. */
public enum FpcRouteType {
    UNICAST(1),
    LOCAL(2),
    BLACKHOLE(6),
    UNREACHABLE(7),
    PROHIBIT(8);

    /** values() copies its array on every call; decoding looks codes up per message. */
    private static final FpcRouteType[] VALUES = values();

    private final int code;

    FpcRouteType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static FpcRouteType fromCode(int code) {
        for (FpcRouteType t : VALUES) {
            if (t.code == code) {
                return t;
            }
        }
        throw new FpcProtocolException("unknown FPC route type " + code);
    }
}
