package io.xdpgate.netlink;

import java.net.InetAddress;

/**
 * An interface address (RTM_NEWADDR / RTM_DELADDR).
 *
 * @param address IFA_LOCAL, else IFA_ADDRESS (they differ only on point-to-point links, where IFA_ADDRESS is the peer)
 * @param flags   IFA_F_* (IFA_FLAGS when present: it carries the bits that do not fit ifa_flags)
 */
public record Address(int family, int ifindex, int prefixLength, InetAddress address, int scope, int flags)
        implements RtnlObject {}
