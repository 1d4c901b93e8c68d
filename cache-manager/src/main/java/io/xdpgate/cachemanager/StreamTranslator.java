package io.xdpgate.cachemanager;

import io.xdpgate.fpc.FpcMessage;
import io.xdpgate.netlink.RtnlEvent;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Turns one namespace's stream of kernel events (a dump, then live changes) into FPC messages:
 * {@link KernelTranslator} for each object, plus the little memory needed where the kernel's
 * announcements alone would mislead the fast path ({@link Ipv6MultipathRoutes},
 * {@link NexthopReferences}). Called by the monitor's listener only (one call at a time).
 */
final class StreamTranslator {

    private final KernelTranslator translator;
    private final Ipv6MultipathRoutes ipv6Multipath = new Ipv6MultipathRoutes();
    private final NexthopReferences nexthops;
    private final VxlanRemotes vxlans;

    /** @param queueDrained true when everything handed out so far has been taken for sending */
    StreamTranslator(int vrf, BooleanSupplier queueDrained) {
        this.translator = new KernelTranslator(vrf);
        this.nexthops = new NexthopReferences(translator, queueDrained);
        this.vxlans = new VxlanRemotes(translator);
    }

    /** A full dump starts: it announces everything again, so what was remembered is dropped. */
    void dumpBegins() {
        ipv6Multipath.clear();
        nexthops.clear();
        vxlans.clear();
    }

    /**
     * Hands {@code out} the messages for one event, in the order they must be sent. Returns true when
     * the namespace must be dumped again for the fast path to be right (see {@link NexthopReferences}).
     */
    boolean translate(RtnlEvent event, Consumer<FpcMessage> out) {
        FpcMessage m = translator.translate(ipv6Multipath.apply(event));
        if (m == null) {
            FpcMessage vxlan = vxlans.onEvent(event); // a VXLAN device's default FDB remote
            if (vxlan != null) out.accept(vxlan);
            return false;
        }
        if (NexthopReferences.isNexthopDelete(m) && !nexthops.beforeDelete(m, out)) {
            return true; // not sent: the new generation's sweep deletes it
        }
        boolean dumpAgain = !NexthopReferences.isNexthopDelete(m) && nexthops.sending(m);
        out.accept(m);
        FpcMessage vxlan = vxlans.onEvent(event);
        if (vxlan != null) out.accept(vxlan); // after its link (same queue lane: in order)
        return dumpAgain;
    }

    /** Routes through nexthop objects remembered (for tests and diagnostics). */
    int routesThroughNexthops() {
        return nexthops.routes();
    }
}
