package io.xdpgate.cachemanager;

import io.xdpgate.fpc.FpcMessage;
import io.xdpgate.netlink.RtnlEvent;

import java.util.function.Consumer;

/**
 * Turns one namespace's stream of kernel events (a dump, then live changes) into FPC messages:
 * {@link KernelTranslator} for each object, plus the little memory needed where the kernel's
 * announcements alone would mislead the fast path. On the monitor thread only.
 */
final class StreamTranslator {

    private final KernelTranslator translator;
    private final Ipv6MultipathRoutes ipv6Multipath = new Ipv6MultipathRoutes();

    StreamTranslator(int vrf) {
        this.translator = new KernelTranslator(vrf);
    }

    /** A full dump starts: it announces everything again, so what was remembered is dropped. */
    void dumpBegins() {
        ipv6Multipath.clear();
    }

    /** Hands {@code out} the messages for one event, in the order they must be sent. */
    void translate(RtnlEvent event, Consumer<FpcMessage> out) {
        FpcMessage m = translator.translate(ipv6Multipath.apply(event));
        if (m != null) out.accept(m);
    }
}
