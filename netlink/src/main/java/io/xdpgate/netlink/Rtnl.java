package io.xdpgate.netlink;

/**
 * Netlink and rtnetlink constants, named exactly as in the kernel UAPI headers (linux/netlink.h,
 * rtnetlink.h, if_link.h, if_addr.h, neighbour.h, if.h, nexthop.h,
 * net_namespace.h) so that one search finds both the C and the Java.
 */
public final class Rtnl {
    private Rtnl() {}

    // Address families (linux/socket.h).
    public static final int AF_UNSPEC = 0;
    public static final int AF_INET = 2;
    public static final int AF_BRIDGE = 7;
    public static final int AF_INET6 = 10;
    public static final int AF_NETLINK = 16;

    // struct nlmsghdr and message types (linux/netlink.h).
    public static final int NLMSG_HDRLEN = 16;
    public static final int NLMSG_ALIGNTO = 4;
    public static final int NLMSG_NOOP = 1;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int NLMSG_OVERRUN = 4;
    public static final int NLMSG_MIN_TYPE = 0x10;

    // nlmsg_flags.
    public static final int NLM_F_REQUEST = 0x01;
    public static final int NLM_F_MULTI = 0x02;
    public static final int NLM_F_ACK = 0x04;
    public static final int NLM_F_ECHO = 0x08;
    public static final int NLM_F_DUMP_INTR = 0x10;
    public static final int NLM_F_DUMP_FILTERED = 0x20;
    public static final int NLM_F_ROOT = 0x100;
    public static final int NLM_F_MATCH = 0x200;
    public static final int NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    /** On NLMSG_ERROR: the echoed request was cut to its header. */
    public static final int NLM_F_CAPPED = 0x100;
    /** On NLMSG_ERROR / NLMSG_DONE: extended-ack TLVs follow. */
    public static final int NLM_F_ACK_TLVS = 0x200;

    // enum nlmsgerr_attrs.
    public static final int NLMSGERR_ATTR_MSG = 1;
    public static final int NLMSGERR_ATTR_OFFS = 2;

    // struct nlattr.
    public static final int NLA_HDRLEN = 4;
    public static final int NLA_F_NESTED = 1 << 15;
    public static final int NLA_F_NET_BYTEORDER = 1 << 14;
    public static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

    // rtnetlink message types (linux/rtnetlink.h).
    public static final int RTM_NEWLINK = 16;
    public static final int RTM_DELLINK = 17;
    public static final int RTM_GETLINK = 18;
    public static final int RTM_SETLINK = 19;
    public static final int RTM_NEWADDR = 20;
    public static final int RTM_DELADDR = 21;
    public static final int RTM_GETADDR = 22;
    public static final int RTM_NEWROUTE = 24;
    public static final int RTM_DELROUTE = 25;
    public static final int RTM_GETROUTE = 26;
    public static final int RTM_NEWNEIGH = 28;
    public static final int RTM_DELNEIGH = 29;
    public static final int RTM_GETNEIGH = 30;
    public static final int RTM_NEWRULE = 32;
    public static final int RTM_DELRULE = 33;
    public static final int RTM_GETRULE = 34;
    public static final int RTM_NEWPREFIX = 52;
    public static final int RTM_NEWNETCONF = 80;
    public static final int RTM_DELNETCONF = 81;
    public static final int RTM_GETNETCONF = 82;
    public static final int RTM_NEWNSID = 88;
    public static final int RTM_DELNSID = 89;
    public static final int RTM_GETNSID = 90;
    public static final int RTM_NEWNEXTHOP = 104;
    public static final int RTM_DELNEXTHOP = 105;
    public static final int RTM_GETNEXTHOP = 106;

