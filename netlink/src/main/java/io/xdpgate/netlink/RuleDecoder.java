package io.xdpgate.netlink;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/** RTM_NEWRULE / RTM_DELRULE body: struct fib_rule_hdr followed by FRA_* attributes. */
final class RuleDecoder {
    /** fib_rule_hdr.flags: FIB_RULE_INVERT, the rule matches what its selectors do not. */
    private static final int FIB_RULE_INVERT = 0x2;
    /**
     * fib_rule_hdr.flags the kernel sets from the rule's surroundings, not from what was configured:
     * FIB_RULE_UNRESOLVED (a goto whose target is missing), FIB_RULE_IIF_DETACHED, FIB_RULE_OIF_DETACHED
     * (the named interface does not exist). They change with no rule announcement, so they are no part of
     * a rule's identity.
     */
    private static final int STATE_FLAGS = 0x4 | 0x8 | 0x10;
    /** The value of FRA_SUPPRESS_PREFIXLEN and FRA_SUPPRESS_IFGROUP that means "not set". */
    private static final int UNSET = -1;

    private RuleDecoder() {}

    /** Returns null for families other than AF_INET / AF_INET6 (IPMR, IP6MR and others: multicast routing). */
    static Rule decode(ByteBuffer b, int body, int end, String context) throws NetlinkProtocolException {
        Bodies.need(body, end, Rtnl.FIB_RULE_HDR_LEN, "fib_rule_hdr", context);
        int family = Byte.toUnsignedInt(b.get(body));
        int dstLength = Byte.toUnsignedInt(b.get(body + 1));
        int srcLength = Byte.toUnsignedInt(b.get(body + 2));
        int tos = Byte.toUnsignedInt(b.get(body + 3));
        int table = Byte.toUnsignedInt(b.get(body + 4));
        // body + 5, + 6: reserved
        int action = Byte.toUnsignedInt(b.get(body + 7));
        int flags = b.getInt(body + 8);
        if (!Bodies.isInet(family)) {
            return null;
        }
        boolean everything = dstLength == 0 && srcLength == 0 && tos == 0 && (flags & FIB_RULE_INVERT) == 0;
        int priority = 0;
        int protocol = 0;
        NlAttributes a = new NlAttributes(b, body + Rtnl.FIB_RULE_HDR_LEN, end, context);
        while (a.next()) {
            switch (a.type()) {
                case Rtnl.FRA_PRIORITY -> priority = a.u32();
                case Rtnl.FRA_TABLE -> table = a.u32();
                case Rtnl.FRA_PROTOCOL -> protocol = a.u8();
                // The prefixes' lengths are in the header; a mask without a mark selects nothing.
                case Rtnl.FRA_DST, Rtnl.FRA_SRC, Rtnl.FRA_FWMASK, Rtnl.FRA_PAD -> { }
                case Rtnl.FRA_FWMARK -> everything &= a.u32() == 0;
                case Rtnl.FRA_SUPPRESS_PREFIXLEN, Rtnl.FRA_SUPPRESS_IFGROUP -> everything &= a.u32() == UNSET;
                case Rtnl.FRA_L3MDEV -> everything &= a.u8() == 0;
                // Interfaces, goto, realms, tunnel id, UID range, IP protocol, ports, and anything newer.
                default -> everything = false;
            }
        }
        return new Rule(family, priority, table, action, protocol, everything, identity(b, body, end, flags));
    }

    /** The body in hex with the state flags cleared (see {@link Rule#identity()}); bounds checked by the caller. */
    private static String identity(ByteBuffer b, int body, int end, int flags) {
        byte[] bytes = new byte[end - body];
        b.get(body, bytes);
        ByteBuffer.wrap(bytes).order(b.order()).putInt(8, flags & ~STATE_FLAGS); // fib_rule_hdr.flags
        return HexFormat.of().formatHex(bytes);
    }
}
