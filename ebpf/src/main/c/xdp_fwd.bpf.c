// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_fwd.bpf.c: the IPv4 and IPv6 XDP fast path of xdpgate.
 *
 * One instance of this object is loaded per VRF (network namespace); the VRF
 * is a load-time constant in .rodata. All instances share the maps pinned by
 * name under the pin root, filled by the fastpath-manager.
 *
 * Anything the fast path cannot finish is an exception: the packet is handed
 * to Linux unmodified (XDP_PASS) and the reason is counted. Linux is the
 * complete stack; this program only accelerates the common case.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xdpgate.h"

char LICENSE[] SEC("license") = "GPL";

/*
 * After a map lookup on one branch of two that look up different maps: keeps the compiler from
 * merging both calls into one, which would leave the verifier a call on either map, that it
 * cannot inline (the array lookups of this program are inlined only when the map is known).
 */
#define xg_keep_call(ptr) barrier_var(ptr)

/*
 * Set by the loader before BPF_PROG_LOAD: the verifier then treats the VRF as
 * a known constant. It must stay the only read-only global (the loader writes
 * exactly sizeof(struct xg_prog_cfg) bytes of .rodata).
 */
const volatile struct xg_prog_cfg xg_cfg = {};

/*
 * Maps. LIBBPF_PIN_BY_NAME makes libbpf reuse a map already pinned under the
 * pin root with the same name (after checking type, sizes and flags), or pin
 * the new one there: every VRF's instance thus shares one set of maps.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XG_PORTS_MAX);
	__type(key, struct xg_if_key);
	__type(value, struct xg_port);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_ports SEC(".maps");

/* A VRF's ports by ifindex (see XG_PORT_INDEXED); the manager creates the tables. */
struct xg_port_table {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XG_PORT_INDEXED);
	__type(key, __u32);
	__type(value, struct xg_port);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, XG_VRF_INDEXED);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct xg_port_table);
} xg_port_tables SEC(".maps");

/*
 * The port (vrf, ifindex), or NULL: from the VRF's port table when both are within its
 * bounds (an entry of zeroes there is no port: its flags lack XG_PORT_UP), else from xg_ports.
 */
static __always_inline struct xg_port *xg_port_of(__u32 vrf, __u32 ifindex)
{
	struct xg_if_key key = { .vrf = vrf, .ifindex = ifindex };
	struct xg_port *port;
	void *table;

	if (vrf < XG_VRF_INDEXED && ifindex < XG_PORT_INDEXED) {
		table = bpf_map_lookup_elem(&xg_port_tables, &vrf);
		if (!table)
			return NULL;
		port = bpf_map_lookup_elem(table, &ifindex);
		xg_keep_call(port);
		return port;
	}
	return bpf_map_lookup_elem(&xg_ports, &key);
}

/* The kernel refuses an LPM trie without BPF_F_NO_PREALLOC. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XG_FIB4_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xg_fib4_key);
	__type(value, struct xg_route);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_fib4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XG_NH_MAX);
	__type(key, __u32);
	__type(value, struct xg_nexthop);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_nh SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XG_NEIGH4_MAX);
	__type(key, struct xg_neigh4_key);
	__type(value, struct xg_neigh);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_neigh4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XG_LOCAL4_MAX);
	__type(key, struct xg_local4_key);
	__type(value, struct xg_local);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_local4 SEC(".maps");

/* As xg_fib4, with 128-bit addresses. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XG_FIB6_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xg_fib6_key);
	__type(value, struct xg_route);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_fib6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XG_NEIGH6_MAX);
	__type(key, struct xg_neigh6_key);
	__type(value, struct xg_neigh);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_neigh6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XG_LOCAL6_MAX);
	__type(key, struct xg_local6_key);
	__type(value, struct xg_local);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_local6 SEC(".maps");

/*
 * The DIR-24 tables of large VRFs (see xdpgate.h), by VRF. The inner definition is
 * the template every table must match; the manager creates the tables and inserts them.
 */
struct xg_fib4_dir_table {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XG_FIB4_DIR_PAIRS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct xg_fib4_dir_pair);
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, XG_FIB4_DIR_VRFS);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct xg_fib4_dir_table);
} xg_fib4_dir SEC(".maps");

/* The same tables, indexed by VRF id below XG_VRF_INDEXED (see xdpgate.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, XG_VRF_INDEXED);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct xg_fib4_dir_table);
} xg_fib4_dirs SEC(".maps");

/* The class guides of large VRFs' IPv6 routes (see xdpgate.h), by VRF. */
struct xg_fib6_guide_table {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XG_FIB6_GUIDE_QUADS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct xg_fib6_guide_quad);
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, XG_FIB6_GUIDE_VRFS);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct xg_fib6_guide_table);
} xg_fib6_guide SEC(".maps");

/* The same guides, indexed by VRF id below XG_VRF_INDEXED. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, XG_VRF_INDEXED);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct xg_fib6_guide_table);
} xg_fib6_guides SEC(".maps");

/* The expanded IPv6 routes of every large VRF. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XG_FIB6_CLS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xg_fib6_cls_key);
	__type(value, struct xg_fib6_cls_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_fib6_cls SEC(".maps");

/* Nexthop groups (ECMP), indexed by nh_id & XG_NH_ID_MASK of a route with XG_NH_ID_GROUP. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XG_NHG_MAX);
	__type(key, __u32);
	__type(value, struct xg_nhg);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_nhg SEC(".maps");

/* The kernel neighbour of each gateway slot of xg_nh (see xdpgate.h), written by the manager. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XG_NH_MAX);
	__type(key, __u32);
	__type(value, struct xg_neigh_ref);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_nh_gw SEC(".maps");

/*
 * When each connected neighbour was last sent to (see xdpgate.h). LRU: a full map forgets
 * the neighbours unused the longest, which are the ones not worth refreshing.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XG_NEIGH_USED_MAX);
	__type(key, struct xg_neigh_ref);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_neigh_used SEC(".maps");

/*
 * When the gateway of each xg_nh slot was last sent to (see xdpgate.h). Mappable: hitflags
 * reads all 64k times from its own mapping of the array, without a system call.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XG_NH_MAX);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_nh_used SEC(".maps");

/* Per-CPU: each CPU owns its slot, so plain (non-atomic) increments are exact. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XG_STAT_MAX);
	__type(key, __u32);
	__type(value, struct xg_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_stats SEC(".maps");

/* The counters of each port, by its stats_slot (see xdpgate.h); per-CPU as xg_stats. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XG_PORT_STATS_SLOTS);
	__type(key, __u32);
	__type(value, struct xg_port_counters);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_port_counts SEC(".maps");

/*
 * Counts a packet in xg_stats and, when slot is a port's stats_slot (not 0), in that
 * port's counters. The verifier inlines both lookups (per-CPU arrays, Linux 6.10 and later).
 */
