package io.xdpgate.fastpath;

import io.xdpgate.ebpf.BpfException;
import io.xdpgate.ebpf.FastPathProgram;
import io.xdpgate.netlink.NetworkNamespace;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The XDP program instance of one VRF and the thread that lives in its network namespace.
 * Ifindexes are resolved by the kernel in the namespace of the calling thread, so every
 * attach and detach runs on that thread.
 */
final class VrfDataplane implements AutoCloseable {

    private final int vrf;
    private final String netns;
    private final FastPathProgram program;
    private final ExecutorService nsThread;
    private final Set<Integer> attached = java.util.concurrent.ConcurrentHashMap.newKeySet(); // read by the capture watcher

    private VrfDataplane(int vrf, String netns, FastPathProgram program, ExecutorService nsThread) {
        this.vrf = vrf;
        this.netns = netns;
        this.program = program;
        this.nsThread = nsThread;
    }

    static VrfDataplane load(Path pinRoot, int vrf, String netns) throws BpfException {
        FastPathProgram program = FastPathProgram.load(pinRoot, vrf);
        ExecutorService thread = NetworkNamespace.executor(netns, "vrf" + vrf + "-ns");
        return new VrfDataplane(vrf, netns, program, thread);
    }

    String netns() {
        return netns;
    }

    boolean isAttached(int ifindex) {
        return attached.contains(ifindex);
    }

    /** The XDP program, and the TC program that forwards for it while the port is captured. */
    void attach(int ifindex) throws Exception {
        inNamespace(() -> {
            program.attach(ifindex);
            program.attachTc(ifindex);
        });
        attached.add(ifindex);
    }

    int vrf() {
        return vrf;
    }

    /** The attached ports, a copy. */
    Set<Integer> attachedPorts() {
        return Set.copyOf(attached);
    }

    /** Runs work on the thread that lives in this VRF's namespace and returns its result. */
    <T> T call(java.util.concurrent.Callable<T> work) throws Exception {
        try {
            return nsThread.submit(work).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) throw ex;
            throw e;
        }
    }

    void detach(int ifindex) throws Exception {
        if (!attached.remove(ifindex)) return;
        inNamespace(() -> program.detach(ifindex));
    }

    private void inNamespace(BpfAction action) throws Exception {
        try {
            nsThread.submit(() -> {
                action.run();
                return null;
            }).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) throw ex;
            throw e;
        }
    }

    @FunctionalInterface
    private interface BpfAction {
        void run() throws Exception;
    }

    /** Detaches a port attached by a previous run (its pinned link), if any. */
    void detachPinned(int ifindex) throws Exception {
        attached.remove(ifindex);
        inNamespace(() -> program.detach(ifindex));
    }

    /** Detaches every port of this VRF (the VRF is gone or no longer served). */
    void detachAll() {
        for (Integer ifindex : Set.copyOf(attached)) {
            try {
                detach(ifindex);
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(VrfDataplane.class)
                        .warn("vrf {}: detach ifindex {}: {}", vrf, ifindex, e.getMessage());
            }
        }
    }

    /** Closes the program handle; pinned links keep forwarding. */
    @Override
    public void close() {
        program.close();
        nsThread.shutdownNow();
    }
}
