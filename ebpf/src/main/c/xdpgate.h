/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * xdpgate.h: every map layout shared by the eBPF programs and user space.
 *
 * This header is the single source of truth. The Java mirror lives in
 * ebpf/src/main/java/io/xdpgate/ebpf/ (MapLayouts and the key/value records);
 * a test compares it field by field with the BTF of the compiled object, so a
 * change here without the same change there fails the build.
 *
 * Conventions:
 *  - fixed-width types only, explicit padding, sizes pinned by _Static_assert;
 *  - IPv4 addresses are stored in network byte order (__be32), as on the wire;
 *    IPv6 addresses as their 16 bytes in wire order (__u8[16]);
 *  - (vrf, ifindex) are host byte order, except inside LPM keys where every
 *    byte takes part in prefix matching and so must be big endian.
 */
#ifndef XDPGATE_H
#define XDPGATE_H

#include <linux/types.h>

/* Map names: also the file names of the pins under the pin root. */
#define XG_MAP_PORTS   xg_ports
#define XG_MAP_FIB4    xg_fib4
#define XG_MAP_NH      xg_nh
#define XG_MAP_NEIGH4  xg_neigh4
#define XG_MAP_LOCAL4  xg_local4
#define XG_MAP_STATS   xg_stats
#define XG_MAP_FIB6    xg_fib6
#define XG_MAP_NEIGH6  xg_neigh6
#define XG_MAP_LOCAL6  xg_local6
#define XG_MAP_NHG     xg_nhg
#define XG_MAP_FIB4_DIR xg_fib4_dir
#define XG_MAP_FIB6_GUIDE xg_fib6_guide
#define XG_MAP_FIB6_CLS xg_fib6_cls
#define XG_MAP_PORT_STATS xg_port_stats

/* Capacities. */
#define XG_PORTS_MAX    65536
#define XG_FIB4_MAX     2097152
#define XG_NH_MAX       65536
#define XG_NEIGH4_MAX   65536
#define XG_LOCAL4_MAX   65536
#define XG_FIB6_MAX     524288
#define XG_NEIGH6_MAX   65536
#define XG_LOCAL6_MAX   65536
#define XG_NHG_MAX      16384
#define XG_FIB4_DIR_VRFS 256
#define XG_FIB6_GUIDE_VRFS 256
#define XG_FIB6_CLS_MAX 4194304
#define XG_PORT_STATS_SLOTS 4096 /* per-port counter slots of xg_port_stats; slot 0 is never used */

/* An interface of a VRF. A VRF is a network namespace; ifindexes are only unique inside one. */
struct xg_if_key {
	__u32 vrf;
	__u32 ifindex;
};
_Static_assert(sizeof(struct xg_if_key) == 8, "xg_if_key");

/* Port flags. */
#define XG_PORT_UP 0x1 /* IFF_UP and IFF_LOWER_UP: may receive and send */

/* A fast path port: an interface that has the XDP program and may be a redirect target. */
struct xg_port {
	__u8  mac[6];
	__u16 flags;
	__u32 mtu;
	__u32 stats_slot; /* the port's counters in xg_port_stats, 1 .. XG_PORT_STATS_SLOTS - 1;
			   * 0: the port is counted in xg_stats only */
};
_Static_assert(sizeof(struct xg_port) == 16, "xg_port");

/* IPv4 FIB key (BPF LPM trie). prefixlen counts the VRF too: 32 + route prefix length. */
struct xg_fib4_key {
	__u32  prefixlen;
	__be32 vrf;
	__be32 addr;
};
_Static_assert(sizeof(struct xg_fib4_key) == 12, "xg_fib4_key");

/*
 * IPv6 FIB key (BPF LPM trie), as xg_fib4_key: prefixlen = 32 + route prefix
 * length (at most 160), the VRF big endian in front of the address.
 */
struct xg_fib6_key {
	__u32  prefixlen;
	__be32 vrf;
	__u8   addr[16];
};
_Static_assert(sizeof(struct xg_fib6_key) == 24, "xg_fib6_key");

/* Route types (kernel RTN_* mapped to what the fast path does with them). */
#define XG_RT_UNICAST     1 /* forward through nh_id */
#define XG_RT_LOCAL       2 /* exception: local delivery */
#define XG_RT_BLACKHOLE   3 /* drop, counted */
#define XG_RT_UNREACHABLE 4 /* exception: Linux sends the ICMP error */
#define XG_RT_PROHIBIT    5 /* exception: Linux sends the ICMP error */

