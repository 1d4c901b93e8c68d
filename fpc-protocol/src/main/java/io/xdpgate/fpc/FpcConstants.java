package io.xdpgate.fpc;

/** Wire constants of FPC version 1; docs/fpc-protocol.md is the reference for every value. */
final class FpcConstants {
    static final int VERSION = 1;
    static final int HEADER_LENGTH = 16;
    /** Largest message, header included. Checked before any buffer is sized from a length field. */
    static final int MAX_MESSAGE_LENGTH = 65535;

    // Header field offsets.
    static final int OFFSET_VERSION = 0;
    static final int OFFSET_TYPE = 1;
    static final int OFFSET_FLAGS = 2;
    static final int OFFSET_SEQUENCE = 4;
    static final int OFFSET_REPORT = 8;
    static final int OFFSET_LENGTH = 12;

    /** Header flag: the receiver reports this message individually. */
    static final int FLAG_ACK_REQUEST = 0x0001;
    /** Every flag this version knows; any other bit set is refused so the encoding stays canonical. */
    static final int KNOWN_FLAGS = FLAG_ACK_REQUEST;

    // Address families, same numbers as the kernel's AF_* so a grep finds both.
    static final int AF_UNSPEC = 0;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;

    static final int MAC_LENGTH = 6;

    // String bounds, in UTF-8 bytes.
    static final int MAX_IDENTITY = 255;
    /** Network namespace names are file names under /run/netns. */
    static final int MAX_VRF_NAME = 255;
    /** IFNAMSIZ - 1. */
    static final int MAX_LINK_NAME = 15;
    static final int MAX_LINK_KIND = 63;
    static final int MAX_REPORT_TEXT = 1024;

    /** Keeps every valid route within MAX_MESSAGE_LENGTH even with IPv6 gateways (2048 * 23 bytes). */
    static final int MAX_NEXTHOPS = 2048;

    /** Members of a nexthop group at most (2048 * 8 bytes). */
    static final int MAX_GROUP_MEMBERS = 2048;

    /** Nexthop object flags byte: NHA_BLACKHOLE. */
    static final int NEXTHOP_BLACKHOLE = 0x01;

    /** Neighbour flags byte. */
    static final int NEIGHBOUR_ROUTER = 0x01;

    private FpcConstants() {
    }
}