static __always_inline void xg_count(__u32 slot, enum xg_stat stat, __u64 bytes)
{
	__u32 key = stat;
	struct xg_counter *c = bpf_map_lookup_elem(&xg_stats, &key);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
	/* Slot 0 is no port's; a slot or a stat beyond the array is never counted. */
	if (slot == 0 || slot >= XG_PORT_STATS_SLOTS || stat >= XG_STAT_MAX)
		return;
	struct xg_port_counters *p = bpf_map_lookup_elem(&xg_port_counts, &slot);
	if (p) {
		p->c[stat].packets++;
		p->c[stat].bytes += bytes;
	}
}

/* An exception: Linux gets the packet exactly as it arrived. */
static __always_inline int xg_pass(__u32 slot, enum xg_stat stat, __u64 bytes)
{
	xg_count(slot, stat, bytes);
	return XDP_PASS;
}

#include "xg_special.h" /* special exceptions and packet capture */

/* The group bit covers broadcast (ff:ff:ff:ff:ff:ff) as well as multicast. */
static __always_inline int xg_mac_is_group(const __u8 *mac)
{
	return mac[0] & 0x01;
}

static __always_inline int xg_mac_is_zero(const __u8 *mac)
{
	return (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) == 0;
}

/* A destination MAC the fast path may write: never zero, broadcast or multicast. */
static __always_inline int xg_mac_is_unicast(const __u8 *mac)
{
	return !xg_mac_is_group(mac) && !xg_mac_is_zero(mac);
}

/* Returns the Ethernet header, or NULL if the frame is shorter than one. */
static __always_inline struct ethhdr *xg_parse_eth(void *data, void *data_end)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return NULL;
	return eth;
}

/*
 * Validates the IPv4 header that follows the Ethernet header.
 * Returns 0 if it is usable, or the negated xg_stat reason otherwise.
 * The frame may be longer than tot_len (Ethernet pads to 60 bytes), never shorter.
 */
static __always_inline int xg_parse_ipv4(struct iphdr *iph, void *data_end)
{
	__u32 tot_len;

	if ((void *)(iph + 1) > data_end)
		return -XG_STAT_EXC_MALFORMED;
	if (iph->version != 4 || iph->ihl < 5)
		return -XG_STAT_EXC_MALFORMED;
	tot_len = bpf_ntohs(iph->tot_len);
	if (tot_len < (__u32)iph->ihl * 4 || (void *)iph + tot_len > data_end)
		return -XG_STAT_EXC_MALFORMED;
	/* Options (record route, timestamps...) need the slow path's processing. */
	if (iph->ihl > 5)
		return -XG_STAT_EXC_IP_OPTIONS;
	return 0;
}

/* 255.255.255.255 and 224.0.0.0/4: never routed by the fast path. */
static __always_inline int xg_ipv4_is_group(__be32 daddr)
{
	__u32 a = bpf_ntohl(daddr);

	return a == 0xffffffff || (a & 0xf0000000) == 0xe0000000;
}

/*
 * TTL decrement with the incremental checksum update of RFC 1624 (eqn. 3):
 * HC' = ~(~HC + ~m + m'), m being the 16-bit word holding TTL and protocol.
 * The one's complement sum is computed in host order on both sides.
 */
static __always_inline void xg_ipv4_decrement_ttl(struct iphdr *iph)
{
	__u32 old_word = ((__u32)iph->ttl << 8) | iph->protocol;
	__u32 new_word = old_word - 0x0100;
	__u32 sum;

	iph->ttl--;
	sum = (~(__u32)bpf_ntohs(iph->check) & 0xffff) + (~old_word & 0xffff) + new_word;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	iph->check = bpf_htons(~sum & 0xffff);
}

/* ---- ECMP: the flow hash of xdpgate.h (murmur3, 32 bits, over 32-bit words) */

static __always_inline __u32 xg_rotl32(__u32 x, int r)
{
	return (x << r) | (x >> (32 - r));
}

static __always_inline __u32 xg_hash_word(__u32 h, __u32 k)
{
	k *= 0xcc9e2d51;
	k = xg_rotl32(k, 15);
	k *= 0x1b873593;
	h ^= k;
	h = xg_rotl32(h, 13);
	return h * 5 + 0xe6546b64;
}

