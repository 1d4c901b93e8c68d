package io.xdpgate.ebpf.libbpf;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The bpf(2) map calls made once per route, neighbour or listed entry (and the update
 * batch of a route expanded into several entries), bound with
 * JNA direct mapping (native methods registered on libbpf.so.1) instead of
 * {@link LibBpf}'s interface mapping, whose per-call reflection and proxy cost is
 * comparable to the system call itself. Same conventions as LibBpf: a negative
 * errno on failure; a null array is passed as NULL.
 */
final class LibBpfDirect {
    static {
        Native.register(LibBpfDirect.class, NativeLibrary.getInstance("libbpf.so.1"));
    }

    private LibBpfDirect() {
    }

    static native int bpf_map_update_elem(int fd, byte[] key, byte[] value, long flags);

    static native int bpf_map_lookup_elem(int fd, byte[] key, byte[] value);

    static native int bpf_map_delete_elem(int fd, byte[] key);

    static native int bpf_map_get_next_key(int fd, byte[] key, byte[] nextKey);

    /** count: one element, in the number of entries, out the number applied; opts may be null. */
    static native int bpf_map_update_batch(int fd, byte[] keys, byte[] values, int[] count, com.sun.jna.Pointer opts);
}
