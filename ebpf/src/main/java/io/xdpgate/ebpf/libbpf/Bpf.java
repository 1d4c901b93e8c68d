package io.xdpgate.ebpf.libbpf;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import io.xdpgate.ebpf.BpfBatchException;
import io.xdpgate.ebpf.BpfException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * bpf(2) commands on file descriptors, with Java types only. Every failure is a
 * BpfException naming the command, the object ({@code on <name>}) and the errno.
 */
public final class Bpf {
    /** BPF_ANY: create or replace. */
    public static final long BPF_ANY = 0;

    private static final LibBpf LIB = LibBpf.INSTANCE;

    static {
        LibbpfLog.install();
        if (Native.SIZE_T_SIZE != 8) {
            throw new ExceptionInInitializerError("the libbpf binding assumes a 64-bit platform");
        }
    }

    private Bpf() {
    }

    /** Opens a pinned object (map, program or link) and returns its fd. */
    public static int objGet(Path path) throws BpfException {
        String p = path.toString();
        return Calls.check(Calls.retry(() -> LIB.bpf_obj_get(p)), "bpf(BPF_OBJ_GET) on " + p);
    }

    public static void objPin(int fd, Path path) throws BpfException {
        String p = path.toString();
        Calls.check(Calls.retry(() -> LIB.bpf_obj_pin(fd, p)), "bpf(BPF_OBJ_PIN) on " + p);
    }

    /** Closes an fd; errors are ignored (the fd is gone either way on Linux). */
    public static void close(int fd) {
        if (fd >= 0) {
            LibC.INSTANCE.close(fd);
        }
    }

    public static int numPossibleCpus() throws BpfException {
        return Calls.check(LIB.libbpf_num_possible_cpus(), "libbpf_num_possible_cpus()");
    }

    public static MapInfo mapInfo(int fd, String what) throws BpfException {
        MapInfoStruct info = new MapInfoStruct();
        info.write();
        IntByReference len = new IntByReference(info.size());
        Calls.check(Calls.retry(() -> LIB.bpf_obj_get_info_by_fd(fd, info.getPointer(), len)),
                "bpf(BPF_OBJ_GET_INFO_BY_FD) on " + what);
        info.read();
        int n = 0;
        while (n < info.name.length && info.name[n] != 0) {
            n++;
        }
        return new MapInfo(new String(info.name, 0, n, StandardCharsets.US_ASCII), info.type, info.key_size,
                info.value_size, info.max_entries, info.map_flags, null);
    }

    /** The kernel id of a map (bpf_map_info begins as bpf_prog_info does: type, id). */
    public static int mapId(int fd) throws BpfException {
        return idInfo(fd, 8, "map").id;
    }

    /** The kernel id of a program. */
    public static int progId(int fd) throws BpfException {
        return idInfo(fd, 8, "program").id;
    }

    /** The kernel id of the program a link runs. */
    public static int linkProgId(int fd) throws BpfException {
        return idInfo(fd, 12, "link").prog_id;
    }

    private static IdInfoStruct idInfo(int fd, int len, String what) throws BpfException {
        IdInfoStruct info = new IdInfoStruct();
        info.write();
        IntByReference l = new IntByReference(len);
        Calls.check(Calls.retry(() -> LIB.bpf_obj_get_info_by_fd(fd, info.getPointer(), l)),
                "bpf(BPF_OBJ_GET_INFO_BY_FD) on " + what + " fd " + fd);
        info.read();
        return info;
    }

    /** Creates a map without BTF; returns its fd. */
    public static int mapCreate(int type, String name, int keySize, int valueSize, int maxEntries)
            throws BpfException {
        return Calls.check(Calls.retry(() -> LIB.bpf_map_create(type, name, keySize, valueSize, maxEntries, null)),
                "bpf(BPF_MAP_CREATE) on " + name);
    }

    /** Creates a map without BTF with these BPF_F_* map flags; returns its fd. */
    public static int mapCreate(int type, String name, int keySize, int valueSize, int maxEntries, int flags)
            throws BpfException {
        MapCreateOpts opts = new MapCreateOpts();
        opts.map_flags = flags;
        opts.write();
        return Calls.check(Calls.retry(() -> LIB.bpf_map_create(type, name, keySize, valueSize, maxEntries,
                opts.getPointer())), "bpf(BPF_MAP_CREATE) on " + name);
    }

