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
#define XG_MAP_PORT_TABLES xg_port_tables
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
#define XG_MAP_FIB4_DIRS xg_fib4_dirs
#define XG_MAP_FIB6_GUIDE xg_fib6_guide
#define XG_MAP_FIB6_GUIDES xg_fib6_guides
#define XG_MAP_FIB6_CLS xg_fib6_cls
#define XG_MAP_PORT_STATS xg_port_counts
#define XG_MAP_NH_GW   xg_nh_gw
#define XG_MAP_NEIGH_USED xg_neigh_used
#define XG_MAP_NH_USED xg_nh_used
#define XG_MAP_CLOCK   xg_clock

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
/*
 * A VRF whose id is below XG_VRF_INDEXED has its large tables in xg_fib4_dirs and
 * xg_fib6_guides too, arrays of maps indexed by VRF id: the program, whose VRF is a
 * constant, finds them with an array lookup that the verifier inlines instead of hashing
 * the VRF for every packet (about 20 ns). xg_fib4_dir and xg_fib6_guide, keyed by VRF,
 * hold every VRF's (readers use them); a VRF id of XG_VRF_INDEXED or more is found there.
 */
#define XG_VRF_INDEXED 16384
/*
 * Likewise the ports of a VRF whose id is below XG_VRF_INDEXED and whose ifindex is below
 * XG_PORT_INDEXED are also in the VRF's port table (xg_port_tables: an array of maps by VRF
 * id, each an array of struct xg_port by ifindex, zero where no port is): two array lookups
 * the verifier inlines instead of hashing (vrf, ifindex) for every packet. xg_ports holds
 * every port (readers use it); a port beyond those bounds is found there.
 */
#define XG_PORT_INDEXED 4096
#define XG_FIB6_CLS_MAX 4194304
#define XG_PORT_STATS_SLOTS 4096 /* per-port counter slots of xg_port_counts; slot 0 is never used */
#define XG_NEIGH_USED_MAX 65536

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
	__u32 stats_slot; /* the port's counters in xg_port_counts, 1 .. XG_PORT_STATS_SLOTS - 1;
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
 *   0..20  the xg_nh index, or with XG_DIR_GROUP the xg_nhg index (meaningful for XG_RT_UNICAST)
 *   21     XG_DIR_LOCAL: one of the router's addresses (xg_local4) may be in this /24; the
 *          program looks in xg_local4 only then, instead of for every packet
 *   22     XG_DIR_GROUP
 *   23..25 the route type, XG_RT_*
 *   26..30 the route's prefix length + 1; 0: no route covers this /24
 *   31     XG_DIR_LONGER: xg_fib4 may hold longer routes inside this /24
 */