static __always_inline __u32 xg_hash_final(__u32 h, __u32 len)
{
	h ^= len;
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

static __always_inline int xg_has_ports(__u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP;
}

/*
 * The source and destination ports of the L4 header at l4 as one word, or 0 when
 * the protocol has none or fewer than four bytes of the packet (len) are there.
 */
static __always_inline __u32 xg_l4_ports(__u8 proto, void *l4, __u32 len, void *data_end)
{
	if (!xg_has_ports(proto) || len < 4 || l4 + 4 > data_end)
		return 0;
	return *(__u32 *)l4;
}

/* The flow hash of an IPv4 packet whose header (without options) is checked. */
static __always_inline __u32 xg_flow_hash4(struct iphdr *iph, void *data_end, __u32 seed)
{
	__u32 h = seed;
	__u32 ports = 0;

	/* Any fragment: the ports are only in the first one, so none of them uses them. */
	if (!(iph->frag_off & bpf_htons(0x3fff)))
		ports = xg_l4_ports(iph->protocol, (void *)(iph + 1), bpf_ntohs(iph->tot_len) - sizeof(*iph),
				 data_end);
	h = xg_hash_word(h, iph->saddr);
	h = xg_hash_word(h, iph->daddr);
	h = xg_hash_word(h, iph->protocol);
	h = xg_hash_word(h, ports);
	return xg_hash_final(h, 16);
}

/* The IPv6 fragment header (RFC 8200 4.5); linux/ipv6.h has no UAPI struct for it. */
struct xg_frag_hdr {
	__u8   nexthdr;
	__u8   reserved;
	__be16 frag_off;
	__be32 identification;
};

/* The flow hash of an IPv6 packet whose header is checked. */
static __always_inline __u32 xg_flow_hash6(struct ipv6hdr *ip6h, void *data_end, __u32 seed)
{
	__u32 payload = bpf_ntohs(ip6h->payload_len);
	__u8 proto = ip6h->nexthdr;
	__u32 ports = 0;
	__u32 h = seed;

	if (proto == IPPROTO_FRAGMENT) {
		struct xg_frag_hdr *fh = (struct xg_frag_hdr *)(ip6h + 1);

		/* Every fragment hashes by the protocol inside, without ports. */
		if (payload >= sizeof(*fh) && (void *)(fh + 1) <= data_end)
			proto = fh->nexthdr;
	} else {
		ports = xg_l4_ports(proto, (void *)(ip6h + 1), payload, data_end);
	}
	h = xg_hash_word(h, ip6h->saddr.in6_u.u6_addr32[0]);
	h = xg_hash_word(h, ip6h->saddr.in6_u.u6_addr32[1]);
	h = xg_hash_word(h, ip6h->saddr.in6_u.u6_addr32[2]);
	h = xg_hash_word(h, ip6h->saddr.in6_u.u6_addr32[3]);
	h = xg_hash_word(h, ip6h->daddr.in6_u.u6_addr32[0]);
	h = xg_hash_word(h, ip6h->daddr.in6_u.u6_addr32[1]);
	h = xg_hash_word(h, ip6h->daddr.in6_u.u6_addr32[2]);
	h = xg_hash_word(h, ip6h->daddr.in6_u.u6_addr32[3]);
	h = xg_hash_word(h, proto);
	h = xg_hash_word(h, ports);
	return xg_hash_final(h, 40);
}

/* The group a route's nh_id names (XG_NH_ID_GROUP set), or NULL if it is not in use. */
static __always_inline struct xg_nhg *xg_group(__u32 nh_id)
{
	__u32 id = nh_id & XG_NH_ID_MASK;
	struct xg_nhg *g = bpf_map_lookup_elem(&xg_nhg, &id);

	if (!g || !(g->flags & XG_NHG_VALID))
		return NULL;
	return g;
}

/* The /24 of an IPv4 destination: its DIR-24 entry is entry n & 1 of element n >> 1. */
static __always_inline __u32 xg_fib4_dir_slash24(__be32 daddr)
{
	return bpf_ntohl(daddr) >> 8;
}

/* The /24 block of an IPv6 destination: its guide entry is cls[n & 3] of element n >> 2. */
static __always_inline __u32 xg_fib6_guide_block(const struct in6_addr *daddr)
{
	return (__u32)daddr->s6_addr[0] << 16 | (__u32)daddr->s6_addr[1] << 8 | daddr->s6_addr[2];
}

/*
 * The route of an IPv4 destination in a VRF, or NULL when none covers it: from the VRF's
 * DIR-24 table when it has one (routes longer than /24 looked up in xg_fib4 only when the
 * entry says there are some), else from xg_fib4. A route decoded from a DIR entry is
 * written to *scratch. *maybe_local tells whether the destination may be one of the
 * router's addresses (always, without a DIR-24 table).
 */
static __always_inline const struct xg_route *xg_fib4_lookup(__u32 vrf, __be32 daddr, struct xg_route *scratch,
							     int *maybe_local)
{
	/* The VRF is the first 32 bits of the LPM key, so prefixlen = 32 + route length. */
	struct xg_fib4_key fkey = { .prefixlen = 64, .vrf = bpf_htonl(vrf), .addr = daddr };
	struct xg_fib4_dir_pair *pair;
	struct xg_route *longer;
	__u32 n, idx, e;
	void *dir;

	*maybe_local = 1;
	/* vrf is mostly xg_cfg's, a constant: the verifier keeps one of the two lookups. */
	if (vrf < XG_VRF_INDEXED) {
		dir = bpf_map_lookup_elem(&xg_fib4_dirs, &vrf);
		xg_keep_call(dir);
	} else {
		dir = bpf_map_lookup_elem(&xg_fib4_dir, &vrf);
	}
	if (!dir)
		return bpf_map_lookup_elem(&xg_fib4, &fkey);
	n = xg_fib4_dir_slash24(daddr);
	idx = n >> 1;
	pair = bpf_map_lookup_elem(dir, &idx);
	if (!pair)
		return NULL;
	e = pair->entry[n & 1];
	*maybe_local = !!(e & XG_DIR_LOCAL);
	if (e & XG_DIR_LONGER) {
		longer = bpf_map_lookup_elem(&xg_fib4, &fkey);
		if (longer)
			return longer;
	}
	if (!((e >> XG_DIR_DEPTH_SHIFT) & XG_DIR_DEPTH_MASK))
		return NULL;
	scratch->type = (e >> XG_DIR_TYPE_SHIFT) & XG_DIR_TYPE_MASK;
	scratch->nh_id = (e & XG_DIR_ID_MASK) | ((e & XG_DIR_GROUP) ? XG_NH_ID_GROUP : 0);
	return scratch;
}

/* XG_FIB6_CLS_END_c: the prefix length class c is stored under. */
static __always_inline __u32 xg_fib6_cls_end(int c)
{
	switch (c) {
	case 0: return XG_FIB6_CLS_END_0;
	case 1: return XG_FIB6_CLS_END_1;
	case 2: return XG_FIB6_CLS_END_2;
	case 3: return XG_FIB6_CLS_END_3;
	case 4: return XG_FIB6_CLS_END_4;
	case 5: return XG_FIB6_CLS_END_5;
	case 6: return XG_FIB6_CLS_END_6;
	case 7: return XG_FIB6_CLS_END_7;
	case 8: return XG_FIB6_CLS_END_8;
	case 9: return XG_FIB6_CLS_END_9;
	case 10: return XG_FIB6_CLS_END_10;
	case 11: return XG_FIB6_CLS_END_11;
	case 12: return XG_FIB6_CLS_END_12;
	case 13: return XG_FIB6_CLS_END_13;
	default: return XG_FIB6_CLS_END_14;
	}
}

/*
 * The route of an IPv6 destination in a VRF, or NULL: through the VRF's class guide when it
 * has one (the classes the destination's /24 block may hold, longest first, then the routes
 * of /16 and shorter in xg_fib6), else from xg_fib6.
 */
static __always_inline const struct xg_route *xg_fib6_lookup(__u32 vrf, const struct in6_addr *daddr,
							     int *maybe_local)
{
	/* As for IPv4: the VRF takes the first 32 bits, prefixlen = 32 + 128. */
	struct xg_fib6_key fkey = { .prefixlen = 160, .vrf = bpf_htonl(vrf) };
	struct xg_fib6_cls_key ckey = { .vrf = vrf };
	struct xg_fib6_guide_quad *quad;
	struct xg_fib6_cls_value *v;
	__u32 n, idx;
	__u16 mask;
	void *guide;

	__builtin_memcpy(fkey.addr, daddr, sizeof(fkey.addr));
	*maybe_local = 1;
	if (vrf < XG_VRF_INDEXED) {
		guide = bpf_map_lookup_elem(&xg_fib6_guides, &vrf);
		xg_keep_call(guide);
	} else {
		guide = bpf_map_lookup_elem(&xg_fib6_guide, &vrf);
	}
	if (!guide)
		return bpf_map_lookup_elem(&xg_fib6, &fkey);
	n = xg_fib6_guide_block(daddr);
	idx = n >> 2;
	quad = bpf_map_lookup_elem(guide, &idx);
	if (!quad)
		return NULL;
	mask = quad->cls[n & 3];
	*maybe_local = !!(mask & XG_FIB6_GUIDE_LOCAL);
	if (mask) {
		__u64 hi, lo;

		__builtin_memcpy(&hi, daddr->s6_addr, 8);
		__builtin_memcpy(&lo, daddr->s6_addr + 8, 8);
		hi = bpf_be64_to_cpu(hi);
		lo = bpf_be64_to_cpu(lo);
		for (int c = XG_FIB6_CLASSES - 1; c >= 0; c--) {
			__u32 end = xg_fib6_cls_end(c);
			__u64 h, l;

			if (!(mask & (1 << c)))
				continue;
			/* The destination's first end bits (end is 24..128). */
			h = end >= 64 ? hi : hi & ~((1ULL << (64 - end)) - 1);
			l = end <= 64 ? 0 : end == 128 ? lo : lo & ~((1ULL << (128 - end)) - 1);
			h = bpf_cpu_to_be64(h);
			l = bpf_cpu_to_be64(l);
			__builtin_memcpy(ckey.addr, &h, 8);
			__builtin_memcpy(ckey.addr + 8, &l, 8);
			ckey.cls = c;
			v = bpf_map_lookup_elem(&xg_fib6_cls, &ckey);
			if (v)
				return &v->route;
		}
	}
	return bpf_map_lookup_elem(&xg_fib6, &fkey);
}

/* 0.0.0.0/8 and 127.0.0.0/8 (RFC 1122 3.2.1.3): Linux drops them, the fast path must not forward them. */
static __always_inline int xg_ipv4_is_martian(__be32 addr)
{
	__u32 first = bpf_ntohl(addr) >> 24;

	return first == 0 || first == 127;
}

/* The verdict for a route that is not XG_RT_UNICAST, counted. */
static __always_inline int xg_route_not_unicast(const struct xg_route *rt, __u32 slot, __u64 bytes)
{
	switch (rt->type) {
	case XG_RT_LOCAL:
		return xg_pass(slot, XG_STAT_EXC_LOCAL, bytes);
	case XG_RT_BLACKHOLE:
		xg_count(slot, XG_STAT_DROP_BLACKHOLE, bytes);
		return XDP_DROP;
	default: /* unreachable, prohibit, anything newer: Linux sends the ICMP error */
		return xg_pass(slot, XG_STAT_EXC_ROUTE_TYPE, bytes);
	}
}

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xg_clock);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_clock SEC(".maps");

