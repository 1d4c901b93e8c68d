package io.xdpgate.ebpf.libbpf;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/** struct bpf_test_run_opts of libbpf 1.1 (bpf/bpf.h); LibbpfStructLayoutTest checks the offsets. */
@Structure.FieldOrder({"sz", "data_in", "data_out", "data_size_in", "data_size_out", "ctx_in", "ctx_out",
        "ctx_size_in", "ctx_size_out", "retval", "repeat", "duration", "flags", "cpu", "batch_size"})
public final class TestRunOpts extends Structure {
    public long sz;
    public Pointer data_in;
    public Pointer data_out;
    public int data_size_in;
    public int data_size_out;
    public Pointer ctx_in;
    public Pointer ctx_out;
    public int ctx_size_in;
    public int ctx_size_out;
    public int retval;
    public int repeat;
    public int duration;
    public int flags;
    public int cpu;
    public int batch_size;

    TestRunOpts() {
        sz = size();
    }
}