#define XG_FIB4_DIR_PAIRS     8388608
#define XG_DIR_ID_MASK        0x001fffff
#define XG_DIR_LOCAL          0x00200000
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
 * length L > 16 belongs to the first class c (0..14) whose length XG_FIB6_CLS_END_c is L or
 * more, and is stored in xg_fib6_cls under that length: a route shorter than it is expanded
 * (controlled prefix expansion) into the 2^(end-L) prefixes of the class length it covers,
 * each holding the longest route of the class that covers it. The classes are 4 lengths wide
 * where an Internet table is dense (/25 to /48: its /34, /36 and /44 need 4, 1 and 1
 * entries, where classes of 8 lengths needed 64, 16 and 16; the 250k-route table of bench
 * sync needs 373,032 entries instead of 1,167,417), 8 wide elsewhere, 16 wide for /65 to
 * /96, lengths seldom routed (the standard subnet is a /64; NAT64's /96 needs 1 entry).
 * Routes of /16 and shorter stay in xg_fib6, where the program looks last.
 *
 * The guide says which classes may hold routes of each /24 block: bit c of guide entry n
 * (the top 24 bits of the address) is set when class c has entries inside block n. The
 * program probes the classes of the block from the longest down, so that a lookup is most
 * often one array read and one hash lookup, at any table size. A bit is never cleared while
 * the table lives: one left over costs a probe, never a wrong answer.
 *
 * Bit XG_FIB6_GUIDE_LOCAL of a guide entry says that one of the router's addresses
 * (xg_local6) may be in the block: the program looks in xg_local6 only then.
 *
 * Guide elements are 8 bytes (array elements are 8-byte aligned) holding the entries of
 * four consecutive blocks: block n is cls[n & 3] of element n >> 2.
 */
#define XG_FIB6_GUIDE_QUADS 4194304
#define XG_FIB6_CLASSES     15
#define XG_FIB6_CLS_SHORTEST 17 /* shorter routes stay in xg_fib6 */
/* The prefix length of each class: its longest routes. */
#define XG_FIB6_CLS_END_0  24
#define XG_FIB6_CLS_END_1  28
#define XG_FIB6_CLS_END_2  32
#define XG_FIB6_CLS_END_3  36
#define XG_FIB6_CLS_END_4  40
#define XG_FIB6_CLS_END_5  44
#define XG_FIB6_CLS_END_6  48
#define XG_FIB6_CLS_END_7  56
#define XG_FIB6_CLS_END_8  64
#define XG_FIB6_CLS_END_9  80
#define XG_FIB6_CLS_END_10 96
#define XG_FIB6_CLS_END_11 104
#define XG_FIB6_CLS_END_12 112
#define XG_FIB6_CLS_END_13 120
#define XG_FIB6_CLS_END_14 128
#define XG_FIB6_GUIDE_LOCAL  0x8000
_Static_assert(XG_FIB6_CLASSES <= 15, "a guide entry has a bit per class and XG_FIB6_GUIDE_LOCAL");

struct xg_fib6_guide_quad {
	__u16 cls[4];
};
_Static_assert(sizeof(struct xg_fib6_guide_quad) == 8, "xg_fib6_guide_quad");

/* An expanded prefix of class cls: its first XG_FIB6_CLS_END_cls bits, the others zero. */
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
	__u8  hit;     /* unused, always 0: uses are recorded in xg_neigh_used (see there) */
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
	__u8 hit;   /* unused, always 0, as xg_nexthop.hit */
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

/*
 * A kernel neighbour as the kernel names it: (vrf, ifindex, family, address). family is
 * XG_AF_INET or XG_AF_INET6 (0: none); an IPv4 address takes addr[0..3]; the rest and pad
 * are zero.
 */
struct xg_neigh_ref {
	__u32 vrf;
	__u32 ifindex;
	__u8  family;
	__u8  pad[3];
	__u8  addr[16];
};
_Static_assert(sizeof(struct xg_neigh_ref) == 28, "xg_neigh_ref");

/*
 * When the fast path last sent to each kernel neighbour, for hitflags, in maps that only
 * the fast path writes: bpf_ktime_get_coarse_ns() (CLOCK_MONOTONIC_COARSE) of a recent use,
 * rewritten only when it is XG_NEIGH_USED_RESOLUTION_NS old or more, so that a busy
 * neighbour costs a write about ten times a second, not one per packet.
 *  - xg_neigh_used: LRU hash, key struct xg_neigh_ref, for connected destinations (the
 *    packet's destination is the neighbour);
 *  - xg_nh_used: an array indexed like xg_nh, for resolved gateway nexthops: an array
 *    access instead of a hash lookup on the path most traffic takes. The neighbour of slot
 *    i is xg_nh_gw[i] (struct xg_neigh_ref), written by the manager before the slot itself.
 * hitflags reads them and asks the kernel to revalidate the neighbours used since its
 * previous scan (RTM_NEWNEIGH with NTF_USE); it never writes here. The fast path never
 * writes a map value of the manager's for this (xg_neigh.hit, xg_nexthop.hit stay 0):
 * clearing a mark there would race with the manager writing a new MAC into the same value.
 */
#define XG_NEIGH_USED_RESOLUTION_NS 100000000

/*
 * The fast path's per-CPU cache of CLOCK_MONOTONIC_COARSE (xg_clock, one entry): that clock
 * only moves at a tick, so the program reads it again (a helper call, ~13 ns) only when
 * jiffies, an inlined load, moved since the CPU last did; a recorded use may lag by a tick
 * more. Never written or read by user space.
 */
struct xg_clock {
	__u64 jiffies;
	__u64 ns;
};
_Static_assert(sizeof(struct xg_clock) == 16, "xg_clock");

/* Address families as the kernel numbers them (AF_INET, AF_INET6 are not UAPI headers' to give). */
#define XG_AF_INET  2
#define XG_AF_INET6 10

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
 * Per-port statistics: a per-CPU array of XG_PORT_STATS_SLOTS struct xg_port_counters, the
 * counters of the port whose stats_slot is s at index s, counter XG_STAT_* at c[XG_STAT_*].
 * Every packet the program counts in xg_stats is also counted there for its ingress port
 * (forwarded ones included: egress traffic is what the interface's own counters show).
 * The manager zeroes a slot before it gives it to a port. One element per port, not one per
 * counter: the kernel allocates each element of a per-CPU array on its own when it creates
 * the map, and 131,072 elements of 16 bytes took 0.16 s of every fast path manager start.
 */
struct xg_port_counters {
	struct xg_counter c[XG_STAT_MAX];
};
_Static_assert(sizeof(struct xg_port_counters) == 512, "xg_port_counters");

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

/*
 * ---- Special exceptions and capture (appended; see docs/exception-trailer.md) ----
 *
 * A special exception is a packet the fast path has already changed (a tunnel
 * header removed, say): it cannot go to Linux unmodified with XDP_PASS. The fast
 * path appends a struct xg_trailer and redirects the frame into the exception
 * device's peer (xg-exc-p); the TC program on the exception device's ingress
 * (xg-exc, tc_exception.bpf.c) checks and strips the trailer, restores the mark
 * and reinjects the packet with bpf_redirect(ifindex, BPF_F_INGRESS): Linux sees
 * it arrive on the target interface.
 */
#define XG_MAP_EXC_CFG     xg_exc_cfg
#define XG_MAP_TC_STATS    xg_tc_stats
#define XG_MAP_CAPTURED    xg_captured
#define XG_MAP_CAPTURE_ON  xg_capture_on
#define XG_MAP_TC_SCRATCH  xg_tc_scratch

#define XG_EXC_CFG_MAX     16384 /* VRFs with an exception device */
#define XG_CAPTURED_MAX    4096  /* ports with a packet capture at the same time */
#define XG_TC_STAT_SLOTS   32    /* the size of xg_tc_stats: room for new reasons without a new map */

/* The trailer: the last XG_TRAILER_LEN bytes of the frame, every field big endian (network order). */
#define XG_TRAILER_MAGIC   0x58475452 /* "XGTR" */
#define XG_TRAILER_VERSION 1
#define XG_TRAILER_LEN     16

/* Trailer types. */
#define XG_TRAILER_RECEIVE 1 /* deliver to Linux as received on ifindex */

struct xg_trailer {
	__be32 magic;   /* XG_TRAILER_MAGIC */
	__u8   version; /* XG_TRAILER_VERSION */
	__u8   type;    /* XG_TRAILER_* */
	__be16 reason;  /* the xg_stat that made it an exception (for counting, not for routing) */
	__be32 ifindex; /* the target, in the network namespace of the exception device */
	__be32 mark;    /* the skb mark Linux gets */
};
_Static_assert(sizeof(struct xg_trailer) == XG_TRAILER_LEN, "xg_trailer");

/* xg_exc_cfg, keyed by VRF (__u32): the exception device of that VRF's namespace. */
#define XG_EXC_CFG_VALID 0x1

struct xg_exc_cfg {
	__u32 ifindex; /* xg-exc-p: the peer the fast path redirects into; its packets arrive on xg-exc */
	__u32 flags;
};
_Static_assert(sizeof(struct xg_exc_cfg) == 8, "xg_exc_cfg");

/*
 * Packet capture: xg_captured holds the ports (vrf, ifindex) with a packet socket
 * bound to them (tcpdump -i PORT); xg_capture_on[0] counts them, so that the fast
 * path pays one array read per packet while nothing is captured. A packet whose
 * ingress or egress port is captured leaves XDP unmodified (XDP_PASS) with
 * XG_CAPTURE_META in its metadata; the TC program on the ingress port forwards it
 * with the same code, through the socket layer's taps.
 */
#define XG_CAPTURE_META 0x58474350 /* "XGCP", the 4 bytes of XDP metadata of a deferred packet */
#define XG_CAPTURE_ON   0x1

struct xg_capture {
	__u32 flags; /* XG_CAPTURE_ON */
};
_Static_assert(sizeof(struct xg_capture) == 4, "xg_capture");

/* Counters of the TC side (xg_tc_stats, per-CPU, of struct xg_counter), by reason. */
enum xg_tc_stat {
	XG_TC_TRAILER_REINJECTED = 0, /* trailer valid: stripped, redirected to its ifindex */
	XG_TC_TRAILER_SHORT      = 1, /* dropped: shorter than an Ethernet header and a trailer */
	XG_TC_TRAILER_MAGIC      = 2, /* dropped: no trailer magic */
	XG_TC_TRAILER_VERSION    = 3, /* dropped: unknown trailer version */
	XG_TC_TRAILER_TYPE       = 4, /* dropped: unknown trailer type */
	XG_TC_TRAILER_IFINDEX    = 5, /* dropped: target ifindex 0 or the exception device itself */
	XG_TC_TRAILER_STRIP      = 6, /* dropped: the kernel refused to remove the trailer */
	XG_TC_SPECIAL_SENT       = 7, /* special exceptions the fast path sent to the exception device */
	XG_TC_SPECIAL_NO_DEVICE  = 8, /* dropped by the fast path: no exception device in the VRF */
	XG_TC_CAPTURE_DEFERRED   = 9, /* left unmodified to TC because a port of the path is captured */
	XG_TC_CAPTURE_FORWARDED  = 10, /* of those, forwarded by the TC program (also in XG_STAT_FORWARDED) */
	XG_TC_CAPTURE_NO_META    = 11, /* the driver took no XDP metadata: left to Linux */
	XG_TC_VXLAN_FORWARDED    = 12, /* decapsulated and the inner packet forwarded (also in XG_STAT_FORWARDED) */
	XG_TC_VXLAN_EXCEPTION    = 13, /* decapsulated, the inner packet a special exception to the VXLAN device */
	XG_TC_VXLAN_ENCAPSULATED = 14, /* routed into a VXLAN device: encapsulated and sent on the underlay port */
	XG_TC_VXLAN_ENCAP_TO_LINUX = 15, /* routed into a VXLAN device, left unmodified to Linux: no remote, underlay
					  * unresolved, underlay port captured, or a packet the TC program forwards */
	XG_TC_VXLAN_ENCAP_MTU    = 16, /* routed into a VXLAN device, left unmodified to Linux: the outer packet would
				       * exceed the underlay port's MTU */
	XG_TC_VXLAN_ENCAP_FAILED = 17, /* dropped: the encapsulation vanished or the frame could not grow after the
				       * inner header was rewritten (not expected to happen) */
	XG_TC_STAT_MAX           = 18,
};
_Static_assert(XG_TC_STAT_MAX <= XG_TC_STAT_SLOTS, "xg_tc_stat");

/*
 * VXLAN decapsulation (RFC 7348). xg_vxlan holds the VXLAN devices whose traffic the
 * fast path decapsulates, keyed by the VRF the outer packet arrives in and the VNI.
 * An outer IPv4/UDP packet (no IP options, no fragment) to the device's local address
 * and port, with the I flag and a known VNI, whose inner frame is IPv4 addressed to the
 * device's MAC, is forwarded by the inner destination in the device's VRF. An inner
 * packet the fast path cannot finish (local, no route, no neighbour, TTL...) becomes a
 * special exception to the VXLAN device; anything else stays with Linux untouched
 * (its vxlan driver decapsulates ARP, bridged frames, unknown VNIs).
 */
#define XG_MAP_VXLAN       xg_vxlan
#define XG_VXLAN_MAX       16384
#define XG_VXLAN_HDR_LEN   8    /* flags (0x08: VNI valid), 3 reserved, VNI (24 bits), 1 reserved */
#define XG_VXLAN_FLAG_VNI  0x08
#define XG_VXLAN_VALID     0x1

struct xg_vxlan_key {
	__u32 vrf; /* of the namespace the outer packet arrives in */
	__u32 vni; /* host order, 24 bits */
};
_Static_assert(sizeof(struct xg_vxlan_key) == 8, "xg_vxlan_key");

struct xg_vxlan {
	__u32  ifindex; /* the VXLAN device, in the namespace of vrf */
	__u32  vrf;     /* the VRF of the VXLAN device: the inner packet is routed there */
	__be32 local;   /* the device's local address: the outer destination */
	__be16 port;    /* its UDP port (dstport) */
	__u16  flags;   /* XG_VXLAN_VALID */
	__u8   mac[6];  /* the device's MAC: routed inner frames are addressed to it */
	__u8   pad[2];
};
_Static_assert(sizeof(struct xg_vxlan) == 24, "xg_vxlan");

/*
 * VXLAN encapsulation. A nexthop with XG_NH_VXLAN has a VXLAN device as its egress: the
 * fast path forwards the inner packet as usual (TTL, inner destination MAC from the
 * nexthop or the neighbour on the device, inner source MAC = the device's MAC in smac),
 * then pushes the outer header that xg_vxlan_tx holds for the device, keyed by
 * (vrf, the device's ifindex): the manager precomputes it per remote endpoint (one remote
 * per device: its `remote` or its all-zeros FDB entry) from the underlay route and
 * neighbour towards the endpoint, and rewrites it when they change. Per packet the
 * program writes the outer IPv4 total length and checksum, the UDP length, and the UDP
 * source port from the inner flow hash (as Linux, in [port_min, port_max)); the UDP
 * checksum stays 0 (allowed over IPv4). A packet it cannot finish (no valid entry,
 * larger than the underlay MTU, a captured underlay port) goes to Linux unmodified.
 */
#define XG_NH_VXLAN          0x8 /* xg_nexthop flag: the egress is a VXLAN device (see xg_vxlan_tx) */
#define XG_MAP_VXLAN_TX      xg_vxlan_tx
#define XG_MAP_VXLAN_PUSH xg_vxlan_push
#define XG_VXLAN_TX_MAX      16384
#define XG_VXLAN_ENCAP_LEN   50  /* outer Ethernet 14, IPv4 20, UDP 8, VXLAN 8 */
#define XG_VXLAN_TX_VALID    0x1 /* the underlay is resolved: hdr, egress and mtu are usable */

struct xg_vxlan_tx {
	__u32 flags;    /* XG_VXLAN_TX_VALID */
	__u32 egress;   /* the underlay port the outer packet leaves by, in the same VRF */
	__u32 mtu;      /* that port's MTU: the outer IPv4 packet may not be larger */
	__u32 csum;     /* the ones' complement sum of the outer IPv4 header's 16-bit words (big endian
			 * read) with total length and checksum 0, not folded */
	__u16 port_min; /* UDP source ports: port_min + (hash * (port_max - port_min)) >> 32, host order */
	__u16 port_max;
	__u8  hdr[XG_VXLAN_ENCAP_LEN]; /* outer Ethernet, IPv4, UDP, VXLAN: every field but the outer
					* total length, IPv4 checksum, UDP source port and UDP length */
	__u8  pad[2];
};
_Static_assert(sizeof(struct xg_vxlan_tx) == 72, "xg_vxlan_tx");

#endif /* XDPGATE_H */
