// SPDX-License-Identifier: GPL-2.0
/*
 * frame_sender.c: the traffic source of `xdpgate bench forward`, compiled with gcc when the
 * benchmark runs and started inside a sender namespace (ip netns exec).
 *
 * Sends ready-made Ethernet frames (written by the benchmark: UDP datagrams to destinations
 * drawn from the router's table) in turn through a packet socket bound to one interface, with
 * sendmmsg(2) in batches of 64 and PACKET_QDISC_BYPASS, for a given time. A packet socket
 * skips the sender's own UDP, IP, routing and neighbour work, which on these machines costs
 * more than the forwarding being measured (measured: a UDP socket with sendmmsg reached about
 * half the rate into the same XDP_DROP sink).
 * The same binary and the same frames (but for the MACs of the port they enter) feed both the
 * kernel-forwarding run and the fast path run. Prints "sent PACKETS ELAPSED_NS FAILED CPU_NS":
 * CPU_NS is this process's CPU time, which on a kernel without IRQ time accounting includes the
 * softirq work (the veths, the router, the sink) that ran on its CPU while it was current.
 *
 * Usage: frame_sender IFNAME FRAMES_FILE FRAME_LENGTH SECONDS
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: %s IFNAME FRAMES_FILE FRAME_LENGTH SECONDS\n", argv[0]);
		return 2;
	}
	const char *ifname = argv[1];
	size_t len = (size_t)atoi(argv[3]);
	double seconds = atof(argv[4]);
	FILE *f = fopen(argv[2], "rb");
	struct stat st;

	if (!f || fstat(fileno(f), &st) < 0) {
		fprintf(stderr, "frame_sender: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	if (len < 14 || len > 9000 || st.st_size == 0 || st.st_size % len != 0) {
		fprintf(stderr, "frame_sender: %s (%lld bytes) is not a whole number of %zu-byte frames\n", argv[2],
			(long long)st.st_size, len);
		return 1;
	}
	size_t n = st.st_size / len;
	unsigned char *frames = malloc(st.st_size);

	if (!frames || fread(frames, 1, st.st_size, f) != (size_t)st.st_size) {
		fprintf(stderr, "frame_sender: cannot read %s\n", argv[2]);
		return 1;
	}
	fclose(f);

	int fd = socket(AF_PACKET, SOCK_RAW, 0); /* protocol 0: sends only, receives nothing */
	if (fd < 0) {
		perror("frame_sender: socket(AF_PACKET)");
		return 1;
	}
	int one = 1;
	/* Straight to the driver, as a NIC's transmit ring would be fed; veth has no qdisc anyway. */
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) < 0) {
		perror("frame_sender: PACKET_QDISC_BYPASS");
		return 1;
	}
	struct sockaddr_ll addr = { .sll_family = AF_PACKET, .sll_ifindex = (int)if_nametoindex(ifname) };
	if (addr.sll_ifindex == 0) {
		fprintf(stderr, "frame_sender: no interface %s\n", ifname);
		return 1;
	}
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		perror("frame_sender: bind");
		return 1;
	}

	struct iovec iov[BATCH];
	struct mmsghdr msgs[BATCH];
	long long sent = 0, failed = 0;
	size_t next = 0;
	long long start = now_ns();
	long long end = start + (long long)(seconds * 1e9);
	long long t = start;

	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_len = len;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (t < end) {
		for (int i = 0; i < BATCH; i++) {
			iov[i].iov_base = frames + next * len;
			next = next + 1 == n ? 0 : next + 1;
		}
		int r = sendmmsg(fd, msgs, BATCH, 0);
		if (r < 0) {
			/* A full device ring (ENOBUFS): the next batch tries again. */
			if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
				perror("frame_sender: sendmmsg");
				return 1;
			}
			failed += BATCH;
		} else {
			sent += r;
			failed += BATCH - r;
		}
		t = now_ns();
	}
	struct timespec cpu;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
	printf("sent %lld %lld %lld %lld\n", sent, t - start, failed, cpu.tv_sec * 1000000000LL + cpu.tv_nsec);
	return 0;
}
