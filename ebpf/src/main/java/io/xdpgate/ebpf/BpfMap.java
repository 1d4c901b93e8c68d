package io.xdpgate.ebpf;

import io.xdpgate.ebpf.libbpf.Bpf;
import io.xdpgate.ebpf.libbpf.MapInfo;
import io.xdpgate.ebpf.libbpf.MappedLongs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A map opened from its pin, accessed with raw key and value bytes. */
public final class BpfMap implements AutoCloseable {
    private final MapInfo info;
    private int fd;

    private BpfMap(int fd, MapInfo info) {
        this.fd = fd;
        this.info = info;
    }

    public static BpfMap openPinned(Path path) throws BpfException {
        int fd = Bpf.objGet(path);
        try {
            return new BpfMap(fd, Bpf.mapInfo(fd, path.toString()));
        } catch (BpfException | RuntimeException e) {
            Bpf.close(fd);
            throw e;
        }
    }

    /** The kernel's name of the map (at most 15 characters). */
    public String name() {
        return info.name();
    }

    /** A BPF_MAP_TYPE_* value. */
    public int type() {
        return info.type();
    }

    public int keySize() {
        return info.keySize();
    }

    public int valueSize() {
        return info.valueSize();
    }

    public int maxEntries() {
        return info.maxEntries();
    }

    public int flags() {
        return info.flags();
    }

    MapInfo info() {
        return info;
    }

    private int fd() {
        if (fd < 0) {
            throw new IllegalStateException("map " + info.name() + " is closed");
        }
        return fd;
    }

    private void checkKey(byte[] key) {
        if (key.length != info.keySize()) {
            throw new IllegalArgumentException(
                    "map " + info.name() + " has " + info.keySize() + "-byte keys, got " + key.length);
        }
    }

    private boolean isPerCpu() {
        // BPF_MAP_TYPE_PERCPU_HASH 5, PERCPU_ARRAY 6, LRU_PERCPU_HASH 10, PERCPU_CGROUP_STORAGE 21
        int t = info.type();
        return t == 5 || t == 6 || t == 10 || t == 21;
    }

    /** Creates or replaces (BPF_ANY). */
    public void update(byte[] key, byte[] value) throws BpfException {
        checkKey(key);
        if (isPerCpu() || value.length != info.valueSize()) {
            throw new IllegalArgumentException("map " + info.name() + " takes one " + info.valueSize()
                    + "-byte value" + (isPerCpu() ? " per CPU: not supported here" : ", got " + value.length));
        }
        Bpf.mapUpdate(fd(), info.name(), key, value, Bpf.BPF_ANY);
    }

    /**
     * Creates or replaces many entries with BPF_MAP_UPDATE_BATCH, chunk entries per
     * system call. Returns the number written: all of them. On failure a
     * {@link BpfBatchException} says how many were written first, counting over all chunks.
     */
    public int updateBatch(List<byte[]> keys, List<byte[]> values, int chunk) throws BpfException {
        if (keys.size() != values.size()) {
            throw new IllegalArgumentException(keys.size() + " keys but " + values.size() + " values");
        }
        if (chunk <= 0) {
            throw new IllegalArgumentException("chunk must be positive: " + chunk);
        }
        if (isPerCpu()) {
            throw new IllegalArgumentException("map " + info.name() + " is per-CPU: batch updates not supported here");
        }
        int ks = info.keySize();
        int vs = info.valueSize();
        for (int from = 0; from < keys.size(); from += chunk) {
            int n = Math.min(chunk, keys.size() - from);
            byte[] k = new byte[n * ks];
            byte[] v = new byte[n * vs];
            for (int i = 0; i < n; i++) {
                byte[] key = keys.get(from + i);
                byte[] value = values.get(from + i);
                checkKey(key);
                if (value.length != vs) {
                    throw new IllegalArgumentException(
                            "map " + info.name() + " has " + vs + "-byte values, got " + value.length);
                }
                System.arraycopy(key, 0, k, i * ks, ks);
                System.arraycopy(value, 0, v, i * vs, vs);
            }
            try {
                Bpf.mapUpdateBatch(fd(), info.name(), k, v, n);
            } catch (BpfBatchException e) {
                if (from == 0) {
                    throw e;
                }
                throw new BpfBatchException(e.getMessage(), e.errno(), from + e.completed());
            }
        }
        return keys.size();
    }

