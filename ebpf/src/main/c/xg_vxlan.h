/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xg_vxlan.h: VXLAN decapsulation in the XDP fast path (see xg_vxlan in xdpgate.h).
 * Included by xdp_fwd.bpf.c after xg_fwd_ipv4, which forwards the inner packet exactly
 * as it forwards a packet received on a port.
 */
#ifndef XG_VXLAN_H
#define XG_VXLAN_H

#include <linux/udp.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XG_VXLAN_MAX);
	__type(key, struct xg_vxlan_key);
	__type(value, struct xg_vxlan);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_vxlan SEC(".maps");

struct xg_vxlanhdr {
	__u8   flags;
	__u8   reserved1[3];
	__be32 vni_reserved; /* VNI in the upper 24 bits */
};

/* BPF has no memcmp: six bytes compared one by one. */
static __always_inline int xg_mac_equal(const __u8 *a, const __u8 *b)
{
	return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]) | (a[4] ^ b[4]) | (a[5] ^ b[5])) == 0;
}

/* Outer Ethernet, IPv4 without options, UDP and VXLAN: what bpf_xdp_adjust_head removes. */
#define XG_VXLAN_OUTER_LEN (sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct udphdr) + \
			    sizeof(struct xg_vxlanhdr))

/*
 * Returns 0 if the packet is no VXLAN packet the fast path decapsulates (go on as usual), or 1
 * with *verdict set. A constant "handled" rather than a special verdict value: after the packet
 * has been resized the caller must never fall through to code holding the old packet pointers,
 * and the verifier can only see that from a constant.
 */
static __always_inline int xg_vxlan_rx(struct xdp_md *ctx, struct ethhdr *eth, void *data_end, __u32 vrf,
				       __u32 slot, int *verdict)
{
	struct iphdr *iph = (struct iphdr *)(eth + 1);
	struct udphdr *udp = (struct udphdr *)(iph + 1);
	struct xg_vxlanhdr *vxh = (struct xg_vxlanhdr *)(udp + 1);
	struct ethhdr *inner = (struct ethhdr *)(vxh + 1);
	struct xg_vxlan_key key = { .vrf = vrf };
	struct xg_vxlan *vx;
	__u64 bytes;
	__u32 ifindex;
	int ret;

	if ((void *)(inner + 1) > data_end)
		return 0;
	if (iph->version != 4 || iph->ihl != 5 || iph->protocol != IPPROTO_UDP ||
	    (iph->frag_off & bpf_htons(0x3fff)) || vxh->flags != XG_VXLAN_FLAG_VNI)
		return 0;
	key.vni = bpf_ntohl(vxh->vni_reserved) >> 8;
	vx = bpf_map_lookup_elem(&xg_vxlan, &key);
	if (!vx || !(vx->flags & XG_VXLAN_VALID) || vx->local != iph->daddr || vx->port != udp->dest)
		return 0;
	/* Only routed IPv4 is finished here; ARP and bridged frames are the vxlan driver's. */
	if (inner->h_proto != bpf_htons(ETH_P_IP) || !xg_mac_equal(inner->h_dest, vx->mac))
		return 0;
	/* The outer checksum and length are not checked: the endpoint is this router, as for the driver. */

	bytes = data_end - (void *)inner;
	ifindex = vx->ifindex;
	vrf = vx->vrf;
	/* The inner packet, in the VRF of the VXLAN device, counted on the port it came in by.
	 * Exceptions leave it unmodified. */
	ret = xg_fwd_ipv4(inner, data_end, vrf, slot, bytes);
	if (ret == XDP_DROP) {
		*verdict = XDP_DROP;
		return 1;
	}
	if (bpf_xdp_adjust_head(ctx, (int)XG_VXLAN_OUTER_LEN) < 0) {
		*verdict = XDP_DROP; /* cannot happen: the frame holds the outer headers */
		return 1;
	}
	if (ret == XG_VERDICT_ENCAP) {
		/* Routed into another VXLAN device: the stripped frame gets that device's outer header. */
		xg_tc_count(XG_TC_VXLAN_FORWARDED, bytes);
		*verdict = xg_vxlan_tx_push(ctx, vrf);
		return 1;
	}
	if (ret == XDP_REDIRECT) {
		xg_tc_count(XG_TC_VXLAN_FORWARDED, bytes);
		*verdict = XDP_REDIRECT; /* bpf_redirect was called by xg_fwd_ipv4 */
		return 1;
	}
	/* XDP_PASS (counted by reason) or a captured egress port: Linux takes the inner packet as
	 * received on the VXLAN device. */
	xg_tc_count(XG_TC_VXLAN_EXCEPTION, bytes);
	*verdict = xg_special_exception(ctx, vrf, ifindex, 0, 0);
	return 1;
}

#endif /* XG_VXLAN_H */