/*
 * nh_id of an XG_RT_UNICAST route: an index into xg_nh, or, with XG_NH_ID_GROUP
 * set, an index into xg_nhg (ECMP: the flow hash picks one of the group's
 * buckets, each holding an xg_nh index). Index 0 of either array is never used.
 */
#define XG_NH_ID_GROUP 0x80000000u
#define XG_NH_ID_MASK  0x7fffffffu

/* The value of xg_fib4 and xg_fib6 alike. */
struct xg_route {
	__u32 type;
	__u32 nh_id; /* see XG_NH_ID_GROUP; meaningful for XG_RT_UNICAST */
};
_Static_assert(sizeof(struct xg_route) == 8, "xg_route");

/*
 * DIR-24 IPv4 table of one large VRF (xg_fib4_dir maps the VRF to it): one 32-bit entry
 * per /24, indexed by the top 24 bits of the destination, holding the longest route of
 * length 0..24 that covers the /24. A VRF with few routes stays in xg_fib4 alone; the
 * manager moves a VRF here when it grows, and then xg_fib4 keeps only its routes longer
 * than /24, which the entry's XG_DIR_LONGER bit tells the program to look up first.
 * One lookup is one array read whatever the table size, where an LPM trie walks its
 * depth (about 1.5 us at 1M prefixes against about 30 ns here).
 *
 * Array elements are 8-byte aligned whatever their value size, so the table holds
 * XG_FIB4_DIR_PAIRS elements of two entries each: /24 number n is entry n & 1 of element
 * n >> 1, and the mapping (BPF_F_MMAPABLE) is 2^24 consecutive entries that user space
 * writes without a system call. An entry is written as one aligned 32-bit store, so the
 * program never sees half of it.
 *
 * Entry bits:
 *   0..21  the xg_nh index, or with XG_DIR_GROUP the xg_nhg index (meaningful for XG_RT_UNICAST)
 *   22     XG_DIR_GROUP
 *   23..25 the route type, XG_RT_*
 *   26..30 the route's prefix length + 1; 0: no route covers this /24
 *   31     XG_DIR_LONGER: xg_fib4 may hold longer routes inside this /24
 */
#define XG_FIB4_DIR_PAIRS     8388608
#define XG_DIR_ID_MASK        0x003fffff
#define XG_DIR_GROUP          0x00400000
#define XG_DIR_TYPE_SHIFT     23
#define XG_DIR_TYPE_MASK      0x7
#define XG_DIR_DEPTH_SHIFT    26
#define XG_DIR_DEPTH_MASK     0x1f
#define XG_DIR_LONGER         0x80000000u

struct xg_fib4_dir_pair {
	__u32 entry[2];
};
_Static_assert(sizeof(struct xg_fib4_dir_pair) == 8, "xg_fib4_dir_pair");

/*
 * IPv6 routes of one large VRF (xg_fib6_guide maps the VRF to its guide). A route of
 * length L > 16 belongs to class c = (L - 17) / 8 (0..13), which holds lengths 17+8c to
 * 24+8c, and is stored in xg_fib6_cls under the class's length 24+8c: a route shorter than
 * that is expanded (controlled prefix expansion) into the 2^(24+8c-L) prefixes of the class
 * length it covers, each holding the longest route of the class that covers it. An Internet
 * table's /48, /32 and /40 need one entry each; a /44 needs 16. Routes of /16 and shorter
 * stay in xg_fib6, where the program looks last.
 *
 * The guide says which classes may hold routes of each /24 block: bit c of guide entry n
 * (the top 24 bits of the address) is set when class c has entries inside block n. The
 * program probes the classes of the block from the longest down, so that a lookup is most
 * often one array read and one hash lookup, at any table size. A bit is never cleared while
 * the table lives: one left over costs a probe, never a wrong answer.
 *
 * Guide elements are 8 bytes (array elements are 8-byte aligned) holding the entries of
 * four consecutive blocks: block n is cls[n & 3] of element n >> 2.
 */
#define XG_FIB6_GUIDE_QUADS 4194304
#define XG_FIB6_CLASSES     14
#define XG_FIB6_CLS_SHORTEST 17 /* shorter routes stay in xg_fib6 */

struct xg_fib6_guide_quad {
	__u16 cls[4];
};
_Static_assert(sizeof(struct xg_fib6_guide_quad) == 8, "xg_fib6_guide_quad");

