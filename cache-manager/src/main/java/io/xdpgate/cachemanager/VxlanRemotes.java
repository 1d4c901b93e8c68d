package io.xdpgate.cachemanager;

import io.xdpgate.fpc.FpcMessage;
import io.xdpgate.netlink.Link;
import io.xdpgate.netlink.Neighbour;
import io.xdpgate.netlink.Rtnl;
import io.xdpgate.netlink.RtnlEvent;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * The VXLAN devices of a namespace and their default remote from the FDB (the all-zeros entry,
 * `bridge fdb append 00:00:00:00:00:00 dev vx0 dst B`): a VXLAN_ADD carries both, and either may
 * change without the other, so both are remembered (by ifindex) to send the whole message again.
 */
final class VxlanRemotes {
    private final KernelTranslator translator;
    private final Map<Integer, Link> devices = new HashMap<>();
    private final Map<Integer, InetAddress> fdbRemotes = new HashMap<>();

    VxlanRemotes(KernelTranslator translator) {
        this.translator = translator;
    }

    void clear() {
        devices.clear();
        fdbRemotes.clear();
    }

    /** The VXLAN_ADD this event calls for (a VXLAN device or its default FDB remote changed), or null. */
    FpcMessage onEvent(RtnlEvent event) {
        if (event.object() instanceof Link l) {
            if (event.deleted() || l.vxlan() == null) {
                devices.remove(l.ifindex());
                fdbRemotes.remove(l.ifindex());
                return null;
            }
            devices.put(l.ifindex(), l);
            return translator.vxlanOf(l, fdbRemotes.get(l.ifindex()));
        }
        if (event.object() instanceof Neighbour n && n.family() == Rtnl.AF_BRIDGE) {
            if (event.deleted()) {
                if (!n.address().equals(fdbRemotes.get(n.ifindex()))) return null; // another destination went
                fdbRemotes.remove(n.ifindex());
            } else {
                fdbRemotes.put(n.ifindex(), n.address());
            }
            Link device = devices.get(n.ifindex());
            return device == null ? null : translator.vxlanOf(device, fdbRemotes.get(n.ifindex()));
        }
        return null;
    }
}
