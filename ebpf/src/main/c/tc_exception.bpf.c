// SPDX-License-Identifier: GPL-2.0
/*
 * tc_exception.bpf.c: the receiving end of special exceptions.
 *
 * Attached (TCX ingress) to the exception device xg-exc of a namespace. The fast
 * path sends a packet it has already changed into xg-exc-p with a struct
 * xg_trailer at its end (xdpgate.h, docs/exception-trailer.md); this program
 * checks the trailer, strips it, restores the mark and reinjects the packet with
 * bpf_redirect(ifindex, BPF_F_INGRESS), so that Linux sees it arrive on the
 * target interface (a VXLAN device, a port) as if nothing had happened before.
 *
 * Anything else arriving here is dropped and counted by reason in xg_tc_stats:
 * the exception device is no interface for traffic, and a frame with a bad
 * trailer must never reach Linux with garbage at its end.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xdpgate.h"

char LICENSE[] SEC("license") = "GPL";

/* As in xdp_fwd.bpf.c: the VRF of the namespace this instance serves, set before load. */
const volatile struct xg_prog_cfg xg_cfg = {};

#include "xg_exception_maps.h" /* shared with xdp_fwd.bpf.c through their pins */

static __always_inline int xg_tc_drop(enum xg_tc_stat stat, __u64 bytes)
{
	xg_tc_count(stat, bytes);
	return TC_ACT_SHOT;
}

/*
 * The target must be another interface of this namespace: never 0, never the
 * exception device (a loop), never its peer (the packet would come back here).
 * An ifindex that names no device makes the kernel drop the redirect.
 */
static __always_inline int xg_target_is_sane(__u32 ifindex, __u32 self)
{
	struct xg_exc_cfg *cfg;
	__u32 vrf = xg_cfg.vrf;

	if (ifindex == 0 || ifindex == self || ifindex > 0x7fffffff)
		return 0;
	cfg = bpf_map_lookup_elem(&xg_exc_cfg, &vrf);
	if (cfg && cfg->ifindex == ifindex)
		return 0;
	return 1;
}

SEC("tc")
int xg_tc_exception(struct __sk_buff *skb)
{
	struct xg_trailer t;
	__u64 bytes = skb->len;
	__u32 ifindex;
	__u32 off;

	/* An Ethernet header must remain once the trailer is gone. */
	if (skb->len < ETH_HLEN + sizeof(t))
		return xg_tc_drop(XG_TC_TRAILER_SHORT, bytes);
	off = skb->len - sizeof(t);
	/* bpf_skb_load_bytes reads paged data too: the trailer may sit in a fragment. */
	if (bpf_skb_load_bytes(skb, off, &t, sizeof(t)) < 0)
		return xg_tc_drop(XG_TC_TRAILER_SHORT, bytes);
	if (t.magic != bpf_htonl(XG_TRAILER_MAGIC))
		return xg_tc_drop(XG_TC_TRAILER_MAGIC, bytes);
	if (t.version != XG_TRAILER_VERSION)
		return xg_tc_drop(XG_TC_TRAILER_VERSION, bytes);
	if (t.type != XG_TRAILER_RECEIVE)
		return xg_tc_drop(XG_TC_TRAILER_TYPE, bytes);
	ifindex = bpf_ntohl(t.ifindex);
	if (!xg_target_is_sane(ifindex, skb->ifindex))
		return xg_tc_drop(XG_TC_TRAILER_IFINDEX, bytes);

	if (bpf_skb_change_tail(skb, off, 0) < 0)
		return xg_tc_drop(XG_TC_TRAILER_STRIP, bytes);
	skb->mark = bpf_ntohl(t.mark);
	xg_tc_count(XG_TC_TRAILER_REINJECTED, off);
	/* Into the target's receive path: as if its driver had received the packet. */
	return bpf_redirect(ifindex, BPF_F_INGRESS);
}

/* Emits enum xg_tc_stat and struct xg_trailer into the BTF, as xg_btf_anchor does in xdp_fwd.bpf.c. */
struct xg_tc_btf_layouts {
	struct xg_trailer trailer;
	struct xg_exc_cfg exc_cfg;
	enum xg_tc_stat stat;
};

__attribute__((used)) int xg_tc_btf_anchor(struct xg_tc_btf_layouts *layouts)
{
	return 0;
}
