package io.xdpgate.ebpf.libbpf;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.xdpgate.ebpf.BpfException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An eBPF object file opened with libbpf ({@code struct bpf_object}). Not thread-safe.
 * Maps with pinning set are reused from, or pinned to, the pin root given at open.
 */
public final class BpfObject implements AutoCloseable {
    /**
     * The verifier log buffer. With kernel_log_level 0 libbpf first loads without a
     * log and, only if that fails, again with log level 1 into this buffer. Since
     * Linux 6.4 the kernel keeps the log's tail when it does not fit.
     */
    private static final int LOG_SIZE = 1 << 20;

    private static final LibBpf LIB = LibBpf.INSTANCE;

    private final String name;
    private Pointer obj;
    private Memory logBuf;

    private BpfObject(String name, Pointer obj, Memory logBuf) {
        this.name = name;
        this.obj = obj;
        this.logBuf = logBuf;
    }

    /** bpf_object__open_file with pin_root_path = pinRoot (null: libbpf's default, /sys/fs/bpf). */
    public static BpfObject open(Path file, Path pinRoot) throws BpfException {
        String name = String.valueOf(file.getFileName());
        Memory logBuf = new Memory(LOG_SIZE);
        logBuf.setByte(0, (byte) 0);
        OpenOpts opts = new OpenOpts();
        opts.pin_root_path = pinRoot == null ? null : pinRoot.toString();
        opts.kernel_log_buf = logBuf;
        opts.kernel_log_size = LOG_SIZE;
        opts.kernel_log_level = 0;
        try (LibbpfLog.Capture log = LibbpfLog.capture()) {
            Pointer obj = LIB.bpf_object__open_file(file.toString(), opts);
            if (obj == null) {
                BpfException e = Calls.lastError("bpf_object__open_file(" + file + ")");
                throw new BpfException(e.getMessage() + log.text(), e.errno());
            }
            return new BpfObject(name, obj, logBuf);
        }
    }

    private Pointer obj() {
        if (obj == null) {
            throw new IllegalStateException(name + " is closed");
        }
        return obj;
    }

    /** Every map of the object, as defined in it (before load) or created/reused (after). */
    public List<MapInfo> maps() {
        List<MapInfo> out = new ArrayList<>();
        for (Pointer m = LIB.bpf_object__next_map(obj(), null); m != null; m = LIB.bpf_object__next_map(obj(), m)) {
            out.add(new MapInfo(LIB.bpf_map__name(m), LIB.bpf_map__type(m), LIB.bpf_map__key_size(m),
                    LIB.bpf_map__value_size(m), LIB.bpf_map__max_entries(m), LIB.bpf_map__map_flags(m),
                    LIB.bpf_map__pin_path(m)));
        }
        return out;
    }

    /**
     * Sets the whole content of the object's .rodata before load. libbpf names that
     * map "<object name prefix>.rodata"; its size must equal data.length exactly.
     */
    public void setRodata(byte[] data) throws BpfException {
        Pointer found = null;
        for (Pointer m = LIB.bpf_object__next_map(obj(), null); m != null; m = LIB.bpf_object__next_map(obj(), m)) {
            if (LIB.bpf_map__name(m).endsWith(".rodata")) {
                found = m;
            }
        }
        if (found == null) {
            throw new BpfException(name + " has no .rodata section", Errno.EINVAL);
        }
        int size = LIB.bpf_map__value_size(found);
        if (size != data.length) {
            throw new BpfException(name + ": .rodata is " + size + " bytes, expected exactly " + data.length
                    + " (the program configuration must be its only read-only global)", Errno.EINVAL);
        }
        Pointer m = found;
        try (LibbpfLog.Capture log = LibbpfLog.capture()) {
            int ret = LIB.bpf_map__set_initial_value(m, data, data.length);
            if (ret < 0) {
                BpfException e = Calls.failure("bpf_map__set_initial_value(.rodata) on " + name, -ret);
                throw new BpfException(e.getMessage() + log.text(), e.errno());
            }
        }
    }

    /**
     * bpf_object__load: creates or reuses the maps, pins new ones, loads the programs.
     * A failure carries libbpf's warnings and, for a rejected program, the verifier log.
     */
    public void load() throws BpfException {
        try (LibbpfLog.Capture log = LibbpfLog.capture()) {
            int ret = LIB.bpf_object__load(obj());
            if (ret < 0) {
                StringBuilder msg = new StringBuilder(
                        Calls.failure("bpf_object__load(" + name + ")", -ret).getMessage());
                msg.append(log.text());
                String verifier = logBuf.getString(0);
                if (!verifier.isBlank()) {
                    msg.append("\nverifier log:\n").append(verifier);
                }
                throw new BpfException(msg.toString(), -ret);
            }
        } finally {
            logBuf = null; // libbpf only uses it during load
        }
    }

    /**
     * Before {@link #load}: no program of the object is loaded, only its maps are created (or
     * reused and pinned). Verifying the programs is most of a load's cost; a caller that only
     * needs the maps does not pay it.
     */
    public void skipPrograms() throws BpfException {
        for (Pointer p = LIB.bpf_object__next_program(obj(), null); p != null; p = LIB.bpf_object__next_program(obj(), p)) {
            int ret = LIB.bpf_program__set_autoload(p, false);
            if (ret < 0) throw Calls.failure("bpf_program__set_autoload on " + name, -ret);
        }
    }

    /** The fd of a loaded program; owned by this object. */
    public int programFd(String progName) throws BpfException {
        Pointer prog = program(progName);
        return Calls.check(LIB.bpf_program__fd(prog), "bpf_program__fd(" + progName + ")");
    }

    /** The fd of a loaded object's map; owned by this object. */
    public int mapFd(String mapName) throws BpfException {
        return Calls.check(LIB.bpf_object__find_map_fd_by_name(obj(), mapName),
                "bpf_object__find_map_fd_by_name(" + mapName + ") in " + name);
    }

    private Pointer program(String progName) throws BpfException {
        Pointer prog = LIB.bpf_object__find_program_by_name(obj(), progName);
        if (prog == null) {
            throw Calls.lastError("bpf_object__find_program_by_name(" + progName + ") in " + name);
        }
        return prog;
    }

    /**
     * Attaches a program to ifindex (in the calling thread's network namespace)
     * with an XDP bpf_link, pins the link at pinPath and releases this process's
     * reference: the pin alone keeps the program attached. If pinning fails the
     * link is destroyed, which detaches it.
     */
    public void attachXdp(String progName, int ifindex, Path pinPath) throws BpfException {
        Pointer prog = program(progName);
        try (LibbpfLog.Capture log = LibbpfLog.capture()) {
            Pointer link = LIB.bpf_program__attach_xdp(prog, ifindex);
            if (link == null) {
                BpfException e = Calls.lastError("bpf_program__attach_xdp(" + progName + ", ifindex " + ifindex + ")");
                throw new BpfException(e.getMessage() + log.text(), e.errno());
            }
            try {
                int ret = LIB.bpf_link__pin(link, pinPath.toString());
                if (ret < 0) {
                    BpfException e = Calls.failure("bpf_link__pin(" + pinPath + ")", -ret);
                    throw new BpfException(e.getMessage() + log.text(), e.errno());
                }
            } finally {
                LIB.bpf_link__destroy(link);
            }
        }
    }

    /** bpf_object__close: closes the fds of maps and programs; pins and pinned links stay. */
    @Override
    public void close() {
        if (obj != null) {
            LIB.bpf_object__close(obj);
            obj = null;
        }
    }
}
