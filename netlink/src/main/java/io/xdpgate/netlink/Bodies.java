package io.xdpgate.netlink;

/** Length checks shared by the per-object decoders. */
final class Bodies {
    private Bodies() {}

    /** Fails unless [body, end) holds at least the fixed header {@code struct} of {@code size} bytes. */
    static void need(int body, int end, int size, String struct, String context) throws NetlinkProtocolException {
        if (end - body < size) {
            throw new NetlinkProtocolException(context + ": payload of " + (end - body) + " bytes, " + struct
                    + " needs " + size);
        }
    }

    static boolean isInet(int family) {
        return family == Rtnl.AF_INET || family == Rtnl.AF_INET6;
    }
}
