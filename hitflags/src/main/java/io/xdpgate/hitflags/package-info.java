/**
 * The hitflags daemon. The fast path records when it last sent to each kernel neighbour, at most
 * every 100 ms per neighbour: a connected destination in xg_neigh_used (an LRU hash keyed by the
 * neighbour), a resolved gateway in xg_nh_used (an array indexed like xg_nh, whose neighbours
 * xg_nh_gw names). At every interval hitflags reads that map, and for each neighbour used since its
 * previous scan asks the kernel of the neighbour's namespace to treat it as used (RTM_NEWNEIGH with
 * NTF_USE): the kernel keeps the entry, revalidates a STALE one with a unicast probe, and lets one
 * that stops answering fail, which the cache manager then removes from the fast path. Neighbours the
 * fast path no longer sends to age out as the kernel decides. hitflags never writes a map.
 * <p>The marks live in a map of the fast path's own, not in the {@code hit} byte of xg_neigh and
 * xg_nexthop (unused): clearing a mark in a value the manager writes would race with the manager
 * writing a new MAC into it, and could bring a stale MAC back.
 */
package io.xdpgate.hitflags;
