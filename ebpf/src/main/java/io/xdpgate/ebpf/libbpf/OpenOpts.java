package io.xdpgate.ebpf.libbpf;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/** (public only because JNA reads its fields reflectively.) struct bpf_object_open_opts of libbpf 1.1 (bpf/libbpf.h); LibbpfStructLayoutTest checks the offsets. */
@Structure.FieldOrder({"sz", "object_name", "relaxed_maps", "pin_root_path", "removed_attach_prog_fd", "kconfig",
        "btf_custom_path", "kernel_log_buf", "kernel_log_size", "kernel_log_level"})
public final class OpenOpts extends Structure {
    public long sz;
    public String object_name;
    public byte relaxed_maps;
    public String pin_root_path;
    public int removed_attach_prog_fd;
    public String kconfig;
    public String btf_custom_path;
    public Pointer kernel_log_buf;
    public long kernel_log_size;
    public int kernel_log_level;

    OpenOpts() {
        sz = size();
    }
}
