// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_fwd.bpf.c: the IPv4 XDP fast path of xdpgate.
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
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xdpgate.h"

char LICENSE[] SEC("license") = "GPL";

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

/* Per-CPU: each CPU owns its slot, so plain (non-atomic) increments are exact. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XG_STAT_MAX);
	__type(key, __u32);
	__type(value, struct xg_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_stats SEC(".maps");

static __always_inline void xg_count(enum xg_stat stat, __u64 bytes)
{
	__u32 key = stat;
	struct xg_counter *c = bpf_map_lookup_elem(&xg_stats, &key);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

/* An exception: Linux gets the packet exactly as it arrived. */
static __always_inline int xg_pass(enum xg_stat stat, __u64 bytes)
{
	xg_count(stat, bytes);
	return XDP_PASS;
}

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

/*
 * Looks up the destination MAC for a nexthop and marks the entry that was used.
 * Returns 0 with *dmac set, or -XG_STAT_EXC_NO_NEIGH: Linux then resolves the
 * neighbour (ARP), the result is synchronized, later packets stay fast.
 */
static __always_inline int xg_resolve_dmac(struct xg_nexthop *nh, __u32 vrf, __be32 daddr,
					   const __u8 **dmac)
{
	if (nh->flags & XG_NH_CONNECTED) {
		struct xg_neigh4_key nkey = { .vrf = vrf, .ifindex = nh->ifindex, .addr = daddr };
		struct xg_neigh *n = bpf_map_lookup_elem(&xg_neigh4, &nkey);

		if (!n || !xg_mac_is_unicast(n->mac))
			return -XG_STAT_EXC_NO_NEIGH;
		/* Write only when clear: avoids dirtying a shared cache line per packet. */
		if (!n->hit)
			n->hit = 1;
		*dmac = n->mac;
		return 0;
	}
	if (!(nh->flags & XG_NH_RESOLVED) || !xg_mac_is_unicast(nh->dmac))
		return -XG_STAT_EXC_NO_NEIGH;
	if (!nh->hit)
		nh->hit = 1;
	*dmac = nh->dmac;
	return 0;
}

SEC("xdp")
int xg_xdp_fwd(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 bytes = data_end - data;
	__u32 vrf = xg_cfg.vrf;
	struct ethhdr *eth;
	struct iphdr *iph;
	struct xg_port *port;
	struct xg_route *rt;
	struct xg_nexthop *nh;
	const __u8 *dmac;
	__u32 nh_id;
	int err;

	eth = xg_parse_eth(data, data_end);
	if (!eth)
		return xg_pass(XG_STAT_EXC_MALFORMED, bytes);
	if (xg_mac_is_group(eth->h_dest))
		return xg_pass(XG_STAT_EXC_MULTICAST, bytes);
	/* ARP, IPv6, VLAN tags (not supported yet): all Linux's. */
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return xg_pass(XG_STAT_EXC_NOT_IPV4, bytes);

	/* ifindexes are only unique within a namespace, so ports are keyed by (vrf, ifindex). */
	struct xg_if_key pkey = { .vrf = vrf, .ifindex = ctx->ingress_ifindex };
	port = bpf_map_lookup_elem(&xg_ports, &pkey);
	if (!port || !(port->flags & XG_PORT_UP))
		return xg_pass(XG_STAT_EXC_NOT_PORT, bytes);

	iph = (struct iphdr *)(eth + 1);
	err = xg_parse_ipv4(iph, data_end);
	if (err < 0)
		return xg_pass(-err, bytes);
	if (xg_ipv4_is_group(iph->daddr))
		return xg_pass(XG_STAT_EXC_MULTICAST, bytes);

	struct xg_local4_key lkey = { .vrf = vrf, .addr = iph->daddr };
	if (bpf_map_lookup_elem(&xg_local4, &lkey))
		return xg_pass(XG_STAT_EXC_LOCAL, bytes);

	/* The VRF is the first 32 bits of the LPM key, so prefixlen = 32 + route length. */
	struct xg_fib4_key fkey = { .prefixlen = 64, .vrf = bpf_htonl(vrf), .addr = iph->daddr };
	rt = bpf_map_lookup_elem(&xg_fib4, &fkey);
	if (!rt)
		return xg_pass(XG_STAT_EXC_NO_ROUTE, bytes);
	switch (rt->type) {
	case XG_RT_UNICAST:
		break;
	case XG_RT_LOCAL:
		return xg_pass(XG_STAT_EXC_LOCAL, bytes);
	case XG_RT_BLACKHOLE:
		xg_count(XG_STAT_DROP_BLACKHOLE, bytes);
		return XDP_DROP;
	default: /* unreachable, prohibit, anything newer: Linux sends the ICMP error */
		return xg_pass(XG_STAT_EXC_ROUTE_TYPE, bytes);
	}

	/* Linux, not the fast path, must see an expiring packet: it sends ICMP time
	 * exceeded, so traceroute and tracepath show this hop. */
	if (iph->ttl <= 1)
		return xg_pass(XG_STAT_EXC_TTL, bytes);

	nh_id = rt->nh_id;
	nh = bpf_map_lookup_elem(&xg_nh, &nh_id);
	if (!nh || !(nh->flags & XG_NH_VALID))
		return xg_pass(XG_STAT_EXC_NOT_PORT, bytes);
	err = xg_resolve_dmac(nh, vrf, iph->daddr, &dmac);
	if (err < 0)
		return xg_pass(-err, bytes);

	/* Linux fragments the packet, or sends "fragmentation needed" if DF is set. */
	if (bpf_ntohs(iph->tot_len) > nh->mtu)
		return xg_pass(XG_STAT_EXC_MTU, bytes);

	xg_ipv4_decrement_ttl(iph);
	__builtin_memcpy(eth->h_dest, dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, nh->smac, ETH_ALEN);
	xg_count(XG_STAT_FORWARDED, bytes);
	/* Without BPF_F_INGRESS: transmit on nh->ifindex (in this namespace). */
	return bpf_redirect(nh->ifindex, 0);
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
	struct xg_counter counter;
	struct xg_prog_cfg prog_cfg;
	enum xg_stat stat;
};

__attribute__((used)) int xg_btf_anchor(struct xg_btf_layouts *layouts)
{
	return 0;
}