    /** An fd of the map with this id (BPF_MAP_GET_FD_BY_ID), as a map-in-map lookup from user space names it. */
    public static int mapFdById(int id, String what) throws BpfException {
        return Calls.check(Calls.retry(() -> LIB.bpf_map_get_fd_by_id(id)), "bpf(BPF_MAP_GET_FD_BY_ID) of " + what);
    }

    /** Maps the values of a BPF_F_MMAPABLE array, read and write, shared with the kernel. */
    public static MappedMap mmap(int fd, long length, String what) throws BpfException {
        return MappedMap.map(fd, length, what);
    }

    // The element calls below go through LibBpfDirect: they run once per route or entry.

    public static void mapUpdate(int fd, String name, byte[] key, byte[] value, long flags) throws BpfException {
        Calls.check(Calls.retry(() -> LibBpfDirect.bpf_map_update_elem(fd, key, value, flags)),
                "bpf(BPF_MAP_UPDATE_ELEM) on " + name);
    }

    /**
     * BPF_MAP_UPDATE_BATCH (BPF_ANY) of count entries whose keys and values lie end to
     * end. The kernel applies them in order and stops at the first failure, reporting
     * how many it applied: a failure is a BpfBatchException carrying that number.
     */
    public static void mapUpdateBatch(int fd, String name, byte[] keys, byte[] values, int count)
            throws BpfException {
        int[] done = new int[1];
        // A rerun after EINTR rewrites what was written: harmless with replace semantics.
        int ret = Calls.retry(() -> {
            done[0] = count;
            return LibBpfDirect.bpf_map_update_batch(fd, keys, values, done, null);
        });
        if (ret < 0) {
            int completed = Math.max(0, Math.min(count, done[0]));
            throw new BpfBatchException("bpf(BPF_MAP_UPDATE_BATCH) on " + name + " failed after " + completed
                    + " of " + count + " entries: " + Errno.describe(-ret), -ret, completed);
        }
    }

    /**
     * BPF_MAP_DELETE_BATCH of count keys lying end to end. The kernel stops at the first key
     * that fails (ENOENT for an absent one); returns the number deleted before it.
     */
    public static int mapDeleteBatch(int fd, String name, byte[] keys, int count) throws BpfException {
        Memory k = new Memory(keys.length);
        k.write(0, keys, 0, keys.length);
        IntByReference done = new IntByReference();
        int ret = Calls.retry(() -> {
            done.setValue(count);
            return LIB.bpf_map_delete_batch(fd, k, done, null);
        });
        if (ret < 0 && ret != -Errno.ENOENT) {
            throw Calls.failure("bpf(BPF_MAP_DELETE_BATCH) on " + name, -ret);
        }
        return Math.max(0, Math.min(count, done.getValue()));
    }

    /** Receives the entries one BPF_MAP_LOOKUP_BATCH call read: keys and values end to end. */
    @FunctionalInterface
    public interface BatchVisitor {
        void visit(byte[] keys, byte[] values, int count);
    }

    /** Reads every entry of a map with {@link #mapLookupBatch} and hands them over at once. */
    public static void mapLookupAll(int fd, String name, int keySize, int valueSize, int chunk, BatchVisitor visitor)
            throws BpfException {
        Batch b = mapLookupBatch(fd, name, keySize, valueSize, chunk);
        if (b.count() > 0) visitor.visit(b.keys(), b.values(), b.count());
    }

    /** Keys and values read by {@link #mapLookupBatch}, end to end, count of each. */
    public record Batch(byte[] keys, byte[] values, int count) {}