/* CLOCK_MONOTONIC_COARSE nanoseconds, as bpf_ktime_get_coarse_ns(), at most a tick older (see xdpgate.h). */
static __always_inline __u64 xg_coarse_ns(void)
{
	__u32 zero = 0;
	struct xg_clock *c = bpf_map_lookup_elem(&xg_clock, &zero);
	__u64 j = bpf_jiffies64();

	if (!c)
		return bpf_ktime_get_coarse_ns();
	if (c->jiffies != j) {
		c->ns = bpf_ktime_get_coarse_ns();
		c->jiffies = j;
	}
	return c->ns;
}

/* Stores now in *last if what it holds is XG_NEIGH_USED_RESOLUTION_NS old or more. */
static __always_inline void xg_touch(__u64 *last, __u64 now)
{
	/* Signed: another CPU may have stored a slightly later time meanwhile. */
	if ((__s64)(now - *last) >= XG_NEIGH_USED_RESOLUTION_NS)
		*last = now;
}

/* Records that the fast path sent to connected neighbour *ref now, for hitflags. */
static __always_inline void xg_record_use(struct xg_neigh_ref *ref)
{
	__u64 now = xg_coarse_ns();
	__u64 *last = bpf_map_lookup_elem(&xg_neigh_used, ref);

	if (last)
		xg_touch(last, now);
	else
		bpf_map_update_elem(&xg_neigh_used, ref, &now, BPF_ANY);
}

