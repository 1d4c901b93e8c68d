package io.xdpgate.ebpf.libbpf;

import com.sun.jna.Structure;

/** (public only because JNA reads its fields reflectively.) struct bpf_map_create_opts of libbpf 1.1 (bpf/bpf.h); LibbpfStructLayoutTest checks the offsets. */
@Structure.FieldOrder({"sz", "btf_fd", "btf_key_type_id", "btf_value_type_id", "btf_vmlinux_value_type_id",
        "inner_map_fd", "map_flags", "map_extra", "numa_node", "map_ifindex"})
public final class MapCreateOpts extends Structure {
    public long sz;
    public int btf_fd;
    public int btf_key_type_id;
    public int btf_value_type_id;
    public int btf_vmlinux_value_type_id;
    public int inner_map_fd;
    public int map_flags;
    public long map_extra;
    public int numa_node;
    public int map_ifindex;

    MapCreateOpts() {
        sz = size();
    }
}
