package io.xdpgate.netlink;

import java.util.HexFormat;

/** Helpers for the byte[] link-layer addresses inside the immutable records. */
final class MacAddresses {
    private MacAddresses() {}

    static byte[] copy(byte[] mac) {
        return mac == null ? null : mac.clone();
    }

    static String format(byte[] mac) {
        return mac == null ? "none" : HexFormat.ofDelimiter(":").formatHex(mac);
    }

    static boolean isZero(byte[] mac) {
        for (byte b : mac) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    static boolean isBroadcast(byte[] mac) {
        for (byte b : mac) {
            if (b != (byte) 0xff) {
                return false;
            }
        }
        return true;
    }
}