/*
 * The destination MAC from a neighbour entry of a connected nexthop (xg_neigh4 or
 * xg_neigh6). Returns 0 with *dmac set, or -XG_STAT_EXC_NO_NEIGH: Linux then
 * resolves the neighbour (ARP or ND), the result is synchronized, later packets
 * stay fast.
 */
static __always_inline int xg_neigh_dmac(struct xg_neigh *n, const __u8 **dmac)
{
	if (!n || !xg_mac_is_unicast(n->mac))
		return -XG_STAT_EXC_NO_NEIGH;
	*dmac = n->mac;
	return 0;
}

/*
 * The destination MAC of gateway nexthop nh_id, whatever the family of the gateway; as
 * xg_neigh_dmac. The use is recorded in the slot's entry of xg_nh_used.
 */
static __always_inline int xg_gateway_dmac(struct xg_nexthop *nh, __u32 nh_id, const __u8 **dmac)
{
	__u64 *last;

	if (!(nh->flags & XG_NH_RESOLVED) || !xg_mac_is_unicast(nh->dmac))
		return -XG_STAT_EXC_NO_NEIGH;
	last = bpf_map_lookup_elem(&xg_nh_used, &nh_id);
	if (last)
		xg_touch(last, xg_coarse_ns());
	*dmac = nh->dmac;
	return 0;
}

/* Looks up the destination MAC for nexthop nh_id of an IPv4 route; as xg_neigh_dmac. */
static __always_inline int xg_resolve_dmac(struct xg_nexthop *nh, __u32 nh_id, __u32 vrf, __be32 daddr,
					   const __u8 **dmac)
{
	if (nh->flags & XG_NH_CONNECTED) {
		struct xg_neigh4_key nkey = { .vrf = vrf, .ifindex = nh->ifindex, .addr = daddr };
		int err = xg_neigh_dmac(bpf_map_lookup_elem(&xg_neigh4, &nkey), dmac);

		if (!err) {
			struct xg_neigh_ref ukey = { .vrf = vrf, .ifindex = nh->ifindex, .family = XG_AF_INET };

			__builtin_memcpy(ukey.addr, &daddr, sizeof(daddr));
			xg_record_use(&ukey);
		}
		return err;
	}
	return xg_gateway_dmac(nh, nh_id, dmac);
}

/* The same for a nexthop of an IPv6 route: a connected destination is looked up in xg_neigh6. */
static __always_inline int xg_resolve_dmac6(struct xg_nexthop *nh, __u32 nh_id, __u32 vrf,
					    const struct in6_addr *daddr, const __u8 **dmac)
{
	if (nh->flags & XG_NH_CONNECTED) {
		struct xg_neigh6_key nkey = { .vrf = vrf, .ifindex = nh->ifindex };
		int err;

		__builtin_memcpy(nkey.addr, daddr, sizeof(nkey.addr));
		err = xg_neigh_dmac(bpf_map_lookup_elem(&xg_neigh6, &nkey), dmac);
		if (!err) {
			struct xg_neigh_ref ukey = { .vrf = vrf, .ifindex = nh->ifindex, .family = XG_AF_INET6 };

			__builtin_memcpy(ukey.addr, daddr, sizeof(ukey.addr));
			xg_record_use(&ukey);
		}
		return err;
	}
	return xg_gateway_dmac(nh, nh_id, dmac);
}

#include "xg_vxlan_tx.h" /* VXLAN encapsulation, for nexthops whose egress is a VXLAN device */

