/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xg_vxlan_tx.h: VXLAN encapsulation in the XDP fast path (see xg_vxlan_tx in xdpgate.h).
 *
 * Two steps, because growing the frame needs the xdp_md that the forwarding code does not
 * hold: xg_fwd_ipv4 calls xg_vxlan_tx_prepare for a nexthop whose egress is a VXLAN device,
 * which decides everything before the packet is changed (so that an exception is still an
 * unmodified XDP_PASS); xg_fwd_ipv4 then rewrites the inner header and returns
 * XG_VERDICT_ENCAP, and the entry point calls xg_vxlan_tx_push to put the outer header on.
 * Included by xdp_fwd.bpf.c before xg_fwd_ipv4.
 */
#ifndef XG_VXLAN_TX_H
#define XG_VXLAN_TX_H

#include <linux/udp.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XG_VXLAN_TX_MAX);
	__type(key, struct xg_if_key);
	__type(value, struct xg_vxlan_tx);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_vxlan_tx SEC(".maps");

/*
 * [0]: what xg_vxlan_tx_prepare hands to xg_vxlan_tx_push on this CPU (a program is never
 * migrated while it runs): the VXLAN device's ifindex in the low 32 bits, the UDP source
 * port (host order) in the next 16.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_vxlan_push SEC(".maps");

/* Not an XDP action: "the inner packet is rewritten, push the outer header" (see XG_VERDICT_DEFER). */
#define XG_VERDICT_ENCAP 0x200

/*
 * For a nexthop with XG_NH_VXLAN, before anything is changed: returns XG_VERDICT_ENCAP when the
 * fast path can encapsulate (the source port is set aside for xg_vxlan_tx_push), or the verdict
 * of an exception (XDP_PASS, counted).
 */
static __always_inline int xg_vxlan_tx_prepare(struct iphdr *iph, void *data_end, struct xg_nexthop *nh,
					       __u32 vrf, __u32 slot, __u64 bytes)
{
	struct xg_if_key key = { .vrf = vrf, .ifindex = nh->ifindex };
	struct xg_vxlan_tx *tx = bpf_map_lookup_elem(&xg_vxlan_tx, &key);
	__u32 zero = 0;
	__u64 *pending;
	__u32 h;
	__u16 sport;

	/* No remote, no underlay route or neighbour yet: Linux encapsulates (and resolves). */
	if (!tx || !(tx->flags & XG_VXLAN_TX_VALID)) {
		xg_tc_count(XG_TC_VXLAN_ENCAP_TO_LINUX, bytes);
		return xg_pass(slot, XG_STAT_EXC_NO_NEIGH, bytes);
	}
	/* The TC program forwards packets of a captured ingress port and cannot grow them the XDP
	 * way; a captured underlay port must see the outer packet in its taps: Linux does both. */
	if (xg_in_tc() || (xg_capture_active() && xg_port_captured(vrf, tx->egress))) {
		xg_tc_count(XG_TC_VXLAN_ENCAP_TO_LINUX, bytes);
		return xg_pass(slot, XG_STAT_EXC_NOT_PORT, bytes);
	}
	/* Linux fragments the outer packet or answers "fragmentation needed" for the inner one. */
	if ((__u32)bpf_ntohs(iph->tot_len) + XG_VXLAN_ENCAP_LEN > tx->mtu) {
		xg_tc_count(XG_TC_VXLAN_ENCAP_MTU, bytes);
		return xg_pass(slot, XG_STAT_EXC_MTU, bytes);
	}
	pending = bpf_map_lookup_elem(&xg_vxlan_push, &zero);
	if (!pending) {
		xg_tc_count(XG_TC_VXLAN_ENCAP_TO_LINUX, bytes);
		return xg_pass(slot, XG_STAT_EXC_NOT_PORT, bytes);
	}
	/* As Linux's udp_flow_src_port: the flow hash spread over the port range, so that the
	 * underlay's ECMP and RSS tell the overlay's flows apart. */
	h = xg_flow_hash4(iph, data_end, 0);
	h ^= h << 16;
	sport = tx->port_min + (__u16)(((__u64)h * (__u32)(__u16)(tx->port_max - tx->port_min)) >> 32);
	*pending = (__u64)nh->ifindex | ((__u64)sport << 32);
	return XG_VERDICT_ENCAP;
}

/*
 * After xg_fwd_ipv4 returned XG_VERDICT_ENCAP (the inner frame is rewritten) with the VXLAN
 * device's VRF: puts the device's outer header in front, completes its lengths, checksum and
 * source port, and sends it on the underlay port.
 */
static __always_inline int xg_vxlan_tx_push(struct xdp_md *ctx, __u32 vrf)
{
	struct xg_if_key key = { .vrf = vrf };
	struct xg_vxlan_tx *tx;
	struct iphdr *iph;
	struct udphdr *udp;
	void *data, *data_end;
	__u64 *pending;
	__u32 zero = 0;
	__u32 len, sum;

	pending = bpf_map_lookup_elem(&xg_vxlan_push, &zero);
	if (!pending)
		goto failed;
	key.ifindex = (__u32)*pending;
	tx = bpf_map_lookup_elem(&xg_vxlan_tx, &key);
	/* Removed since prepare looked (a manager update in between): the inner frame is changed already. */
	if (!tx || !(tx->flags & XG_VXLAN_TX_VALID))
		goto failed;
	if (bpf_xdp_adjust_head(ctx, -(int)XG_VXLAN_ENCAP_LEN) < 0)
		goto failed;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + XG_VXLAN_ENCAP_LEN > data_end)
		goto failed;
	__builtin_memcpy(data, tx->hdr, XG_VXLAN_ENCAP_LEN);

	len = (__u32)(data_end - data) - sizeof(struct ethhdr);
	iph = data + sizeof(struct ethhdr);
	udp = (struct udphdr *)(iph + 1);
	iph->tot_len = bpf_htons(len);
	sum = tx->csum + (len & 0xffff);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	iph->check = bpf_htons((__u16)~sum);
	udp->source = bpf_htons((__u16)(*pending >> 32));
	udp->len = bpf_htons(len - sizeof(struct iphdr));
	udp->check = 0;
	xg_tc_count(XG_TC_VXLAN_ENCAPSULATED, len + sizeof(struct ethhdr));
	return bpf_redirect(tx->egress, 0);

failed:
	xg_tc_count(XG_TC_VXLAN_ENCAP_FAILED, 0);
	return XDP_DROP;
}

#endif /* XG_VXLAN_TX_H */
