package io.xdpgate.fpc;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Argument checks shared by the message records. A record that passes them always encodes
 * within the message size limit, so the encoder never fails on a constructed message.
 */
final class FpcChecks {
    private FpcChecks() {
    }

    static int unsigned(String field, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(field + " " + value + " out of range 0.." + max);
        }
        return value;
    }

    static String string(String field, String value, int maxBytes) {
        Objects.requireNonNull(value, field);
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxBytes) {
            throw new IllegalArgumentException(field + " is " + bytes + " UTF-8 bytes, at most " + maxBytes);
        }
        return value;
    }

    /** MAC addresses are 6 bytes, or empty when the object has none (tun links, unresolved neighbours). */
    static byte[] mac(String field, byte[] mac) {
        Objects.requireNonNull(mac, field);
        if (mac.length != 0 && mac.length != FpcConstants.MAC_LENGTH) {
            throw new IllegalArgumentException(field + " has " + mac.length + " bytes, expected 0 or 6");
        }
        return mac.clone();
    }

    static InetAddress address(String field, InetAddress address) {
        return Objects.requireNonNull(address, field);
    }

    static int prefixLength(InetAddress address, int prefixLength) {
        return unsigned("prefix length", prefixLength, bits(address));
    }

    static int bits(InetAddress address) {
        return address instanceof Inet4Address ? 32 : 128;
    }

    static String formatMac(byte[] mac) {
        if (mac.length == 0) {
            return "none";
        }
        StringBuilder sb = new StringBuilder(17);
        for (int i = 0; i < mac.length; i++) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(Character.forDigit((mac[i] >> 4) & 0xf, 16)).append(Character.forDigit(mac[i] & 0xf, 16));
        }
        return sb.toString();
    }

    static String format(InetAddress address) {
        return address == null ? "none" : address.getHostAddress();
    }
}