/* An expanded prefix of class cls: its first 3 + cls bytes, the others zero. */
struct xg_fib6_cls_key {
	__u32 vrf;
	__u8  cls;
	__u8  pad[3];
	__u8  addr[16];
};
_Static_assert(sizeof(struct xg_fib6_cls_key) == 24, "xg_fib6_cls_key");

/* The route an expanded prefix holds, with its own length. */
struct xg_fib6_cls_value {
	struct xg_route route;
	__u32 prefixlen;
};
_Static_assert(sizeof(struct xg_fib6_cls_value) == 12, "xg_fib6_cls_value");

/* Nexthop flags. */
#define XG_NH_VALID     0x1 /* the egress interface is an up fast path port */
#define XG_NH_CONNECTED 0x2 /* no gateway: the destination MAC is looked up per packet in xg_neigh4
			    * for an IPv4 route, in xg_neigh6 for an IPv6 route */
#define XG_NH_RESOLVED  0x4 /* gateway nexthop whose dmac holds the gateway's MAC */

/*
 * A nexthop: everything needed to send, with a precomputed L2 rewrite. IPv4 and
 * IPv6 routes share the one xg_nh array; a gateway nexthop carries its resolved
 * MAC whatever the family of the gateway.
 */
struct xg_nexthop {
	__u32 ifindex; /* egress, in the VRF of the route */
	__u32 flags;
	__u32 mtu;     /* egress MTU: a larger packet is an exception (Linux fragments or sends ICMP) */
	__u8  dmac[6];
	__u8  smac[6];
	__u8  hit;     /* set by the fast path when used (written only when clear), cleared by hitflags */
	__u8  pad[3];
};
_Static_assert(sizeof(struct xg_nexthop) == 28, "xg_nexthop");

/*
 * A nexthop group (ECMP): XG_NHG_BUCKETS buckets, each the xg_nh index of one
 * member. Weights are expanded into buckets by the largest remainder method
 * (member i gets floor(B * w_i / W) buckets, the members with the largest
 * remainders one more each, ties to the earlier member), in contiguous runs in
 * the manager's canonical member order; a member whose share rounds to zero has
 * no bucket. The program picks bucket (flow hash & (XG_NHG_BUCKETS - 1)) and then
 * forwards through that nexthop exactly as a route with a single nexthop: an
 * invalid or unresolved member is an exception, never a fallback to another
 * member, so a flow never moves while its own path is merely unusable.
 *
 * The flow hash is murmur3 (32 bits, the seed of the group) over these 32-bit
 * words, each the four bytes of the packet read in host order:
 *   IPv4: saddr, daddr, protocol, ports
 *   IPv6: saddr[0..3], daddr[0..3], protocol, ports
 * protocol is the IPv4 protocol or the IPv6 next header (for an IPv6 fragment
 * header, the next header inside it, or 44 if the packet is too short to hold
 * it; other extension headers are not read); ports is the first four bytes of the TCP,
 * UDP or SCTP header (source and destination port) and 0 for any other protocol,
 * for every fragment (MF set or a non-zero offset; an IPv6 fragment header) so
 * that all fragments of a datagram take one path, and when the packet is too
 * short to hold them. The murmur3 length is the number of bytes hashed (16 or 40).
 * Nothing per packet is random: a flow always hits the same bucket of a group.
 */
#define XG_NHG_BUCKETS 128

#define XG_NHG_VALID 0x1 /* written by the manager; a cleared group is all zero */

struct xg_nhg {
	__u32 flags;
	__u32 seed; /* of the flow hash; one per fast path, kept across restarts (no ECMP polarization
		     * between routers in series, and flows stay on their paths when the manager restarts) */
	__u32 buckets[XG_NHG_BUCKETS]; /* xg_nh indexes */
};
_Static_assert(sizeof(struct xg_nhg) == 8 + 4 * XG_NHG_BUCKETS, "xg_nhg");

/* IPv4 neighbour: (vrf, ifindex, address). */
struct xg_neigh4_key {
	__u32  vrf;
	__u32  ifindex;
	__be32 addr;
};
_Static_assert(sizeof(struct xg_neigh4_key) == 12, "xg_neigh4_key");

struct xg_neigh {
	__u8 mac[6];
	__u8 state; /* kernel NUD_* low byte; only usable states are ever written */
	__u8 hit;   /* as xg_nexthop.hit */
};
_Static_assert(sizeof(struct xg_neigh) == 8, "xg_neigh");

