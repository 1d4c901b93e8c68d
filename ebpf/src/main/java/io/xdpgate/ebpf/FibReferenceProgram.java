package io.xdpgate.ebpf;

import io.xdpgate.ebpf.libbpf.Bpf;
import io.xdpgate.ebpf.libbpf.BpfObject;
import io.xdpgate.ebpf.libbpf.XdpTestRunner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The yardstick of {@code xdpgate bench forward} (xdp_fib_ref.bpf.o): an XDP forwarder that asks
 * the kernel's FIB and neighbour table with bpf_fib_lookup, as Linux's own samples do, beside a
 * program that only passes (what a test run costs around any program), one that only drops
 * (a traffic sink) and one that relays frames from one interface to another (so that a port
 * receives XDP frames, as from a NIC's receive ring). No daemon ever attaches these; the object's
 * only map is the relay's table.
 */
public final class FibReferenceProgram implements AutoCloseable {
    static final String RESOURCE = "/bpf/xdp_fib_ref.bpf.o";
    private static final String RELAY_MAP = "xg_ref_relay_to";

    /** The object's programs. */
    public enum Program {
        /** Ethernet + IPv4/IPv6, bpf_fib_lookup on the ingress ifindex, TTL/hop limit, MACs, bpf_redirect. */
        FIB("xg_ref_fib"),
        /** Returns XDP_PASS. */
        PASS("xg_ref_pass"),
        /** Returns XDP_DROP. */
        DROP("xg_ref_drop"),
        /** Redirects each frame to the interface {@link #relay} named for its ingress (unnamed: XDP_DROP). */
        RELAY("xg_ref_relay");

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

    /**
     * Makes the relay program send what enters on fromIfindex to toIfindex; both interfaces in
     * one namespace, the one the relay program is attached in (one table serves one namespace).
     */
    public void relay(int fromIfindex, int toIfindex) throws BpfException {
        byte[] key = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(fromIfindex).array();
        byte[] value = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(toIfindex).array();
        Bpf.mapUpdate(object.mapFd(RELAY_MAP), RELAY_MAP, key, value, Bpf.BPF_ANY);
    }

    @Override
    public void close() {
        object.close();
    }
}
