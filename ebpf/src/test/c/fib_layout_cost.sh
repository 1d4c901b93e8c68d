#!/bin/bash
# Lookup cost of FIB layouts (LPM trie, DIR-24-8 first level, bpf_fib_lookup) at N IPv4 routes.
# Usage (root): ebpf/src/test/c/fib_layout_cost.sh [ROUTES]   (default 1000000; about a minute)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d /tmp/xg-fib-layout.XXXXXX)"
cleanup() { ip netns del xgfib 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
clang -O2 -g -target bpf -I/usr/include/"$(uname -m)"-linux-gnu -c "$here/fib_layout_cost.bpf.c" -o "$work/fib.bpf.o"
gcc -O2 -o "$work/fib_layout_cost" "$here/fib_layout_cost.c" -lbpf
ip netns del xgfib 2>/dev/null || true
ip netns add xgfib
ip -n xgfib link set lo up
ip -n xgfib link add xgfib-a type veth peer name xgfib-b
ip -n xgfib link set xgfib-a up
ip -n xgfib link set xgfib-b up
ip -n xgfib addr add 10.250.0.1/24 dev xgfib-a
ip -n xgfib neigh replace 10.250.0.2 lladdr 02:00:00:00:fa:02 dev xgfib-a nud permanent
ip netns exec xgfib sysctl -qw net.ipv4.ip_forward=1
"$work/fib_layout_cost" "$work/fib.bpf.o" "$work" "${1:-1000000}"
