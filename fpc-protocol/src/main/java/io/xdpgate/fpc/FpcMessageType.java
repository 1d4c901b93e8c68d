package io.xdpgate.fpc;

/** The header's type byte. Object types come in pairs: ADD (even) then DEL (odd). */
public enum FpcMessageType {
    HELLO(0x01),
    REPORT(0x02),
    KEEPALIVE(0x03),
    SYNC_BEGIN(0x10),
    SYNC_END(0x11),
    VRF_ADD(0x20),
    VRF_DEL(0x21),
    LINK_ADD(0x22),
    LINK_DEL(0x23),
    ADDRESS_ADD(0x24),
    ADDRESS_DEL(0x25),
    NEIGHBOUR_ADD(0x26),
    NEIGHBOUR_DEL(0x27),
    ROUTE_ADD(0x28),
    ROUTE_DEL(0x29),
    NEXTHOP_ADD(0x2a),
    NEXTHOP_DEL(0x2b),
    NEXTHOP_GROUP_ADD(0x2c),
    NEXTHOP_GROUP_DEL(0x2d),
    VXLAN_ADD(0x2e),
    VXLAN_DEL(0x2f),
    /** Requests from the manager to the fast path ({@link FpcControl}): numbered, not objects. */
    CONTROL(0x30),
    /** A VRF's policy routing rules are not the kernel's defaults ({@link FpcPolicyRouting}); 0x31 is unused. */
    POLICY_ROUTING_ADD(0x32),
    POLICY_ROUTING_DEL(0x33),
    /** Route adds in one message ({@link FpcRouteList}), sent only to a server that announced them; 0x35 is unused. */
    ROUTE_ADD_LIST(0x34);

    private static final FpcMessageType[] BY_CODE = new FpcMessageType[256];

    static {
        for (FpcMessageType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;

    FpcMessageType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static FpcMessageType fromCode(int code) {
        FpcMessageType t = code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        if (t == null) {
            throw new FpcProtocolException("unknown FPC message type " + code + " (0x" + Integer.toHexString(code) + ")");
        }
        return t;
    }

    /** Control messages (HELLO, REPORT, KEEPALIVE) are unnumbered; everything else carries a sequence number. */
    public boolean numbered() {
        return this != HELLO && this != REPORT && this != KEEPALIVE;
    }
}
