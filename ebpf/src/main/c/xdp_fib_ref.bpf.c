// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_fib_ref.bpf.c: the yardstick of `xdpgate bench forward`, never attached
 * by the daemons.
 *
 * xg_ref_fib is the simplest honest XDP forwarder that Linux itself allows: it
 * asks the kernel's own FIB and neighbour table with bpf_fib_lookup (as the
 * kernel's samples/bpf/xdp_fwd_kern.c and xdp-tools' xdp-forward do) instead of
 * maps of its own. The fast path must beat its per-packet cost; both run on the
 * same routes, the kernel holding them here and the fast path's maps there.
 *
 * xg_ref_pass (returns XDP_PASS) measures what a test run costs around any
 * program; xg_ref_drop (returns XDP_DROP) is the benchmark's traffic sink;
 * xg_ref_relay redirects each frame to the interface xg_ref_relay_to names for
 * its ingress, so that the router's port receives XDP frames as from a NIC's
 * receive ring, not socket buffers (see ForwardLab).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

/* xg_ref_relay's routes: ingress ifindex -> egress ifindex, one namespace's. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u32);
} xg_ref_relay_to SEC(".maps");

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

/* The same RFC 1624 incremental update as the fast path's (and xdp_fwd_kern.c's ip_decrease_ttl). */
static __always_inline void ref_decrement_ttl(struct iphdr *iph)
{
	__u32 check = iph->check;

	check += bpf_htons(0x0100);
	iph->check = (__u16)(check + (check >= 0xFFFF));
	iph->ttl--;
}

/*
 * What bpf_fib_lookup's answer means for the packet. Only SUCCESS carries a
 * usable egress ifindex and both MACs. BLACKHOLE is a drop the kernel would
 * make too. UNREACHABLE and PROHIBIT owe the sender an ICMP error, NO_NEIGH
 * needs ARP/ND, FRAG_NEEDED needs fragmentation or "packet too big",
 * NOT_FWDED is a local or non-unicast destination, FWD_DISABLED an ingress
 * without forwarding: all of them are Linux's to handle (XDP_PASS).
 */
static __always_inline int ref_verdict(struct bpf_fib_lookup *p, int rc, struct ethhdr *eth)
{
	if (rc == BPF_FIB_LKUP_RET_BLACKHOLE)
		return XDP_DROP;
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return XDP_PASS;
	__builtin_memcpy(eth->h_dest, p->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, p->smac, ETH_ALEN);
	return bpf_redirect(p->ifindex, 0);
}

static __always_inline int ref_ipv4(struct xdp_md *ctx, struct ethhdr *eth, void *data_end)
{
	struct iphdr *iph = (struct iphdr *)(eth + 1);
	struct bpf_fib_lookup p = {};
	int rc;

	if ((void *)(iph + 1) > data_end || iph->ihl != 5)
		return XDP_PASS;
	/* bpf_fib_lookup does not look at the TTL: Linux sends time exceeded. */
	if (iph->ttl <= 1)
		return XDP_PASS;
	p.family = AF_INET;
	p.tos = iph->tos;
	p.l4_protocol = iph->protocol;
	p.tot_len = bpf_ntohs(iph->tot_len); /* checked against the egress MTU */
	p.ipv4_src = iph->saddr;
	p.ipv4_dst = iph->daddr;
	p.ifindex = ctx->ingress_ifindex; /* its namespace and table are the lookup's */
	rc = bpf_fib_lookup(ctx, &p, sizeof(p), 0);
	if (rc == BPF_FIB_LKUP_RET_SUCCESS)
		ref_decrement_ttl(iph);
	return ref_verdict(&p, rc, eth);
}

static __always_inline int ref_ipv6(struct xdp_md *ctx, struct ethhdr *eth, void *data_end)
{
	struct ipv6hdr *ip6h = (struct ipv6hdr *)(eth + 1);
	struct bpf_fib_lookup p = {};
	int rc;

	if ((void *)(ip6h + 1) > data_end)
		return XDP_PASS;
	if (ip6h->hop_limit <= 1)
		return XDP_PASS;
	p.family = AF_INET6;
	p.flowinfo = *(__be32 *)ip6h & bpf_htonl(0x0fffffff); /* traffic class and flow label */
	p.l4_protocol = ip6h->nexthdr;
	p.tot_len = bpf_ntohs(ip6h->payload_len) + sizeof(*ip6h);
	__builtin_memcpy(p.ipv6_src, &ip6h->saddr, sizeof(p.ipv6_src));
	__builtin_memcpy(p.ipv6_dst, &ip6h->daddr, sizeof(p.ipv6_dst));
	p.ifindex = ctx->ingress_ifindex;
	rc = bpf_fib_lookup(ctx, &p, sizeof(p), 0);
	if (rc == BPF_FIB_LKUP_RET_SUCCESS)
		ip6h->hop_limit--;
	return ref_verdict(&p, rc, eth);
}

SEC("xdp")
int xg_ref_fib(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		return ref_ipv4(ctx, eth, data_end);
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return ref_ipv6(ctx, eth, data_end);
	return XDP_PASS;
}

SEC("xdp")
int xg_ref_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int xg_ref_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp")
int xg_ref_relay(struct xdp_md *ctx)
{
	__u32 in = ctx->ingress_ifindex;
	__u32 *out = bpf_map_lookup_elem(&xg_ref_relay_to, &in);

	return out ? bpf_redirect(*out, 0) : XDP_DROP;
}