    // enum rtnetlink_groups (RTNLGRP_*), for NETLINK_ADD_MEMBERSHIP.
    public static final int RTNLGRP_NONE = 0;
    public static final int RTNLGRP_LINK = 1;
    public static final int RTNLGRP_NOTIFY = 2;
    public static final int RTNLGRP_NEIGH = 3;
    public static final int RTNLGRP_TC = 4;
    public static final int RTNLGRP_IPV4_IFADDR = 5;
    public static final int RTNLGRP_IPV4_MROUTE = 6;
    public static final int RTNLGRP_IPV4_ROUTE = 7;
    public static final int RTNLGRP_IPV4_RULE = 8;
    public static final int RTNLGRP_IPV6_IFADDR = 9;
    public static final int RTNLGRP_IPV6_MROUTE = 10;
    public static final int RTNLGRP_IPV6_ROUTE = 11;
    public static final int RTNLGRP_IPV6_IFINFO = 12;
    public static final int RTNLGRP_IPV6_RULE = 19;
    public static final int RTNLGRP_IPV4_NETCONF = 24;
    public static final int RTNLGRP_IPV6_NETCONF = 25;
    public static final int RTNLGRP_NSID = 28;
    public static final int RTNLGRP_NEXTHOP = 32;

    // struct ifinfomsg and IFLA_* (linux/if_link.h).
    public static final int IFINFOMSG_LEN = 16;
    public static final int IFLA_UNSPEC = 0;
    public static final int IFLA_ADDRESS = 1;
    public static final int IFLA_BROADCAST = 2;
    public static final int IFLA_IFNAME = 3;
    public static final int IFLA_MTU = 4;
    public static final int IFLA_LINK = 5;
    public static final int IFLA_MASTER = 10;
    public static final int IFLA_OPERSTATE = 16;
    public static final int IFLA_LINKINFO = 18;
    public static final int IFLA_EXT_MASK = 29;
    public static final int IFLA_LINK_NETNSID = 37;
    public static final int IFLA_INFO_KIND = 1;
    public static final int IFLA_INFO_DATA = 2;

    // IFLA_VXLAN_* (inside IFLA_INFO_DATA when IFLA_INFO_KIND is "vxlan").
    public static final int IFLA_VXLAN_ID = 1;
    public static final int IFLA_VXLAN_GROUP = 2;
    public static final int IFLA_VXLAN_LINK = 3;
    public static final int IFLA_VXLAN_LOCAL = 4;
    public static final int IFLA_VXLAN_TTL = 5;
    public static final int IFLA_VXLAN_TOS = 6;
    public static final int IFLA_VXLAN_LEARNING = 7;
    public static final int IFLA_VXLAN_AGEING = 8;
    public static final int IFLA_VXLAN_PORT_RANGE = 10;
    public static final int IFLA_VXLAN_PORT = 15;
    public static final int IFLA_VXLAN_GROUP6 = 16;
    public static final int IFLA_VXLAN_LOCAL6 = 17;
    public static final int IFLA_VXLAN_COLLECT_METADATA = 25;
    public static final int IFLA_VXLAN_TTL_INHERIT = 28;
    public static final int RTEXT_FILTER_VF = 1;
    public static final int RTEXT_FILTER_SKIP_STATS = 1 << 3;

    // IF_OPER_* (RFC 2863 operational states, linux/if.h).
    public static final int IF_OPER_UNKNOWN = 0;
    public static final int IF_OPER_NOTPRESENT = 1;
    public static final int IF_OPER_DOWN = 2;
    public static final int IF_OPER_LOWERLAYERDOWN = 3;
    public static final int IF_OPER_TESTING = 4;
    public static final int IF_OPER_DORMANT = 5;
    public static final int IF_OPER_UP = 6;

    // Interface flags (linux/if.h).
    public static final int IFF_UP = 1;
    public static final int IFF_BROADCAST = 1 << 1;
    public static final int IFF_LOOPBACK = 1 << 3;
    public static final int IFF_POINTOPOINT = 1 << 4;
    public static final int IFF_RUNNING = 1 << 6;
    public static final int IFF_NOARP = 1 << 7;
    public static final int IFF_PROMISC = 1 << 8;
    public static final int IFF_MASTER = 1 << 10;
    public static final int IFF_SLAVE = 1 << 11;
    public static final int IFF_MULTICAST = 1 << 12;
    public static final int IFF_LOWER_UP = 1 << 16;
    public static final int IFF_DORMANT = 1 << 17;

