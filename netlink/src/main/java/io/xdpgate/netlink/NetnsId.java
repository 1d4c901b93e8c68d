package io.xdpgate.netlink;

/**
 * A namespace id (RTM_NEWNSID / RTM_DELNSID): the number by which this namespace knows a peer namespace,
 * as used in IFLA_LINK_NETNSID (the other end of a veth pair, the underlay of a tunnel). Notifications carry
 * only the id; pid and fd appear in requests and in replies to them.
 *
 * @param nsid NETNSA_NSID, -1 (NETNSA_NSID_NOT_ASSIGNED) if absent
 * @param pid  NETNSA_PID, -1 if absent
 * @param fd   NETNSA_FD, -1 if absent
 */
public record NetnsId(int nsid, int pid, int fd) implements RtnlObject {}
