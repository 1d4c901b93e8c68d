package io.xdpgate.ebpf.libbpf;

import com.sun.jna.Structure;

/**
 * The leading fields shared by struct bpf_prog_info and struct bpf_link_info
 * (type, id), plus bpf_link_info.prog_id; LibbpfStructLayoutTest checks them.
 */
@Structure.FieldOrder({"type", "id", "prog_id"})
public final class IdInfoStruct extends Structure {
    public int type;
    public int id;
    public int prog_id;
}