    /**
     * Deletes many keys with BPF_MAP_DELETE_BATCH, chunk keys per system call; a key found
     * absent is skipped (deleted one by one from there on in its chunk). Returns the number deleted.
     */
    public int deleteBatch(List<byte[]> keys, int chunk) throws BpfException {
        int ks = info.keySize();
        int deleted = 0;
        for (int from = 0; from < keys.size(); from += chunk) {
            int n = Math.min(chunk, keys.size() - from);
            byte[] k = new byte[n * ks];
            for (int i = 0; i < n; i++) {
                checkKey(keys.get(from + i));
                System.arraycopy(keys.get(from + i), 0, k, i * ks, ks);
            }
            int done = Bpf.mapDeleteBatch(fd(), info.name(), k, n);
            deleted += done;
            for (int i = from + done + 1; i < from + n; i++) { // after an absent key
                if (delete(keys.get(i))) deleted++;
            }
        }
        return deleted;
    }

    /** False if the key was absent. */
    public boolean delete(byte[] key) throws BpfException {
        checkKey(key);
        return Bpf.mapDelete(fd(), info.name(), key);
    }

    /** The value, or null if the key is absent. For per-CPU maps use {@link #lookupPerCpu}. */
    public byte[] lookup(byte[] key) throws BpfException {
        checkKey(key);
        if (isPerCpu()) {
            throw new IllegalStateException("map " + info.name() + " is per-CPU: use lookupPerCpu");
        }
        byte[] value = new byte[info.valueSize()];
        return Bpf.mapLookup(fd(), info.name(), key, value) ? value : null;
    }

    /**
     * One value per possible CPU, or null if the key is absent. The kernel lays the
     * values out with each rounded up to 8 bytes.
     */
    public byte[][] lookupPerCpu(byte[] key) throws BpfException {
        checkKey(key);
        if (!isPerCpu()) {
            throw new IllegalStateException("map " + info.name() + " is not per-CPU: use lookup");
        }
        int cpus = Bpf.numPossibleCpus();
        int stride = (info.valueSize() + 7) & ~7;
        byte[] all = new byte[stride * cpus];
        if (!Bpf.mapLookup(fd(), info.name(), key, all)) {
            return null;
        }
        byte[][] out = new byte[cpus][info.valueSize()];
        for (int cpu = 0; cpu < cpus; cpu++) {
            System.arraycopy(all, cpu * stride, out[cpu], 0, info.valueSize());
        }
        return out;
    }

    /** Sets the value of every CPU to zero bytes (a per-CPU map's counters start again from 0). */
    public void zeroPerCpu(byte[] key) throws BpfException {
        checkKey(key);
        if (!isPerCpu()) {
            throw new IllegalStateException("map " + info.name() + " is not per-CPU: use update");
        }
        int stride = (info.valueSize() + 7) & ~7;
        Bpf.mapUpdate(fd(), info.name(), key, new byte[stride * Bpf.numPossibleCpus()], Bpf.BPF_ANY);
    }

    /**
     * Every value of an array of __u64, by index, read with BPF_MAP_LOOKUP_BATCH: a few system calls
     * for the whole array (not a snapshot if someone writes meanwhile).
     */
    public long[] arrayLongs() throws BpfException {
        if (info.type() != MapLayouts.BPF_MAP_TYPE_ARRAY || info.keySize() != 4 || info.valueSize() != 8) {
            throw new IllegalStateException("map " + info.name() + " is not an array of 8-byte values");
        }
        Bpf.Batch b = Bpf.mapLookupBatch(fd(), info.name(), 4, 8, 16384);
        long[] out = new long[info.maxEntries()];
        ByteBuffer keys = ByteBuffer.wrap(b.keys()).order(ByteOrder.nativeOrder());
        ByteBuffer values = ByteBuffer.wrap(b.values()).order(ByteOrder.nativeOrder());
        for (int i = 0; i < b.count(); i++) {
            int index = keys.getInt(4 * i);
            if (index >= 0 && index < out.length) out[index] = values.getLong(8 * i);
        }
        return out;
    }