/* IPv6 neighbour: (vrf, ifindex, address); the value is struct xg_neigh as for IPv4. */
struct xg_neigh6_key {
	__u32 vrf;
	__u32 ifindex;
	__u8  addr[16];
};
_Static_assert(sizeof(struct xg_neigh6_key) == 24, "xg_neigh6_key");

/* The router's own IPv4 addresses: packets to them are local-delivery exceptions. */
struct xg_local4_key {
	__u32  vrf;
	__be32 addr;
};
_Static_assert(sizeof(struct xg_local4_key) == 8, "xg_local4_key");

struct xg_local {
	__u32 ifindex;
};
_Static_assert(sizeof(struct xg_local) == 4, "xg_local");

/* The router's own IPv6 addresses (link-local ones need no entry: all link-local traffic is Linux's). */
struct xg_local6_key {
	__u32 vrf;
	__u8  addr[16];
};
_Static_assert(sizeof(struct xg_local6_key) == 20, "xg_local6_key");

/* Statistics: a per-CPU array indexed by XG_STAT_*. */
enum xg_stat {
	XG_STAT_FORWARDED       = 0,  /* redirected by the fast path */
	XG_STAT_EXC_LOCAL       = 1,  /* destination is the router itself; IPv6 link-local source or destination */
	XG_STAT_EXC_NO_ROUTE    = 2,
	XG_STAT_EXC_NO_NEIGH    = 3,  /* nexthop or destination not resolved: Linux resolves it */
	XG_STAT_EXC_TTL         = 4,  /* TTL or hop limit would expire: Linux sends ICMP time exceeded */
	XG_STAT_EXC_NOT_IPV4    = 5,  /* neither IPv4 nor IPv6 (ARP, LLDP, VLAN tags...); the name predates IPv6 */
	XG_STAT_EXC_IP_OPTIONS  = 6,
	XG_STAT_EXC_MTU         = 7,  /* larger than the egress MTU */
	XG_STAT_EXC_MULTICAST   = 8,  /* L2 or L3 broadcast/multicast (IPv4 224/4, 255.255.255.255; IPv6 ff00::/8) */
	XG_STAT_EXC_NOT_PORT    = 9,  /* ingress or egress is not a fast path port (yet) */
	XG_STAT_EXC_ROUTE_TYPE  = 10, /* unreachable, prohibit: Linux sends the error */
	XG_STAT_EXC_MALFORMED   = 11, /* truncated or inconsistent headers: Linux drops and counts */
	XG_STAT_DROP_BLACKHOLE  = 12,
	XG_STAT_EXC_IPV6_HBH    = 13, /* IPv6 hop-by-hop options header: every router must process it */
	XG_STAT_EXC_ND          = 14, /* ICMPv6 Neighbour Discovery (RS, RA, NS, NA, redirect) not caught earlier */
	XG_STAT_FORWARDED_ECMP  = 15, /* of XG_STAT_FORWARDED, those through a nexthop group (counted in both) */
	XG_STAT_EXC_MARTIAN     = 16, /* IPv4 source or destination Linux never forwards (0.0.0.0/8, 127.0.0.0/8): Linux drops it */
	XG_STAT_MAX             = 32, /* the size of xg_stats, with room for counters to come */
};

struct xg_counter {
	__u64 packets;
	__u64 bytes;
};
_Static_assert(sizeof(struct xg_counter) == 16, "xg_counter");

/*
 * Per-port statistics: a per-CPU array of XG_PORT_STATS_SLOTS * XG_STAT_MAX struct
 * xg_counter, the counters of the port whose stats_slot is s at s * XG_STAT_MAX + XG_STAT_*.
 * Every packet the program counts in xg_stats is also counted there for its ingress port
 * (forwarded ones included: egress traffic is what the interface's own counters show).
 * The manager zeroes a slot before it gives it to a port.
 */
#define XG_PORT_STATS_ENTRIES (XG_PORT_STATS_SLOTS * XG_STAT_MAX)

/*
 * Per program instance configuration, in .rodata: set by the loader before the
 * object is loaded (the verifier then sees constants). One instance per VRF.
 * It must stay the only read-only global of the program.
 */
struct xg_prog_cfg {
	__u32 vrf;
	__u32 flags;
};
_Static_assert(sizeof(struct xg_prog_cfg) == 8, "xg_prog_cfg");

#endif /* XDPGATE_H */
