// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Prints the C layout of the libbpf and UAPI structs that the Java binding
 * mirrors with JNA Structures, as "struct size" and "struct.field offset" lines,
 * for LibbpfStructLayoutTest.
 */
#include <stddef.h>
#include <stdio.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define S(s) printf(#s " %zu\n", sizeof(struct s))
#define F(s, f) printf(#s "." #f " %zu\n", offsetof(struct s, f))

int main(void)
{
	S(bpf_object_open_opts);
	F(bpf_object_open_opts, sz);
	F(bpf_object_open_opts, object_name);
	F(bpf_object_open_opts, relaxed_maps);
	F(bpf_object_open_opts, pin_root_path);
	F(bpf_object_open_opts, kconfig);
	F(bpf_object_open_opts, btf_custom_path);
	F(bpf_object_open_opts, kernel_log_buf);
	F(bpf_object_open_opts, kernel_log_size);
	F(bpf_object_open_opts, kernel_log_level);

	S(bpf_test_run_opts);
	F(bpf_test_run_opts, sz);
	F(bpf_test_run_opts, data_in);
	F(bpf_test_run_opts, data_out);
	F(bpf_test_run_opts, data_size_in);
	F(bpf_test_run_opts, data_size_out);
	F(bpf_test_run_opts, ctx_in);
	F(bpf_test_run_opts, ctx_out);
	F(bpf_test_run_opts, ctx_size_in);
	F(bpf_test_run_opts, ctx_size_out);
	F(bpf_test_run_opts, retval);
	F(bpf_test_run_opts, repeat);
	F(bpf_test_run_opts, duration);
	F(bpf_test_run_opts, flags);
	F(bpf_test_run_opts, cpu);
	F(bpf_test_run_opts, batch_size);

	S(bpf_map_create_opts);
	F(bpf_map_create_opts, sz);
	F(bpf_map_create_opts, btf_fd);
	F(bpf_map_create_opts, btf_key_type_id);
	F(bpf_map_create_opts, btf_value_type_id);
	F(bpf_map_create_opts, btf_vmlinux_value_type_id);
	F(bpf_map_create_opts, inner_map_fd);
	F(bpf_map_create_opts, map_flags);
	F(bpf_map_create_opts, map_extra);
	F(bpf_map_create_opts, numa_node);
	F(bpf_map_create_opts, map_ifindex);

	S(xdp_md);
	F(xdp_md, data);
	F(xdp_md, data_end);
	F(xdp_md, data_meta);
	F(xdp_md, ingress_ifindex);
	F(xdp_md, rx_queue_index);
	F(xdp_md, egress_ifindex);

	F(bpf_map_info, type);
	F(bpf_map_info, id);
	F(bpf_map_info, key_size);
	F(bpf_map_info, value_size);
	F(bpf_map_info, max_entries);
	F(bpf_map_info, map_flags);
	F(bpf_map_info, name);

	F(bpf_prog_info, type);
	F(bpf_prog_info, id);
	F(bpf_link_info, type);
	F(bpf_link_info, id);
	F(bpf_link_info, prog_id);
	return 0;
}
