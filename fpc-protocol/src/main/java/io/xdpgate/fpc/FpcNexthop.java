package io.xdpgate.fpc;

import java.net.InetAddress;

/**
 * One path of a route: egress {@code ifindex} (in the route's VRF), {@code gateway} (null when the
 * destination is directly connected) and ECMP {@code weight} (1..65535, the kernel's rtnh_hops + 1).
 */
public record FpcNexthop(int ifindex, InetAddress gateway, int weight) {
    public FpcNexthop {
        if (weight < 1 || weight > 0xffff) {
            throw new IllegalArgumentException("nexthop weight " + weight + " out of range 1..65535");
        }
    }

    @Override
    public String toString() {
        return (gateway == null ? "dev " : "via " + FpcChecks.format(gateway) + " dev ")
                + Integer.toUnsignedString(ifindex) + " weight " + weight;
    }
}