    // struct ifaddrmsg and IFA_* (linux/if_addr.h).
    public static final int IFADDRMSG_LEN = 8;
    public static final int IFA_ADDRESS = 1;
    public static final int IFA_LOCAL = 2;
    public static final int IFA_LABEL = 3;
    public static final int IFA_BROADCAST = 4;
    public static final int IFA_CACHEINFO = 6;
    public static final int IFA_FLAGS = 8;
    public static final int IFA_F_SECONDARY = 0x01;
    public static final int IFA_F_NODAD = 0x02;
    public static final int IFA_F_DADFAILED = 0x08;
    public static final int IFA_F_DEPRECATED = 0x20;
    public static final int IFA_F_TENTATIVE = 0x40;
    public static final int IFA_F_PERMANENT = 0x80;
    public static final int IFA_F_NOPREFIXROUTE = 0x200;

    // struct rtmsg and RTA_* (linux/rtnetlink.h).
    public static final int RTMSG_LEN = 12;
    public static final int RTA_DST = 1;
    public static final int RTA_SRC = 2;
    public static final int RTA_IIF = 3;
    public static final int RTA_OIF = 4;
    public static final int RTA_GATEWAY = 5;
    public static final int RTA_PRIORITY = 6;
    public static final int RTA_PREFSRC = 7;
    public static final int RTA_METRICS = 8;
    public static final int RTA_MULTIPATH = 9;
    public static final int RTA_FLOW = 11;
    public static final int RTA_CACHEINFO = 12;
    public static final int RTA_TABLE = 15;
    public static final int RTA_MARK = 16;
    public static final int RTA_VIA = 18;
    public static final int RTA_PREF = 20;
    public static final int RTA_ENCAP_TYPE = 21;
    public static final int RTA_ENCAP = 22;
    public static final int RTA_EXPIRES = 23;
    public static final int RTA_NH_ID = 30;

    // struct nhmsg, struct nexthop_grp and NHA_* (linux/nexthop.h).
    public static final int NHMSG_LEN = 8;
    public static final int NEXTHOP_GRP_LEN = 8;
    public static final int NHA_ID = 1;
    public static final int NHA_GROUP = 2;
    public static final int NHA_GROUP_TYPE = 3;
    public static final int NHA_BLACKHOLE = 4;
    public static final int NHA_OIF = 5;
    public static final int NHA_GATEWAY = 6;
    public static final int NHA_ENCAP_TYPE = 7;
    public static final int NHA_ENCAP = 8;
    public static final int NHA_GROUPS = 9;
    public static final int NHA_MASTER = 10;
    public static final int NHA_FDB = 11;
    public static final int NHA_RES_GROUP = 12;
    public static final int NHA_RES_BUCKET = 13;
    public static final int NEXTHOP_GRP_TYPE_MPATH = 0;
    public static final int NEXTHOP_GRP_TYPE_RES = 1;

    // struct rtgenmsg (RTM_*NSID; one byte, padded to 4 before the attributes) and NETNSA_* (linux/net_namespace.h).
    public static final int RTGENMSG_LEN = 4;
    public static final int NETNSA_NSID = 1;
    public static final int NETNSA_PID = 2;
    public static final int NETNSA_FD = 3;
    public static final int NETNSA_TARGET_NSID = 4;
    public static final int NETNSA_CURRENT_NSID = 5;
    public static final int NETNSA_NSID_NOT_ASSIGNED = -1;

    // struct fib_rule_hdr (RTM_*RULE; linux/fib_rules.h): family, dst_len, src_len, tos, table, res1, res2,
    // action (u8 each), flags (u32); then FRA_* attributes.
    public static final int FIB_RULE_HDR_LEN = 12;
    public static final int FRA_DST = 1;
    public static final int FRA_SRC = 2;
    public static final int FRA_IIFNAME = 3;
    public static final int FRA_GOTO = 4;
    public static final int FRA_PRIORITY = 6;
    public static final int FRA_FWMARK = 10;
    public static final int FRA_FLOW = 11;
    public static final int FRA_TUN_ID = 12;
    public static final int FRA_SUPPRESS_IFGROUP = 13;
    public static final int FRA_SUPPRESS_PREFIXLEN = 14;
    public static final int FRA_TABLE = 15;
    public static final int FRA_FWMASK = 16;
    public static final int FRA_OIFNAME = 17;
    public static final int FRA_PAD = 18;
    public static final int FRA_L3MDEV = 19;
    public static final int FRA_UID_RANGE = 20;
    public static final int FRA_PROTOCOL = 21;
    public static final int FRA_IP_PROTO = 22;
    public static final int FRA_SPORT_RANGE = 23;
    public static final int FRA_DPORT_RANGE = 24;
    /** FR_ACT_TO_TBL: look the packet up in the rule's table (the others: goto, nop, blackhole, unreachable, prohibit). */
    public static final int FR_ACT_TO_TBL = 1;

