package io.xdpgate.ebpf.libbpf;

import com.sun.jna.Structure;

/** struct xdp_md (linux/bpf.h): the context given to BPF_PROG_TEST_RUN; LibbpfStructLayoutTest checks it. */
@Structure.FieldOrder({"data", "data_end", "data_meta", "ingress_ifindex", "rx_queue_index", "egress_ifindex"})
public final class XdpMd extends Structure {
    public int data;
    public int data_end;
    public int data_meta;
    public int ingress_ifindex;
    public int rx_queue_index;
    public int egress_ifindex;
}
