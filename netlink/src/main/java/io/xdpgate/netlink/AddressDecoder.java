package io.xdpgate.netlink;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/** RTM_NEWADDR / RTM_DELADDR body: struct ifaddrmsg followed by IFA_* attributes. */
final class AddressDecoder {
    private AddressDecoder() {}

    /** Returns null for families other than AF_INET and AF_INET6 (nothing else is forwarded). */
    static Address decode(ByteBuffer b, int body, int end, String context) throws NetlinkProtocolException {
        Bodies.need(body, end, Rtnl.IFADDRMSG_LEN, "ifaddrmsg", context);
        int family = Byte.toUnsignedInt(b.get(body));          // ifa_family
        int prefixLength = Byte.toUnsignedInt(b.get(body + 1)); // ifa_prefixlen
        int flags = Byte.toUnsignedInt(b.get(body + 2));        // ifa_flags (low 8 bits of IFA_F_*)
        int scope = Byte.toUnsignedInt(b.get(body + 3));        // ifa_scope
        int ifindex = b.getInt(body + 4);                       // ifa_index
        if (!Bodies.isInet(family)) {
            return null;
        }
        InetAddress local = null;
        InetAddress address = null;
        NlAttributes a = new NlAttributes(b, body + Rtnl.IFADDRMSG_LEN, end, context);
        while (a.next()) {
            switch (a.type()) {
                case Rtnl.IFA_LOCAL -> local = a.address(family);
                case Rtnl.IFA_ADDRESS -> address = a.address(family);
                case Rtnl.IFA_FLAGS -> flags = a.u32(); // the full 32-bit flags; ifa_flags only holds 8
                default -> { } // label, broadcast, cacheinfo (lifetimes): not forwarding state
            }
        }
        InetAddress chosen = local != null ? local : address;
        if (chosen == null) {
            throw new NetlinkProtocolException(context + ": neither IFA_LOCAL nor IFA_ADDRESS present");
        }
        return new Address(family, ifindex, prefixLength, chosen, scope, flags);
    }
}