    // struct rtnexthop (inside RTA_MULTIPATH).
    public static final int RTNH_LEN = 8;
    public static final int RTNH_F_DEAD = 1;
    public static final int RTNH_F_PERVASIVE = 2;
    public static final int RTNH_F_ONLINK = 4;
    public static final int RTNH_F_OFFLOAD = 8;
    public static final int RTNH_F_LINKDOWN = 16;

    // rtm_type.
    public static final int RTN_UNSPEC = 0;
    public static final int RTN_UNICAST = 1;
    public static final int RTN_LOCAL = 2;
    public static final int RTN_BROADCAST = 3;
    public static final int RTN_ANYCAST = 4;
    public static final int RTN_MULTICAST = 5;
    public static final int RTN_BLACKHOLE = 6;
    public static final int RTN_UNREACHABLE = 7;
    public static final int RTN_PROHIBIT = 8;
    public static final int RTN_THROW = 9;
    public static final int RTN_NAT = 10;
    public static final int RTN_XRESOLVE = 11;

    // rtm_protocol.
    public static final int RTPROT_UNSPEC = 0;
    public static final int RTPROT_REDIRECT = 1;
    public static final int RTPROT_KERNEL = 2;
    public static final int RTPROT_BOOT = 3;
    public static final int RTPROT_STATIC = 4;

    // rtm_scope / ifa_scope.
    public static final int RT_SCOPE_UNIVERSE = 0;
    public static final int RT_SCOPE_SITE = 200;
    public static final int RT_SCOPE_LINK = 253;
    public static final int RT_SCOPE_HOST = 254;
    public static final int RT_SCOPE_NOWHERE = 255;

    // Reserved table ids.
    public static final int RT_TABLE_UNSPEC = 0;
    public static final int RT_TABLE_COMPAT = 252;
    public static final int RT_TABLE_DEFAULT = 253;
    public static final int RT_TABLE_MAIN = 254;
    public static final int RT_TABLE_LOCAL = 255;

    // rtm_flags.
    public static final int RTM_F_NOTIFY = 0x100;
    public static final int RTM_F_CLONED = 0x200;

    // struct ndmsg and NDA_* (linux/neighbour.h).
    public static final int NDMSG_LEN = 12;
    public static final int NDA_DST = 1;
    public static final int NDA_LLADDR = 2;
    public static final int NDA_CACHEINFO = 3;
    public static final int NDA_PROBES = 4;
    public static final int NDA_VLAN = 5;
    public static final int NDA_MASTER = 9;

    // Neighbour states (ndm_state).
    public static final int NUD_NONE = 0x00;
    public static final int NUD_INCOMPLETE = 0x01;
    public static final int NUD_REACHABLE = 0x02;
    public static final int NUD_STALE = 0x04;
    public static final int NUD_DELAY = 0x08;
    public static final int NUD_PROBE = 0x10;
    public static final int NUD_FAILED = 0x20;
    public static final int NUD_NOARP = 0x40;
    public static final int NUD_PERMANENT = 0x80;

    // Neighbour flags (ndm_flags).
    public static final int NTF_USE = 1;
    public static final int NTF_SELF = 1 << 1;
    public static final int NTF_MASTER = 1 << 2;
    public static final int NTF_PROXY = 1 << 3;
    public static final int NTF_EXT_LEARNED = 1 << 4;
    public static final int NTF_OFFLOADED = 1 << 5;
    public static final int NTF_STICKY = 1 << 6;
    public static final int NTF_ROUTER = 1 << 7;

