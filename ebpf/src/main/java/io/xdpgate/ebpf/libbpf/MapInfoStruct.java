package io.xdpgate.ebpf.libbpf;

import com.sun.jna.Structure;

/**
 * The leading fields of struct bpf_map_info (linux/bpf.h). The kernel copies
 * min(its size, info_len) bytes, so a prefix is enough; LibbpfStructLayoutTest checks it.
 */
@Structure.FieldOrder({"type", "id", "key_size", "value_size", "max_entries", "map_flags", "name"})
public final class MapInfoStruct extends Structure {
    public int type;
    public int id;
    public int key_size;
    public int value_size;
    public int max_entries;
    public int map_flags;
    public byte[] name = new byte[16];
}
