package io.xdpgate.ebpf;

import io.xdpgate.ebpf.libbpf.Bpf;

/** Interface names to ifindexes, in the calling thread's network namespace (as every attach resolves them). */
public final class Interfaces {
    private Interfaces() {
    }

    /** The ifindex of ifname, or 0 if the calling thread's namespace has no such interface. */
    public static int ifindex(String ifname) {
        return Bpf.ifindex(ifname);
    }
}
