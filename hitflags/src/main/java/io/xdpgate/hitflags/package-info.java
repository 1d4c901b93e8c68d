/**
 * The hitflags daemon. The fast path records in xg_neigh_used when it last sent to each kernel
 * neighbour (to a connected destination or through a resolved gateway), at most every 100 ms per
 * neighbour. At every interval hitflags reads that map, and for each neighbour used since its
 * previous scan asks the kernel of the neighbour's namespace to treat it as used (RTM_NEWNEIGH with
 * NTF_USE): the kernel keeps the entry, revalidates a STALE one with a unicast probe, and lets one
 * that stops answering fail, which the cache manager then removes from the fast path. Neighbours the
 * fast path no longer sends to age out as the kernel decides. hitflags never writes a map.
 * <p>The marks live in a map of the fast path's own, not in the {@code hit} byte of xg_neigh and
 * xg_nexthop (unused): clearing a mark in a value the manager writes would race with the manager
 * writing a new MAC into it, and could bring a stale MAC back.
 */
package io.xdpgate.hitflags;