    /**
     * Every entry of a map (not per-CPU) with BPF_MAP_LOOKUP_BATCH, chunk entries per call: a
     * 64k-entry array in a few system calls instead of one per entry.
     */
    public static Batch mapLookupBatch(int fd, String name, int keySize, int valueSize, int chunk) throws BpfException {
        Memory in = new Memory(Math.max(8, keySize));
        Memory out = new Memory(Math.max(8, keySize));
        Memory k = new Memory((long) chunk * keySize);
        Memory v = new Memory((long) chunk * valueSize);
        ByteArrayOutputStream keys = new ByteArrayOutputStream();
        ByteArrayOutputStream values = new ByteArrayOutputStream();
        IntByReference count = new IntByReference();
        int total = 0;
        boolean first = true;
        while (true) {
            count.setValue(chunk);
            Pointer from = first ? Pointer.NULL : in;
            int ret = Calls.retry(() -> LIB.bpf_map_lookup_batch(fd, from, out, k, v, count, null));
            if (ret < 0 && ret != -Errno.ENOENT) {
                Calls.check(ret, "bpf(BPF_MAP_LOOKUP_BATCH) on " + name);
            }
            int n = Math.max(0, Math.min(chunk, count.getValue()));
            keys.write(k.getByteArray(0, n * keySize), 0, n * keySize);
            values.write(v.getByteArray(0, n * valueSize), 0, n * valueSize);
            total += n;
            if (ret == -Errno.ENOENT) return new Batch(keys.toByteArray(), values.toByteArray(), total);
            in.write(0, out.getByteArray(0, Math.max(8, keySize)), 0, Math.max(8, keySize));
            first = false;
        }
    }

    /** Fills value and returns true, or returns false if the key is absent. */
    public static boolean mapLookup(int fd, String name, byte[] key, byte[] value) throws BpfException {
        int ret = Calls.retry(() -> LibBpfDirect.bpf_map_lookup_elem(fd, key, value));
        if (ret == -Errno.ENOENT) {
            return false;
        }
        Calls.check(ret, "bpf(BPF_MAP_LOOKUP_ELEM) on " + name);
        return true;
    }

    /** Returns false if the key was absent. */
    public static boolean mapDelete(int fd, String name, byte[] key) throws BpfException {
        int ret = Calls.retry(() -> LibBpfDirect.bpf_map_delete_elem(fd, key));
        if (ret == -Errno.ENOENT) {
            return false;
        }
        Calls.check(ret, "bpf(BPF_MAP_DELETE_ELEM) on " + name);
        return true;
    }

    /**
     * Fills next with the key after key (the first key if key is null) and returns
     * true, or returns false after the last key.
     */
    public static boolean mapNextKey(int fd, String name, byte[] key, byte[] next) throws BpfException {
        int ret = Calls.retry(() -> LibBpfDirect.bpf_map_get_next_key(fd, key, next));
        if (ret == -Errno.ENOENT) {
            return false;
        }
        Calls.check(ret, "bpf(BPF_MAP_GET_NEXT_KEY) on " + name);
        return true;
    }

    /** Atomically replaces the program of a link. */
    public static void linkUpdate(int linkFd, int progFd, String what) throws BpfException {
        Calls.check(Calls.retry(() -> LIB.bpf_link_update(linkFd, progFd, null)), "bpf(BPF_LINK_UPDATE) on " + what);
    }

    /** Detaches a link from its hook even while other fds or pins hold it; true if it was attached. */
    public static boolean linkDetach(int linkFd, String what) throws BpfException {
        int ret = Calls.retry(() -> LIB.bpf_link_detach(linkFd));
        if (ret == -Errno.ENOLINK) {
            return false; // already detached, e.g. its device was deleted
        }
        Calls.check(ret, "bpf(BPF_LINK_DETACH) on " + what);
        return true;
    }

    /** enum bpf_attach_type: TC ingress through a bpf_link (TCX, Linux 6.6). */
    public static final int BPF_TCX_INGRESS = 46;

    /**
     * Attaches a SCHED_CLS program to the TC ingress of ifindex (in the calling thread's network
     * namespace) with a TCX bpf_link, pins the link at pin and closes this process's fd: the pin
     * alone keeps the program attached. If pinning fails the link is destroyed, which detaches it.
     */
    public static void attachTcxIngress(int progFd, int ifindex, Path pin, String what) throws BpfException {
        int link = Calls.check(Calls.retry(() -> LIB.bpf_link_create(progFd, ifindex, BPF_TCX_INGRESS, null)),
                "bpf(BPF_LINK_CREATE, BPF_TCX_INGRESS) of " + what + " on ifindex " + ifindex);
        try {
            objPin(link, pin);
        } finally {
            close(link);
        }
    }

    /** The ifindex of an interface of the calling thread's network namespace, or 0 if there is none. */
    public static int ifindex(String ifname) {
        return LibC.INSTANCE.if_nametoindex(ifname);
    }

