// SPDX-License-Identifier: GPL-2.0
/*
 * special_exception_fixture.bpf.c (tests only): an XDP program that sends every
 * frame as a special exception through xg_special_exception() of xg_special.h,
 * to the target, reason and mark in its .rodata. Until a shipped program emits
 * special exceptions (VXLAN decapsulation), this is how the helper is verified,
 * run under BPF_PROG_TEST_RUN and sent live into an exception device.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xdpgate.h"

char LICENSE[] SEC("license") = "GPL";

struct xg_fixture_cfg {
	__u32 vrf;
	__u32 ifindex;
	__u32 reason;
	__u32 mark;
};

const volatile struct xg_fixture_cfg xg_fixture = {};

#include "xg_special.h"

SEC("xdp")
int xg_fixture_special(struct xdp_md *ctx)
{
	return xg_special_exception(ctx, xg_fixture.vrf, xg_fixture.ifindex, (__u16)xg_fixture.reason,
				    xg_fixture.mark);
}
