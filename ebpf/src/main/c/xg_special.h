/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xg_special.h: what the XDP fast path needs beside forwarding to stay
 * transparent to Linux when it cannot simply XDP_PASS:
 *
 *  - special exceptions: a packet already changed by the fast path goes to
 *    Linux with a trailer through the exception device (tc_exception.bpf.c);
 *  - packet capture: while tcpdump (any packet socket of ETH_P_ALL) is bound
 *    to a port, packets through that port leave XDP unmodified and the TC
 *    program xg_tc_port forwards them with the same code, so that the socket
 *    layer's taps see them in both directions.
 *
 * Included by xdp_fwd.bpf.c after its own maps. Map layouts
 * and meanings are in xdpgate.h.
 */
#ifndef XG_SPECIAL_H
#define XG_SPECIAL_H

#include "xg_exception_maps.h" /* xg_exc_cfg, xg_tc_stats, xg_tc_count */

/* The captured ports, (vrf, ifindex). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XG_CAPTURED_MAX);
	__type(key, struct xg_if_key);
	__type(value, struct xg_capture);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_captured SEC(".maps");

/* [0]: how many entries xg_captured has; 0 means no per-packet lookup at all. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_capture_on SEC(".maps");

/*
 * [0] is 1 while xg_tc_port runs the forwarding code on this CPU (a BPF program
 * is never migrated while it runs): the egress check below must then let the
 * packet through instead of deferring it to TC a second time.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_tc_scratch SEC(".maps");

/* Not an XDP action: "forwarding found a captured egress port, give the packet to TC". */
#define XG_VERDICT_DEFER 0x100

/* True while any port is captured. An array read the verifier inlines. */
static __always_inline int xg_capture_active(void)
{
	__u32 zero = 0;
	__u32 *n = bpf_map_lookup_elem(&xg_capture_on, &zero);

	return n && *n;
}

static __always_inline int xg_port_captured(__u32 vrf, __u32 ifindex)
{
	struct xg_if_key key = { .vrf = vrf, .ifindex = ifindex };
	struct xg_capture *c = bpf_map_lookup_elem(&xg_captured, &key);

	return c && (c->flags & XG_CAPTURE_ON);
}

static __always_inline int xg_in_tc(void)
{
	__u32 zero = 0;
	__u32 *f = bpf_map_lookup_elem(&xg_tc_scratch, &zero);

	return f && *f;
}

static __always_inline void xg_set_in_tc(__u32 on)
{
	__u32 zero = 0;
	__u32 *f = bpf_map_lookup_elem(&xg_tc_scratch, &zero);

	if (f)
		*f = on;
}

/*
 * Called by the forwarding code with the chosen egress port, before it changes
 * the packet: true if XDP must leave the packet to TC (the port is captured and
 * this is XDP, not xg_tc_port).
 */
static __always_inline int xg_egress_deferred(__u32 vrf, __u32 ifindex)
{
	return xg_capture_active() && xg_port_captured(vrf, ifindex) && !xg_in_tc();
}

/*
 * Passes the unmodified packet to Linux tagged with XG_CAPTURE_META in its XDP
 * metadata: the TC program on this port forwards it after the taps saw it. A
 * driver without XDP metadata gets the packet untagged: Linux forwards it
 * (slow, correct, counted).
 */
static __always_inline int xg_defer_to_tc(struct xdp_md *ctx, __u64 bytes)
{
	void *data, *meta;

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(__u32)) < 0) {
		xg_tc_count(XG_TC_CAPTURE_NO_META, bytes);
		return XDP_PASS;
	}
	data = (void *)(long)ctx->data;
	meta = (void *)(long)ctx->data_meta;
	if (meta + sizeof(__u32) > data) {
		xg_tc_count(XG_TC_CAPTURE_NO_META, bytes);
		return XDP_PASS;
	}
	*(__u32 *)meta = XG_CAPTURE_META;
	xg_tc_count(XG_TC_CAPTURE_DEFERRED, bytes);
	return XDP_PASS;
}

/* Frames are at most this long (the verifier needs a bound on the trailer's offset). */
#define XG_FRAME_MAX 0x3fff

/*
 * A special exception: appends a struct xg_trailer (docs/exception-trailer.md)
 * naming ifindex (in this VRF's namespace), reason and mark, and redirects the
 * frame into the VRF's exception device, whose TC program reinjects it into
 * Linux as received on ifindex. The packet has been changed already, so
 * without an exception device it can only be dropped (counted).
 */
static __always_inline int xg_special_exception(struct xdp_md *ctx, __u32 vrf, __u32 ifindex, __u16 reason,
						__u32 mark)
{
	struct xg_exc_cfg *cfg = bpf_map_lookup_elem(&xg_exc_cfg, &vrf);
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 bytes = data_end - data;
	struct xg_trailer *t;
	__u32 off;

	if (!cfg || !(cfg->flags & XG_EXC_CFG_VALID)) {
		xg_tc_count(XG_TC_SPECIAL_NO_DEVICE, bytes);
		return XDP_DROP;
	}
	if (bpf_xdp_adjust_tail(ctx, XG_TRAILER_LEN) < 0) {
		xg_tc_count(XG_TC_SPECIAL_NO_DEVICE, bytes);
		return XDP_DROP;
	}
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	off = (__u32)(data_end - data) - XG_TRAILER_LEN;
	t = data + (off & XG_FRAME_MAX);
	if ((void *)(t + 1) > data_end || off > XG_FRAME_MAX) {
		xg_tc_count(XG_TC_SPECIAL_NO_DEVICE, bytes);
		return XDP_DROP;
	}
	t->magic = bpf_htonl(XG_TRAILER_MAGIC);
	t->version = XG_TRAILER_VERSION;
	t->type = XG_TRAILER_RECEIVE;
	t->reason = bpf_htons(reason);
	t->ifindex = bpf_htonl(ifindex);
	t->mark = bpf_htonl(mark);
	xg_tc_count(XG_TC_SPECIAL_SENT, bytes);
	return bpf_redirect(cfg->ifindex, 0);
}

#endif /* XG_SPECIAL_H */
