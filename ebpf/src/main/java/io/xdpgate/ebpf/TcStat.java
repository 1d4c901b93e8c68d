package io.xdpgate.ebpf;

/** The counters of the TC side (xg_tc_stats), one per {@code enum xg_tc_stat} value of xdpgate.h. */
public enum TcStat {
    /** A valid trailer: stripped, the packet reinjected as received on the trailer's ifindex. */
    TRAILER_REINJECTED(0, "trailer_reinjected"),
    TRAILER_SHORT(1, "trailer_short"),
    TRAILER_MAGIC(2, "trailer_magic"),
    TRAILER_VERSION(3, "trailer_version"),
    TRAILER_TYPE(4, "trailer_type"),
    TRAILER_IFINDEX(5, "trailer_ifindex"),
    TRAILER_STRIP(6, "trailer_strip"),
    /** Special exceptions the fast path sent to the exception device. */
    SPECIAL_SENT(7, "special_sent"),
    /** Special exceptions dropped by the fast path: its VRF has no exception device. */
    SPECIAL_NO_DEVICE(8, "special_no_device"),
    /** Packets XDP left unmodified to the ports' TC program because a port of their path is captured. */
    CAPTURE_DEFERRED(9, "capture_deferred"),
    /** Of those, the packets the TC program forwarded (counted in Stat.FORWARDED too). */
    CAPTURE_FORWARDED(10, "capture_forwarded"),
    /** Captured-port packets the driver could not tag (no XDP metadata): Linux forwarded them. */
    CAPTURE_NO_META(11, "capture_no_meta"),
    /** VXLAN packets decapsulated whose inner packet the fast path forwarded (also in Stat.FORWARDED). */
    VXLAN_FORWARDED(12, "vxlan_forwarded"),
    /** VXLAN packets decapsulated whose inner packet went to Linux as received on the VXLAN device. */
    VXLAN_EXCEPTION(13, "vxlan_exception"),
    /** Packets routed into a VXLAN device that the fast path encapsulated and sent on the underlay port. */
    VXLAN_ENCAPSULATED(14, "vxlan_encapsulated"),
    /** Packets routed into a VXLAN device left unmodified to Linux: no remote, underlay unresolved, captured. */
    VXLAN_ENCAP_TO_LINUX(15, "vxlan_encap_to_linux"),
    /** Packets routed into a VXLAN device left unmodified to Linux: the outer packet would exceed the underlay MTU. */
    VXLAN_ENCAP_MTU(16, "vxlan_encap_mtu"),
    /** Dropped: the encapsulation vanished or the frame could not grow after the inner rewrite. */
    VXLAN_ENCAP_FAILED(17, "vxlan_encap_failed");

    /** XG_TC_STAT_MAX. */
    public static final int MAX = 18;

    private final int index;
    private final String label;

    TcStat(int index, String label) {
        this.index = index;
        this.label = label;
    }

    public int index() {
        return index;
    }

    public String label() {
        return label;
    }

    /** True for the reasons the exception device drops a frame for. */
    public boolean isTrailerDrop() {
        return name().startsWith("TRAILER_") && this != TRAILER_REINJECTED;
    }
}
