package io.xdpgate.ebpf;

import io.xdpgate.ebpf.libbpf.BpfObject;
import io.xdpgate.ebpf.libbpf.XdpTestRunner;
import java.nio.file.Path;

/**
 * The yardstick of {@code xdpgate bench forward} (xdp_fib_ref.bpf.o): an XDP forwarder that asks
 * the kernel's FIB and neighbour table with bpf_fib_lookup, as Linux's own samples do, beside a
 * program that only passes (what a test run costs around any program) and one that only drops
 * (a traffic sink). No daemon ever attaches these; the object has no maps.
 */
public final class FibReferenceProgram implements AutoCloseable {
    static final String RESOURCE = "/bpf/xdp_fib_ref.bpf.o";

    /** The object's programs. */
    public enum Program {
        /** Ethernet + IPv4/IPv6, bpf_fib_lookup on the ingress ifindex, TTL/hop limit, MACs, bpf_redirect. */
        FIB("xg_ref_fib"),
        /** Returns XDP_PASS. */
        PASS("xg_ref_pass"),
        /** Returns XDP_DROP. */
        DROP("xg_ref_drop");

        private final String name;

        Program(String name) {
            this.name = name;
        }

        public String programName() {
            return name;
        }
    }

    private final BpfObject object;

    private FibReferenceProgram(BpfObject object) {
        this.object = object;
    }

    public static FibReferenceProgram load() throws BpfException {
        BpfObject object = BpfObject.open(EmbeddedObject.path(RESOURCE), null);
        try {
            object.load();
            return new FibReferenceProgram(object);
        } catch (BpfException | RuntimeException e) {
            object.close();
            throw e;
        }
    }

    /** A runner of one program for test runs on frames of at most maxFrame bytes. */
    public XdpTestRun.Runner runner(Program p, int maxFrame) throws BpfException {
        return new XdpTestRun.Runner(new XdpTestRunner(object.programFd(p.programName()), p.programName(), maxFrame));
    }

    /**
     * Attaches program p to ifindex (in the calling thread's network namespace) with a bpf_link
     * pinned at pin: deleting the pin detaches it, and so does deleting the device.
     */
    public void attach(Program p, int ifindex, Path pin) throws BpfException {
        object.attachXdp(p.programName(), ifindex, pin);
    }

    @Override
    public void close() {
        object.close();
    }
}