/* The IPv4 path, after the Ethernet header and the ingress port are checked. */
static __always_inline int xg_fwd_ipv4(struct ethhdr *eth, void *data_end, __u32 vrf, __u32 slot, __u64 bytes)
{
	struct iphdr *iph = (struct iphdr *)(eth + 1);
	const struct xg_route *rt;
	struct xg_route scratch;
	int maybe_local;
	struct xg_nexthop *nh;
	const __u8 *dmac;
	__u32 nh_id;
	int ecmp = 0;
	int err;

	err = xg_parse_ipv4(iph, data_end);
	if (err < 0)
		return xg_pass(slot, -err, bytes);
	if (xg_ipv4_is_group(iph->daddr))
		return xg_pass(slot, XG_STAT_EXC_MULTICAST, bytes);
	if (xg_ipv4_is_martian(iph->daddr) || xg_ipv4_is_martian(iph->saddr))
		return xg_pass(slot, XG_STAT_EXC_MARTIAN, bytes);

	rt = xg_fib4_lookup(vrf, iph->daddr, &scratch, &maybe_local);
	/* The router's own addresses come first, as Linux's local table does. */
	if (maybe_local) {
		struct xg_local4_key lkey = { .vrf = vrf, .addr = iph->daddr };

		if (bpf_map_lookup_elem(&xg_local4, &lkey))
			return xg_pass(slot, XG_STAT_EXC_LOCAL, bytes);
	}
	if (!rt)
		return xg_pass(slot, XG_STAT_EXC_NO_ROUTE, bytes);
	if (rt->type != XG_RT_UNICAST)
		return xg_route_not_unicast(rt, slot, bytes);

	/* Linux, not the fast path, must see an expiring packet: it sends ICMP time
	 * exceeded, so traceroute and tracepath show this hop. */
	if (iph->ttl <= 1)
		return xg_pass(slot, XG_STAT_EXC_TTL, bytes);

	nh_id = rt->nh_id;
	if (nh_id & XG_NH_ID_GROUP) {
		struct xg_nhg *g = xg_group(nh_id);

		if (!g)
			return xg_pass(slot, XG_STAT_EXC_NOT_PORT, bytes);
		/* From here on, exactly as a route through the chosen member alone. */
		nh_id = g->buckets[xg_flow_hash4(iph, data_end, g->seed) & (XG_NHG_BUCKETS - 1)];
		ecmp = 1;
	}
	nh = bpf_map_lookup_elem(&xg_nh, &nh_id);
	if (!nh || !(nh->flags & XG_NH_VALID))
		return xg_pass(slot, XG_STAT_EXC_NOT_PORT, bytes);
	err = xg_resolve_dmac(nh, nh_id, vrf, iph->daddr, &dmac);
	if (err < 0)
		return xg_pass(slot, -err, bytes);

	/* Linux fragments the packet, or sends "fragmentation needed" if DF is set. */
	if (bpf_ntohs(iph->tot_len) > nh->mtu)
		return xg_pass(slot, XG_STAT_EXC_MTU, bytes);
	if ((nh->flags & XG_NH_VXLAN) &&
	    (err = xg_vxlan_tx_prepare(iph, data_end, nh, vrf, slot, bytes)) != XG_VERDICT_ENCAP)
		return err;
	if (xg_egress_deferred(vrf, nh->ifindex)) /* tcpdump on the egress port */
		return XG_VERDICT_DEFER;

	xg_ipv4_decrement_ttl(iph);
	__builtin_memcpy(eth->h_dest, dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, nh->smac, ETH_ALEN);
	xg_count(slot, XG_STAT_FORWARDED, bytes);
	if (ecmp)
		xg_count(slot, XG_STAT_FORWARDED_ECMP, bytes);
	if (nh->flags & XG_NH_VXLAN)
		return XG_VERDICT_ENCAP; /* the caller pushes the outer header (xg_vxlan_tx_push) */
	/* Without BPF_F_INGRESS: transmit on nh->ifindex (in this namespace). */
	return bpf_redirect(nh->ifindex, 0);
}

/*
 * Validates the IPv6 header that follows the Ethernet header. Returns 0 if it is
 * usable, or the negated xg_stat reason otherwise. As for IPv4 the frame may be
 * longer than the packet (Ethernet padding), never shorter.
 */
static __always_inline int xg_parse_ipv6(struct ipv6hdr *ip6h, void *data_end)
{
	if ((void *)(ip6h + 1) > data_end)
		return -XG_STAT_EXC_MALFORMED;
	if (ip6h->version != 6)
		return -XG_STAT_EXC_MALFORMED;
	if ((void *)(ip6h + 1) + bpf_ntohs(ip6h->payload_len) > data_end)
		return -XG_STAT_EXC_MALFORMED;
	/* Hop-by-hop options are for every router on the path (RFC 8200 4.3: router
	 * alert for MLD and RSVP, jumbograms): only the slow path processes them. */
	if (ip6h->nexthdr == IPPROTO_HOPOPTS)
		return -XG_STAT_EXC_IPV6_HBH;
	return 0;
}

/* ff00::/8 */
static __always_inline int xg_ipv6_is_multicast(const struct in6_addr *a)
{
	return a->s6_addr[0] == 0xff;
}

/* fe80::/10 */
static __always_inline int xg_ipv6_is_link_local(const struct in6_addr *a)
{
	return a->s6_addr[0] == 0xfe && (a->s6_addr[1] & 0xc0) == 0x80;
}

/* ICMPv6 Neighbour Discovery types (RFC 4861; the kernel's NDISC_* names are not UAPI). */
#define XG_ND_ROUTER_SOLICIT 133
#define XG_ND_REDIRECT       137

/*
 * Returns 1 for a Neighbour Discovery message (router solicitation and
 * advertisement, neighbour solicitation and advertisement, redirect), 0 for
 * anything else, or -XG_STAT_EXC_MALFORMED for an ICMPv6 message shorter than
 * its 4-byte header. Only an ICMPv6 header right after the IPv6 header is seen:
 * ND messages carry no extension headers, and any other packet may be forwarded
 * without reading its extension headers (RFC 8200 4: only the destination
 * processes them, hop-by-hop options aside).
 */
static __always_inline int xg_ipv6_is_nd(struct ipv6hdr *ip6h, void *data_end)
{
	__u8 *type = (__u8 *)(ip6h + 1);

	if (ip6h->nexthdr != IPPROTO_ICMPV6)
		return 0;
	/* payload_len was checked against data_end, so a type within it is readable;
	 * the explicit bound is for the verifier. */
	if (bpf_ntohs(ip6h->payload_len) < 4 || (void *)(type + 1) > data_end)
		return -XG_STAT_EXC_MALFORMED;
	return *type >= XG_ND_ROUTER_SOLICIT && *type <= XG_ND_REDIRECT;
}

