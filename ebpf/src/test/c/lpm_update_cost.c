// SPDX-License-Identifier: GPL-2.0
/*
 * lpm_update_cost.c: the kernel's own cost of writing an IPv4 LPM trie shaped like
 * xg_fib4 (12-byte key, 8-byte value, BPF_F_NO_PREALLOC), without Java or JNA:
 * the floor under RouteUpdateCostTest's figures. Not part of the build.
 *
 *   gcc -O2 -o /tmp/lpm_update_cost ebpf/src/test/c/lpm_update_cost.c -lbpf
 *   /tmp/lpm_update_cost 10000; /tmp/lpm_update_cost 1000000      (as root)
 *
 * Fills the trie with N random /24 (one BPF_MAP_UPDATE_BATCH), then per round:
 * 20,000 new /24 inserted one BPF_MAP_UPDATE_ELEM each, 20,000 stored ones
 * replaced, the new ones deleted, 20,000 other new ones written by one batch.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct fib4_key {
	unsigned int prefixlen;
	unsigned int vrf;
	unsigned int addr;
};

static double now_ns(void)
{
	struct timespec t;

	/* This thread's CPU time (user and system): other processes' load excluded. */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_NO_PREALLOC);
	int n = argc > 1 ? atoi(argv[1]) : 10000;
	int m = 20000;
	struct fib4_key *keys;
	unsigned long long *values;
	unsigned int count;
	double t0, fill;
	int fd;

	fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "lpm_cost", sizeof(*keys), 8, 2097152, &opts);
	if (fd < 0) {
		fprintf(stderr, "bpf_map_create: %d (root needed)\n", fd);
		return 1;
	}
	keys = malloc(sizeof(*keys) * (n + 2 * m));
	values = calloc(n + 2 * m, sizeof(*values));
	if (!keys || !values)
		return 1;
	srand(n);
	/* Not deduplicated: among 16M /24 the few collisions merely replace. */
	for (int i = 0; i < n + 2 * m; i++) {
		keys[i].prefixlen = 32 + 24;
		keys[i].vrf = htonl(7);
		keys[i].addr = htonl((unsigned int)rand() << 8);
	}
	count = n;
	t0 = now_ns();
	if (bpf_map_update_batch(fd, keys, values, &count, NULL)) {
		fprintf(stderr, "bpf_map_update_batch failed after %u entries\n", count);
		return 1;
	}
	fill = now_ns() - t0;
	for (int round = 0; round < 3; round++) {
		double ins, rep, del, bat;
		int r = m < n ? m : n;

		t0 = now_ns();
		for (int i = n; i < n + m; i++)
			bpf_map_update_elem(fd, &keys[i], &values[i], BPF_ANY);
		ins = now_ns() - t0;
		t0 = now_ns();
		for (int i = 0; i < r; i++)
			bpf_map_update_elem(fd, &keys[i], &values[i], BPF_ANY);
		rep = now_ns() - t0;
		t0 = now_ns();
		for (int i = n; i < n + m; i++)
			bpf_map_delete_elem(fd, &keys[i]);
		del = now_ns() - t0;
		count = m;
		t0 = now_ns();
		bpf_map_update_batch(fd, &keys[n + m], &values[n + m], &count, NULL);
		bat = now_ns() - t0;
		for (int i = n + m; i < n + 2 * m; i++)
			bpf_map_delete_elem(fd, &keys[i]);
		printf("%d stored: fill by batch %.0f ns/route; one update per route: insert %.0f ns, replace %.0f ns,"
		       " delete %.0f ns; batch insert %.0f ns/route\n",
		       n, fill / n, ins / m, rep / r, del / m, bat / m);
	}
	return 0;
}
