package io.xdpgate.ebpf.libbpf;

/**
 * What the kernel (bpf_map_info) or an opened object (bpf_map__*) says about a map.
 * type is a BPF_MAP_TYPE_* value; pinPath is null where unknown or not pinned.
 */
public record MapInfo(String name, int type, int keySize, int valueSize, int maxEntries, int flags, String pinPath) {
}
