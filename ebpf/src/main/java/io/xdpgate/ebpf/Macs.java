package io.xdpgate.ebpf;

import java.util.HexFormat;

/** Ethernet address checks and formatting shared by the records. */
final class Macs {
    private static final HexFormat COLONS = HexFormat.ofDelimiter(":");

    private Macs() {
    }

    static byte[] copy(String what, byte[] mac) {
        if (mac == null || mac.length != 6) {
            throw new IllegalArgumentException(what + " must be 6 bytes, got " + (mac == null ? "null" : mac.length));
        }
        return mac.clone();
    }

    static String format(byte[] mac) {
        return COLONS.formatHex(mac);
    }
}