/* The IPv6 path, after the Ethernet header and the ingress port are checked. */
static __always_inline int xg_fwd_ipv6(struct ethhdr *eth, void *data_end, __u32 vrf, __u32 slot, __u64 bytes)
{
	struct ipv6hdr *ip6h = (struct ipv6hdr *)(eth + 1);
	const struct xg_route *rt;
	int maybe_local;
	struct xg_nexthop *nh;
	const __u8 *dmac;
	__u32 nh_id;
	int ecmp = 0;
	int err;

	err = xg_parse_ipv6(ip6h, data_end);
	if (err < 0)
		return xg_pass(slot, -err, bytes);
	if (xg_ipv6_is_multicast(&ip6h->daddr))
		return xg_pass(slot, XG_STAT_EXC_MULTICAST, bytes);
	/*
	 * Link-local addresses only mean something on their own link and a router
	 * never forwards them (RFC 4291 2.5.6): such packets are for the router
	 * itself (ND, router solicitations, OSPFv3, BGP sessions over link-local
	 * addresses) or get Linux's ICMPv6 "beyond scope of source address". Their
	 * destinations are in no FIB, so only Linux answers them correctly.
	 */
	if (xg_ipv6_is_link_local(&ip6h->daddr) || xg_ipv6_is_link_local(&ip6h->saddr))
		return xg_pass(slot, XG_STAT_EXC_LOCAL, bytes);
	/* ND keeps Linux's neighbour cache, and so xg_neigh6, up to date; a router
	 * never forwards it (its hop limit must stay 255, RFC 4861 6.1). */
	err = xg_ipv6_is_nd(ip6h, data_end);
	if (err < 0)
		return xg_pass(slot, -err, bytes);
	if (err)
		return xg_pass(slot, XG_STAT_EXC_ND, bytes);

	rt = xg_fib6_lookup(vrf, &ip6h->daddr, &maybe_local);
	if (maybe_local) {
		struct xg_local6_key lkey = { .vrf = vrf };

		__builtin_memcpy(lkey.addr, &ip6h->daddr, sizeof(lkey.addr));
		if (bpf_map_lookup_elem(&xg_local6, &lkey))
			return xg_pass(slot, XG_STAT_EXC_LOCAL, bytes);
	}
	if (!rt)
		return xg_pass(slot, XG_STAT_EXC_NO_ROUTE, bytes);
	if (rt->type != XG_RT_UNICAST)
		return xg_route_not_unicast(rt, slot, bytes);

	/* Linux sends ICMPv6 time exceeded (traceroute6, tracepath -6). */
	if (ip6h->hop_limit <= 1)
		return xg_pass(slot, XG_STAT_EXC_TTL, bytes);

	nh_id = rt->nh_id;
	if (nh_id & XG_NH_ID_GROUP) {
		struct xg_nhg *g = xg_group(nh_id);

		if (!g)
			return xg_pass(slot, XG_STAT_EXC_NOT_PORT, bytes);
		nh_id = g->buckets[xg_flow_hash6(ip6h, data_end, g->seed) & (XG_NHG_BUCKETS - 1)];
		ecmp = 1;
	}
	nh = bpf_map_lookup_elem(&xg_nh, &nh_id);
	if (!nh || !(nh->flags & XG_NH_VALID) || (nh->flags & XG_NH_VXLAN)) /* IPv6 into VXLAN: Linux's */
		return xg_pass(slot, XG_STAT_EXC_NOT_PORT, bytes);
	err = xg_resolve_dmac6(nh, nh_id, vrf, &ip6h->daddr, &dmac);
	if (err < 0)
		return xg_pass(slot, -err, bytes);

	/* Routers never fragment IPv6: Linux sends ICMPv6 packet too big (RFC 8201). */
	if (sizeof(*ip6h) + bpf_ntohs(ip6h->payload_len) > nh->mtu)
		return xg_pass(slot, XG_STAT_EXC_MTU, bytes);
	if (xg_egress_deferred(vrf, nh->ifindex)) /* tcpdump on the egress port */
		return XG_VERDICT_DEFER;

	/* IPv6 has no header checksum; the upper-layer pseudo-header omits the hop limit. */
	ip6h->hop_limit--;
	__builtin_memcpy(eth->h_dest, dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, nh->smac, ETH_ALEN);
	xg_count(slot, XG_STAT_FORWARDED, bytes);
	if (ecmp)
		xg_count(slot, XG_STAT_FORWARDED_ECMP, bytes);
	return bpf_redirect(nh->ifindex, 0);
}

#include "xg_vxlan.h" /* VXLAN decapsulation, forwarding the inner packet with xg_fwd_ipv4 */

/*
 * Reads the entry of a large table that a packet's lookup will read first, and drops the value:
 * the DIR-24 entry of an IPv4 destination, the class guide's of an IPv6 one. That access misses
 * the caches (about 200-300 ns on these machines at a million routes); issued here, it is on its
 * way while the checks that come before the lookup run, and the lookup finds the line in the
 * cache. Without such a table, or for anything but IP, it does nothing.
 */
static __always_inline void xg_fib_prefetch(__u32 vrf, void *data, void *data_end)
{
	struct ethhdr *eth = data;
	__u32 *entry = NULL;
	__u32 idx;
	void *table;

	if ((void *)(eth + 1) > data_end || vrf >= XG_VRF_INDEXED)
		return;
	/* Each lookup on its own map, so that the verifier inlines both. */
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (struct iphdr *)(eth + 1);

		if ((void *)(iph + 1) > data_end)
			return;
		table = bpf_map_lookup_elem(&xg_fib4_dirs, &vrf);
		idx = xg_fib4_dir_slash24(iph->daddr) >> 1;
		if (table) {
			entry = bpf_map_lookup_elem(table, &idx);
			xg_keep_call(entry);
		}
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = (struct ipv6hdr *)(eth + 1);

		if ((void *)(ip6h + 1) > data_end)
			return;
		table = bpf_map_lookup_elem(&xg_fib6_guides, &vrf);
		idx = xg_fib6_guide_block(&ip6h->daddr) >> 2;
		if (table)
			entry = bpf_map_lookup_elem(table, &idx);
	}
	if (entry)
		(void)*(volatile __u32 *)entry;
}