    /** Receives an entry of an array map: its index and a copy of its value. */
    @FunctionalInterface
    public interface ArrayEntryVisitor {
        void visit(int index, byte[] value);
    }

    /**
     * Every entry of an array map whose value is not all zeros, by index, read with BPF_MAP_LOOKUP_BATCH:
     * a few system calls for the whole array instead of one per entry (not a snapshot if someone writes
     * meanwhile). For the tables a manager adopts at start, mostly empty then.
     */
    public void forEachNonZero(ArrayEntryVisitor visitor) throws BpfException {
        if (info.type() != MapLayouts.BPF_MAP_TYPE_ARRAY || info.keySize() != 4) {
            throw new IllegalStateException("map " + info.name() + " is not an array");
        }
        int size = info.valueSize();
        Bpf.Batch b = Bpf.mapLookupBatch(fd(), info.name(), 4, size, 16384);
        ByteBuffer keys = ByteBuffer.wrap(b.keys()).order(ByteOrder.nativeOrder());
        byte[] values = b.values();
        for (int i = 0; i < b.count(); i++) {
            int from = i * size;
            if (allZero(values, from, size)) continue;
            visitor.visit(keys.getInt(4 * i), Arrays.copyOfRange(values, from, from + size));
        }
    }

    private static boolean allZero(byte[] bytes, int from, int length) {
        for (int i = from; i < from + length; i++) {
            if (bytes[i] != 0) return false;
        }
        return true;
    }

    /** A read-only mapping of the values of a BPF_F_MMAPABLE array of __u64 (see {@link MappedLongs}). */
    public MappedLongs mapLongs() throws BpfException {
        if (info.type() != MapLayouts.BPF_MAP_TYPE_ARRAY || info.valueSize() != 8
                || (info.flags() & MapLayouts.BPF_F_MMAPABLE) == 0) {
            throw new IllegalStateException("map " + info.name() + " is not a mappable array of 8-byte values");
        }
        return MappedLongs.map(fd(), info.name(), info.maxEntries());
    }

    /** Every key, walked with BPF_MAP_GET_NEXT_KEY (a snapshot only if nobody writes meanwhile). */
    public List<byte[]> keys() throws BpfException {
        List<byte[]> out = new ArrayList<>();
        byte[] key = null;
        while (true) {
            byte[] next = new byte[info.keySize()];
            if (!Bpf.mapNextKey(fd(), info.name(), key, next)) {
                return out;
            }
            out.add(next);
            key = next;
        }
    }

    /** Receives one entry. */
    @FunctionalInterface
    public interface EntryVisitor {
        void visit(byte[] key, byte[] value);
    }

    /** Every entry of a hash map, read with BPF_MAP_LOOKUP_BATCH: far fewer system calls than {@link #keys()}. */
    public void forEachEntry(int chunk, EntryVisitor visitor) throws BpfException {
        int ks = info.keySize();
        int vs = info.valueSize();
        Bpf.mapLookupAll(fd(), info.name(), ks, vs, chunk, (keys, values, count) -> {
            for (int i = 0; i < count; i++) {
                visitor.visit(java.util.Arrays.copyOfRange(keys, i * ks, (i + 1) * ks),
                        java.util.Arrays.copyOfRange(values, i * vs, (i + 1) * vs));
            }
        });
    }

    /** The number of keys, walked like {@link #keys()} without keeping them. */
    public int count() throws BpfException {
        int n = 0;
        byte[] key = null;
        byte[] next = new byte[info.keySize()];
        while (Bpf.mapNextKey(fd(), info.name(), key, next)) {
            n++;
            byte[] t = key == null ? new byte[info.keySize()] : key;
            key = next;
            next = t;
        }
        return n;
    }

    /** BPF_MAP_GET_NEXT_KEY from key (null: the first key); null after the last. */
    byte[] nextKey(byte[] key) throws BpfException {
        byte[] next = new byte[info.keySize()];
        return Bpf.mapNextKey(fd(), info.name(), key, next) ? next : null;
    }

    @Override
    public void close() {
        Bpf.close(fd);
        fd = -1;
    }
}
