package io.xdpgate.daemon;

import java.net.InetSocketAddress;

/** The address a daemon listens on, as operators write it: "ADDRESS:PORT", "[IPV6]:PORT" or "HOST:PORT". */
public final class ListenAddress {

    private ListenAddress() {}

    /** @param option the option or key being parsed, for the error message */
    public static InetSocketAddress parse(String s, String option) {
        int colon = s.lastIndexOf(':');
        String host = colon < 0 ? "" : s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        if (host.isEmpty() || host.contains(":") && !s.startsWith("[")) {
            throw new IllegalArgumentException(option + " expects ADDRESS:PORT ([::1]:PORT for IPv6) or 'off', got '" + s + "'");
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
            if (port < 0 || port > 65535) throw new NumberFormatException();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " port expects a number from 0 to 65535, got '" + s.substring(colon + 1) + "'");
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) throw new IllegalArgumentException(option + ": unknown host '" + host + "'");
        return address;
    }
}