    /** True if errno says a link lost its hook (the device went away). */
    public static boolean isDefunctLink(BpfException e) {
        return e.errno() == Errno.ENOLINK;
    }

    /** The result of one BPF_PROG_TEST_RUN. */
    public record TestRun(int retval, byte[] output, long durationNs) {
    }

    /** The result of one BPF_PROG_TEST_RUN of a TC program: its verdict, the packet and the skb mark after it. */
    public record SkbTestRun(int retval, byte[] output, int markOut) {
    }

    /** sizeof(struct __sk_buff) and the offsets BPF_PROG_TEST_RUN lets a caller set (linux/bpf.h). */
    private static final int SKB_CTX_SIZE = 192;
    private static final int SKB_MARK = 8;
    private static final int SKB_IFINDEX = 40;

    /**
     * BPF_PROG_TEST_RUN of a SCHED_CLS program on frame (an Ethernet frame) with a __sk_buff context
     * carrying mark and ifindex (the device the skb is given, in the calling thread's namespace; 1
     * is lo). The kernel runs it once; a redirect is returned as its verdict, never performed.
     */
    public static SkbTestRun testRunSkb(int progFd, String what, byte[] frame, int ifindex, int mark)
            throws BpfException {
        int outCap = frame.length + 4096;
        Memory in = new Memory(frame.length);
        in.write(0, frame, 0, frame.length);
        Memory out = new Memory(outCap);
        Memory ctxIn = new Memory(SKB_CTX_SIZE);
        ctxIn.clear();
        ctxIn.setInt(SKB_MARK, mark);
        ctxIn.setInt(SKB_IFINDEX, ifindex);
        Memory ctxOut = new Memory(SKB_CTX_SIZE);
        ctxOut.clear();
        TestRunOpts opts = new TestRunOpts();
        opts.data_in = in;
        opts.data_size_in = frame.length;
        opts.data_out = out;
        opts.data_size_out = outCap;
        opts.ctx_in = ctxIn;
        opts.ctx_size_in = SKB_CTX_SIZE;
        opts.ctx_out = ctxOut;
        opts.ctx_size_out = SKB_CTX_SIZE;
        opts.repeat = 1;
        opts.write();
        Calls.check(Calls.retry(() -> LIB.bpf_prog_test_run_opts(progFd, opts)), "bpf(BPF_PROG_TEST_RUN) on " + what);
        opts.read();
        byte[] output = out.getByteArray(0, Math.min(opts.data_size_out, outCap));
        return new SkbTestRun(opts.retval, output, ctxOut.getInt(SKB_MARK));
    }

    /**
     * BPF_PROG_TEST_RUN of an XDP program with an xdp_md context carrying
     * ingressIfindex (looked up in the calling thread's network namespace).
     */
    public static TestRun testRunXdp(int progFd, String what, byte[] frame, int ingressIfindex, int repeat)
            throws BpfException {
        if (frame.length == 0) {
            throw new IllegalArgumentException("empty frame");
        }
        // Room for a program that grows the frame; the kernel fails with ENOSPC beyond it.
        int outCap = frame.length + 4096;
        Memory in = new Memory(frame.length);
        in.write(0, frame, 0, frame.length);
        Memory out = new Memory(outCap);
        XdpMd ctx = new XdpMd();
        // The kernel wants data = data_meta = 0 and data_end = the frame length.
        ctx.data_end = frame.length;
        ctx.ingress_ifindex = ingressIfindex;
        ctx.write();
        TestRunOpts opts = new TestRunOpts();
        opts.data_in = in;
        opts.data_size_in = frame.length;
        opts.data_out = out;
        opts.data_size_out = outCap;
        opts.ctx_in = ctx.getPointer();
        opts.ctx_size_in = ctx.size();
        opts.repeat = repeat;
        opts.write();
        Calls.check(Calls.retry(() -> LIB.bpf_prog_test_run_opts(progFd, opts)), "bpf(BPF_PROG_TEST_RUN) on " + what);
        opts.read();
        byte[] output = out.getByteArray(0, Math.min(opts.data_size_out, outCap));
        return new TestRun(opts.retval, output, Integer.toUnsignedLong(opts.duration));
    }
}