    /** The UAPI name of a message type, e.g. "RTM_NEWROUTE"; "type N" when unknown. */
    public static String messageTypeName(int type) {
        return switch (type) {
            case NLMSG_NOOP -> "NLMSG_NOOP";
            case NLMSG_ERROR -> "NLMSG_ERROR";
            case NLMSG_DONE -> "NLMSG_DONE";
            case NLMSG_OVERRUN -> "NLMSG_OVERRUN";
            case RTM_NEWLINK -> "RTM_NEWLINK";
            case RTM_DELLINK -> "RTM_DELLINK";
            case RTM_GETLINK -> "RTM_GETLINK";
            case RTM_SETLINK -> "RTM_SETLINK";
            case RTM_NEWADDR -> "RTM_NEWADDR";
            case RTM_DELADDR -> "RTM_DELADDR";
            case RTM_GETADDR -> "RTM_GETADDR";
            case RTM_NEWROUTE -> "RTM_NEWROUTE";
            case RTM_DELROUTE -> "RTM_DELROUTE";
            case RTM_GETROUTE -> "RTM_GETROUTE";
            case RTM_NEWNEIGH -> "RTM_NEWNEIGH";
            case RTM_DELNEIGH -> "RTM_DELNEIGH";
            case RTM_GETNEIGH -> "RTM_GETNEIGH";
            case RTM_NEWRULE -> "RTM_NEWRULE";
            case RTM_DELRULE -> "RTM_DELRULE";
            case RTM_GETRULE -> "RTM_GETRULE";
            case RTM_NEWPREFIX -> "RTM_NEWPREFIX";
            case RTM_NEWNETCONF -> "RTM_NEWNETCONF";
            case RTM_DELNETCONF -> "RTM_DELNETCONF";
            case RTM_GETNETCONF -> "RTM_GETNETCONF";
            case RTM_NEWNSID -> "RTM_NEWNSID";
            case RTM_DELNSID -> "RTM_DELNSID";
            case RTM_GETNSID -> "RTM_GETNSID";
            case RTM_NEWNEXTHOP -> "RTM_NEWNEXTHOP";
            case RTM_DELNEXTHOP -> "RTM_DELNEXTHOP";
            case RTM_GETNEXTHOP -> "RTM_GETNEXTHOP";
            default -> "type " + type;
        };
    }

    /** The UAPI name of a multicast group, e.g. "RTNLGRP_IPV4_ROUTE"; "group N" when not listed here. */
    public static String groupName(int group) {
        return switch (group) {
            case RTNLGRP_LINK -> "RTNLGRP_LINK";
            case RTNLGRP_NOTIFY -> "RTNLGRP_NOTIFY";
            case RTNLGRP_NEIGH -> "RTNLGRP_NEIGH";
            case RTNLGRP_TC -> "RTNLGRP_TC";
            case RTNLGRP_IPV4_IFADDR -> "RTNLGRP_IPV4_IFADDR";
            case RTNLGRP_IPV4_MROUTE -> "RTNLGRP_IPV4_MROUTE";
            case RTNLGRP_IPV4_ROUTE -> "RTNLGRP_IPV4_ROUTE";
            case RTNLGRP_IPV4_RULE -> "RTNLGRP_IPV4_RULE";
            case RTNLGRP_IPV6_IFADDR -> "RTNLGRP_IPV6_IFADDR";
            case RTNLGRP_IPV6_MROUTE -> "RTNLGRP_IPV6_MROUTE";
            case RTNLGRP_IPV6_ROUTE -> "RTNLGRP_IPV6_ROUTE";
            case RTNLGRP_IPV6_IFINFO -> "RTNLGRP_IPV6_IFINFO";
            case RTNLGRP_IPV6_RULE -> "RTNLGRP_IPV6_RULE";
            case RTNLGRP_IPV4_NETCONF -> "RTNLGRP_IPV4_NETCONF";
            case RTNLGRP_IPV6_NETCONF -> "RTNLGRP_IPV6_NETCONF";
            case RTNLGRP_NSID -> "RTNLGRP_NSID";
            case RTNLGRP_NEXTHOP -> "RTNLGRP_NEXTHOP";
            default -> "group " + group;
        };
    }
}
