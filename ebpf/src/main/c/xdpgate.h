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
#define XG_MAP_NH_GW   xg_nh_gw
#define XG_MAP_NEIGH_USED xg_neigh_used
#define XG_MAP_NH_USED xg_nh_used

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
};
_Static_assert(sizeof(struct xg_port) == 12, "xg_port");

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
	XG_STAT_MAX             = 16, /* the size of xg_stats: unchanged, so a pinned xg_stats is kept */
};

struct xg_counter {
	__u64 packets;
	__u64 bytes;
};
_Static_assert(sizeof(struct xg_counter) == 16, "xg_counter");

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
