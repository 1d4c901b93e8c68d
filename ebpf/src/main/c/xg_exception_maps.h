/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xg_exception_maps.h: the maps the special exceptions' two ends share through their
 * pins, defined once for both objects: xdp_fwd.bpf.c (through xg_special.h), which
 * sends to the exception device, and tc_exception.bpf.c, which receives there.
 * Layouts and meanings are in xdpgate.h.
 */
#ifndef XG_EXCEPTION_MAPS_H
#define XG_EXCEPTION_MAPS_H

/* Per VRF: the exception device (written by the fastpath-manager, which creates it). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XG_EXC_CFG_MAX);
	__type(key, __u32);
	__type(value, struct xg_exc_cfg);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_exc_cfg SEC(".maps");

/* The TC side's counters, by enum xg_tc_stat. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XG_TC_STAT_SLOTS);
	__type(key, __u32);
	__type(value, struct xg_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_tc_stats SEC(".maps");

static __always_inline void xg_tc_count(enum xg_tc_stat stat, __u64 bytes)
{
	__u32 key = stat;
	struct xg_counter *c = bpf_map_lookup_elem(&xg_tc_stats, &key);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

#endif /* XG_EXCEPTION_MAPS_H */
