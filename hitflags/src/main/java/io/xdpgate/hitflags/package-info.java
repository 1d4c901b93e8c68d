/**
 * The hitflags daemon: scans the hit marks that the fast path sets on neighbour and nexthop
 * entries ({@code xg_neigh4.hit}, {@code xg_nh.hit}), refreshes exactly those neighbours in
 * the kernel over netlink so that Linux keeps them usable, and clears the marks.
 * Not built yet: until it is, a neighbour used only by the fast path ages out in the kernel
 * and its traffic briefly falls back to Linux while Linux resolves it again.
 */
package io.xdpgate.hitflags;
