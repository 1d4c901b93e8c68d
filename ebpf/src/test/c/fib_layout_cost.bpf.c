// Lookup cost of FIB layouts, through BPF_PROG_TEST_RUN: each run draws a random destination
// from a sample of the table and looks it up. base: the draw only.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define NDEST 65536
#define TBL24 (1 << 24)

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, NDEST); __type(key, __u32); __type(value, __u32); } dests SEC(".maps");

struct lpm_key { __u32 prefixlen; __u32 vrf; __u32 addr; };
struct { __uint(type, BPF_MAP_TYPE_LPM_TRIE); __uint(max_entries, 2000000); __type(key, struct lpm_key); __type(value, __u64);
	__uint(map_flags, BPF_F_NO_PREALLOC); } lpm SEC(".maps");

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, TBL24); __type(key, __u32); __type(value, __u32);
	__uint(map_flags, BPF_F_MMAPABLE); } tbl24 SEC(".maps");

volatile __u64 sink;

static __always_inline __u32 draw(void)
{
	__u32 i = bpf_get_prandom_u32() & (NDEST - 1);
	__u32 *d = bpf_map_lookup_elem(&dests, &i);
	return d ? *d : 0;
}

SEC("xdp") int xdp_base(struct xdp_md *ctx)
{
	sink += draw();
	return XDP_DROP;
}

SEC("xdp") int xdp_lpm(struct xdp_md *ctx)
{
	struct lpm_key k = { .prefixlen = 64, .vrf = 0, .addr = draw() };
	__u64 *v = bpf_map_lookup_elem(&lpm, &k);
	sink += v ? *v : 0;
	return XDP_DROP;
}

SEC("xdp") int xdp_dir(struct xdp_md *ctx)
{
	__u32 idx = bpf_ntohl(draw()) >> 8;
	__u32 *v = bpf_map_lookup_elem(&tbl24, &idx);
	sink += v ? *v : 0;
	return XDP_DROP;
}

SEC("xdp") int xdp_fib(struct xdp_md *ctx)
{
	struct bpf_fib_lookup p = {};
	p.family = 2; /* AF_INET */
	p.ipv4_dst = draw();
	p.ipv4_src = bpf_htonl(0x0afa0002);
	p.ifindex = ctx->ingress_ifindex;
	p.tot_len = 64;
	long rc = bpf_fib_lookup(ctx, &p, sizeof(p), 0);
	sink += rc + p.ifindex;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
