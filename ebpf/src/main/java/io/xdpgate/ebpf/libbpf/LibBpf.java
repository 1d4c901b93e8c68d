package io.xdpgate.ebpf.libbpf;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

/**
 * libbpf 1.x (Debian's libbpf.so.1). Conventions of libbpf 1.x: int functions
 * return a negative errno on failure; pointer functions return NULL and set errno.
 * Structures are passed by reference; byte[] arguments are copied in and out.
 */
interface LibBpf extends Library {
    LibBpf INSTANCE = Native.load("libbpf.so.1", LibBpf.class);

    /** libbpf_print_fn_t: args is the caller's va_list. */
    interface PrintFn extends Callback {
        int invoke(int level, Pointer format, Pointer args);
    }

    Pointer libbpf_set_print(PrintFn fn);

    int libbpf_num_possible_cpus();

    // bpf_object
    Pointer bpf_object__open_file(String path, OpenOpts opts);

    int bpf_object__load(Pointer obj);

    void bpf_object__close(Pointer obj);

    Pointer bpf_object__next_map(Pointer obj, Pointer prev);

    Pointer bpf_object__find_program_by_name(Pointer obj, String name);

    Pointer bpf_object__next_program(Pointer obj, Pointer prev);

    int bpf_object__find_map_fd_by_name(Pointer obj, String name);

    // bpf_map (of an opened object)
    String bpf_map__name(Pointer map);

    int bpf_map__type(Pointer map);

    int bpf_map__key_size(Pointer map);

    int bpf_map__value_size(Pointer map);

    int bpf_map__max_entries(Pointer map);

    int bpf_map__map_flags(Pointer map);

    String bpf_map__pin_path(Pointer map);

    int bpf_map__set_initial_value(Pointer map, byte[] data, long size);

    // bpf_program, bpf_link
    int bpf_program__fd(Pointer prog);

    int bpf_program__set_autoload(Pointer prog, boolean autoload);

    Pointer bpf_program__attach_xdp(Pointer prog, int ifindex);

    int bpf_link__pin(Pointer link, String path);

    int bpf_link__destroy(Pointer link);

    // Thin bpf(2) wrappers
    int bpf_obj_get(String path);

    int bpf_obj_pin(int fd, String path);

    int bpf_obj_get_info_by_fd(int fd, Pointer info, IntByReference infoLen);

    int bpf_map_create(int type, String name, int keySize, int valueSize, int maxEntries, Pointer opts);

    int bpf_map_get_fd_by_id(int id);

    // The per-entry map calls (update, lookup, delete, get_next_key) are in LibBpfDirect.

    /** count: in, the number of entries; out, the number applied. opts may be NULL (elem_flags BPF_ANY). */
    int bpf_map_update_batch(int fd, Pointer keys, Pointer values, IntByReference count, Pointer opts);

    /** count: in, the number of keys; out, the number deleted. Fails with ENOENT at the first absent key. */
    int bpf_map_delete_batch(int fd, Pointer keys, IntByReference count, Pointer opts);

    /**
     * in_batch NULL starts at the beginning; out_batch receives the position to go on from. count: in,
     * the room in keys and values; out, the number returned. -ENOENT: the end, with count entries.
     */
    int bpf_map_lookup_batch(int fd, Pointer inBatch, Pointer outBatch, Pointer keys, Pointer values,
                             IntByReference count, Pointer opts);

    int bpf_link_update(int linkFd, int newProgFd, Pointer opts);

    /**
     * BPF_LINK_CREATE; libbpf 1.1 passes attach types it does not know (BPF_TCX_INGRESS) through
     * unchanged when opts is NULL. target is an ifindex for TCX. Returns the link fd.
     */
    int bpf_link_create(int progFd, int target, int attachType, Pointer opts);

    int bpf_link_detach(int linkFd);

    int bpf_prog_test_run_opts(int progFd, TestRunOpts opts);
}
