// Lookup cost of FIB layouts at N IPv4 routes (default 1M, Internet-like prefix lengths, all
// /24 or shorter): the BPF LPM trie, a DIR-24-8 first level (an mmap'ed BPF array of 2^24
// entries written by user space), and the kernel FIB through bpf_fib_lookup, each on random
// destinations drawn from the table. Run it with fib_layout_cost.sh, which prepares the
// namespace xgfib (the kernel FIB's routes go there) and removes it afterwards.
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>

static uint64_t rng = 88172645463325252ULL;
static uint64_t next(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

static const int LEN[][2] = {{24,600},{23,100},{22,120},{21,45},{20,40},{19,25},{18,14},{17,8},{16,14},{15,3},{14,3},{13,2},{12,1},{11,1},{10,1},{9,1},{8,1}};

struct pfx { uint32_t addr; uint8_t len; };
static int cmp_len(const void *a, const void *b) { return ((const struct pfx *)a)->len - ((const struct pfx *)b)->len; }

int main(int argc, char **argv)
{
	if (argc < 3) { fprintf(stderr, "usage: %s OBJECT.bpf.o WORKDIR [ROUTES]\n", argv[0]); return 2; }
	const char *object = argv[1];
	char batch[512], command[600];
	snprintf(batch, sizeof batch, "%s/routes.batch", argv[2]);
	snprintf(command, sizeof command, "ip -n xgfib -batch %s", batch);
	int n = argc > 3 ? atoi(argv[3]) : 1000000;
	int total = 0; for (unsigned i = 0; i < sizeof LEN / sizeof LEN[0]; i++) total += LEN[i][1];
	struct pfx *t = calloc(n, sizeof *t);
	// distinct prefixes via a simple open hash set
	size_t cap = 1; while (cap < (size_t)n * 2) cap <<= 1;
	uint64_t *set = calloc(cap, 8);
	int k = 0;
	while (k < n) {
		int r = next() % total, len = 24;
		for (unsigned i = 0; i < sizeof LEN / sizeof LEN[0]; i++) { if (r < LEN[i][1]) { len = LEN[i][0]; break; } r -= LEN[i][1]; }
		uint32_t first = 1 + next() % 223; if (first == 10 || first == 127) continue;
		uint32_t a = (first << 24) | (next() & 0xffffff);
		a &= (uint32_t)(0xffffffffULL << (32 - len));
		uint64_t key = ((uint64_t)a << 8 | len) + 1, h = key * 0x9E3779B97F4A7C15ULL;
		size_t i = h & (cap - 1); int dup = 0;
		while (set[i]) { if (set[i] == key) { dup = 1; break; } i = (i + 1) & (cap - 1); }
		if (dup) continue;
		set[i] = key; t[k].addr = a; t[k].len = len; k++;
	}
	FILE *f = fopen(batch, "w");
	for (int i = 0; i < n; i++) fprintf(f, "route add %u.%u.%u.%u/%u via 10.250.0.2\n", t[i].addr >> 24, (t[i].addr >> 16) & 255, (t[i].addr >> 8) & 255, t[i].addr & 255, t[i].len);
	fclose(f);
	double t0 = now();
	if (system(command)) { fprintf(stderr, "ip -batch failed\n"); return 1; }
	printf("kernel installed %d routes in %.2f s\n", n, now() - t0);

	int nsfd = open("/run/netns/xgfib", O_RDONLY);
	if (nsfd < 0 || setns(nsfd, CLONE_NEWNET)) { perror("setns"); return 1; }
	int ifindex = if_nametoindex("xgfib-a");

	struct bpf_object *obj = bpf_object__open_file(object, NULL);
	if (!obj || bpf_object__load(obj)) { fprintf(stderr, "load failed\n"); return 1; }
	int dests = bpf_object__find_map_fd_by_name(obj, "dests");
	int lpm = bpf_object__find_map_fd_by_name(obj, "lpm");
	int tbl24 = bpf_object__find_map_fd_by_name(obj, "tbl24");
	for (uint32_t i = 0; i < 65536; i++) {
		struct pfx *p = &t[next() % n];
		uint32_t host = p->len == 32 ? 0 : (uint32_t)(next() & ((1ULL << (32 - p->len)) - 1));
		uint32_t d = htonl(p->addr | host);
		bpf_map_update_elem(dests, &i, &d, 0);
	}
	t0 = now();
	for (int i = 0; i < n; i++) {
		struct { uint32_t prefixlen, vrf, addr; } key = { 32 + t[i].len, 0, htonl(t[i].addr) };
		uint64_t v = i + 1;
		if (bpf_map_update_elem(lpm, &key, &v, 0)) { perror("lpm update"); return 1; }
	}
	double lpm_s = now() - t0;
	uint32_t *dir = mmap(NULL, 4UL << 24, PROT_READ | PROT_WRITE, MAP_SHARED, tbl24, 0);
	if (dir == MAP_FAILED) { perror("mmap"); return 1; }
	qsort(t, n, sizeof *t, cmp_len);
	t0 = now();
	long writes = 0;
	for (int i = 0; i < n; i++) {
		uint32_t from = t[i].addr >> 8, count = 1u << (24 - t[i].len);
		for (uint32_t j = 0; j < count; j++) dir[from + j] = i + 1;
		writes += count;
	}
	double dir_s = now() - t0;
	printf("LPM trie: %d inserts in %.2f s (%.2f us each); DIR-24-8: built in %.3f s (%ld entry writes, %.1f per route)\n",
	       n, lpm_s, lpm_s * 1e6 / n, dir_s, writes, (double)writes / n);

	const char *progs[] = {"xdp_base", "xdp_lpm", "xdp_dir", "xdp_fib"};
	unsigned char pkt[64] = {0};
	for (int round = 0; round < 3; round++) {
		printf("round %d:", round);
		for (int p = 0; p < 4; p++) {
			int fd = bpf_program__fd(bpf_object__find_program_by_name(obj, progs[p]));
			struct xdp_md ctx = { .data = 0, .data_end = sizeof pkt, .ingress_ifindex = ifindex };
			LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof pkt, .repeat = 2000000,
				    .ctx_in = &ctx, .ctx_size_in = sizeof ctx);
			if (bpf_prog_test_run_opts(fd, &o)) { perror(progs[p]); return 1; }
			printf("  %s %u ns", progs[p], o.duration);
		}
		printf("\n");
	}
	return 0;
}