SEC("xdp")
int xg_xdp_fwd(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 bytes = data_end - data;
	__u32 vrf = xg_cfg.vrf;
	struct ethhdr *eth;
	struct xg_port *port;
	__u32 slot;
	int is_ipv4;
	int ret;

	/*
	 * ifindexes are only unique within a namespace, so ports are keyed by (vrf, ifindex).
	 * Looked up before the frame is parsed, so that every packet of a port is counted as
	 * the port's, those Linux gets for being malformed, multicast or not IP too; a packet
	 * the fast path forwards costs the one lookup it always did.
	 */
	xg_fib_prefetch(vrf, data, data_end);
	port = xg_port_of(vrf, ctx->ingress_ifindex);
	slot = port ? port->stats_slot : 0;

	eth = xg_parse_eth(data, data_end);
	if (!eth)
		return xg_pass(slot, XG_STAT_EXC_MALFORMED, bytes);
	if (xg_mac_is_group(eth->h_dest))
		return xg_pass(slot, XG_STAT_EXC_MULTICAST, bytes);
	/* ARP, VLAN tags (not supported yet), anything but IP: all Linux's. */
	is_ipv4 = eth->h_proto == bpf_htons(ETH_P_IP);
	if (!is_ipv4 && eth->h_proto != bpf_htons(ETH_P_IPV6))
		return xg_pass(slot, XG_STAT_EXC_NOT_IPV4, bytes);
	/* A port that is down still counts what it receives as its own. */
	if (!port || !(port->flags & XG_PORT_UP))
		return xg_pass(slot, XG_STAT_EXC_NOT_PORT, bytes);
	/* tcpdump on the ingress port: its taps must see the packet as it arrived. */
	if (xg_capture_active() && xg_port_captured(vrf, ctx->ingress_ifindex))
		return xg_defer_to_tc(ctx, bytes);

	if (is_ipv4 && xg_vxlan_rx(ctx, eth, data_end, vrf, slot, &ret))
		return ret;

	if (is_ipv4)
		ret = xg_fwd_ipv4(eth, data_end, vrf, slot, bytes);
	else
		ret = xg_fwd_ipv6(eth, data_end, vrf, slot, bytes);
	if (ret == XG_VERDICT_DEFER)
		return xg_defer_to_tc(ctx, bytes);
	if (ret == XG_VERDICT_ENCAP)
		return xg_vxlan_tx_push(ctx, vrf);
	return ret;
}

/*
 * Never called, never loaded (libbpf only loads .text functions that a program
 * calls). Its argument makes the compiler emit every layout of xdpgate.h into
 * the object's BTF, including enum xg_stat, which no map or global names: the
 * Java mirror is checked against exactly these types.
 */
struct xg_btf_layouts {
	struct xg_if_key if_key;
	struct xg_port port;
	struct xg_fib4_key fib4_key;
	struct xg_route route;
	struct xg_nexthop nexthop;
	struct xg_neigh4_key neigh4_key;
	struct xg_neigh neigh;
	struct xg_local4_key local4_key;
	struct xg_local local;
	struct xg_fib6_key fib6_key;
	struct xg_neigh6_key neigh6_key;
	struct xg_local6_key local6_key;
	struct xg_counter counter;
	struct xg_port_counters port_counters;
	struct xg_nhg nhg;
	struct xg_fib4_dir_pair fib4_dir_pair;
	struct xg_fib6_guide_quad fib6_guide_quad;
	struct xg_fib6_cls_key fib6_cls_key;
	struct xg_fib6_cls_value fib6_cls_value;
	struct xg_prog_cfg prog_cfg;
	enum xg_stat stat;
	struct xg_trailer trailer;
	struct xg_exc_cfg exc_cfg;
	struct xg_capture capture;
	enum xg_tc_stat tc_stat;
	struct xg_vxlan_key vxlan_key;
	struct xg_vxlan vxlan;
	struct xg_neigh_ref neigh_ref;
	struct xg_vxlan_tx vxlan_tx;
	struct xg_clock clock;
};

__attribute__((used)) int xg_btf_anchor(struct xg_btf_layouts *layouts)
{
	return 0;
}

/*
 * TC ingress of every port: forwards the packets XDP left to it because a port
 * of their path is captured (XG_CAPTURE_META in the metadata), with the very
 * code XDP forwards with. bpf_redirect here goes through dev_queue_xmit, whose
 * taps show the packet to tcpdump on the egress port; the taps of the ingress
 * port ran before TC. Everything else is Linux's, untouched: TC_ACT_UNSPEC, which with
 * TCX means "go on", so that the operator's own TC filters on the port still run.
 */
SEC("tc")
int xg_tc_port(struct __sk_buff *skb)
{
	void *meta = (void *)(long)skb->data_meta;
	void *data = (void *)(long)skb->data;
	void *data_end;
	struct ethhdr *eth;
	__u64 bytes = skb->len;
	__u32 vrf = xg_cfg.vrf;
	int ret;

	if (meta + sizeof(__u32) > data || *(__u32 *)meta != XG_CAPTURE_META)
		return TC_ACT_UNSPEC;
	/* XDP checked the Ethernet header, the protocol and the ingress port. Headers
	 * must be in the linear part for direct access (they are after XDP_PASS). */
	if (bpf_skb_pull_data(skb, skb->len < 128 ? skb->len : 128) < 0)
		return TC_ACT_UNSPEC;
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	eth = xg_parse_eth(data, data_end);
	if (!eth)
		return TC_ACT_UNSPEC;
	/* Counted on the ingress port's counters, as XDP would have. */
	struct xg_port *port = xg_port_of(vrf, skb->ingress_ifindex);
	__u32 slot = port ? port->stats_slot : 0;

	xg_set_in_tc(1);
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		ret = xg_fwd_ipv4(eth, data_end, vrf, slot, bytes);
	else
		ret = xg_fwd_ipv6(eth, data_end, vrf, slot, bytes);
	xg_set_in_tc(0);
	switch (ret) {
	case TC_ACT_REDIRECT: /* what bpf_redirect returns in TC */
		xg_tc_count(XG_TC_CAPTURE_FORWARDED, bytes);
		return TC_ACT_REDIRECT;
	case XDP_DROP:
		return TC_ACT_SHOT;
	default: /* XDP_PASS: an exception, counted as such; Linux takes it */
		return TC_ACT_UNSPEC;
	}
}
