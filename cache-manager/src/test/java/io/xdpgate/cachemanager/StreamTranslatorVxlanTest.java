package io.xdpgate.cachemanager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpgate.fpc.FpcMessage;
import io.xdpgate.fpc.FpcVxlan;
import io.xdpgate.netlink.Link;
import io.xdpgate.netlink.Neighbour;
import io.xdpgate.netlink.Rtnl;
import io.xdpgate.netlink.RtnlEvent;
import io.xdpgate.netlink.VxlanInfo;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A VXLAN device's remote endpoint comes from its `remote` or from its all-zeros FDB entry, in either order. */
class StreamTranslatorVxlanTest {
    private static final byte[] MAC = {2, 0, 0, 0, 0, 9};
    private final StreamTranslator stream = new StreamTranslator(3, () -> true);
    private final List<FpcMessage> sent = new ArrayList<>();

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    private static Link vx0(InetAddress group) throws Exception {
        return new Link(9, "vx0", "vxlan", MAC, 1450, 0x10043, 6, 0,
                new VxlanInfo(42, ip("10.201.1.1"), group, 4789, 7, 0, true), 7, -1);
    }

    private static Neighbour fdb(String dst) throws Exception {
        return new Neighbour(Rtnl.AF_BRIDGE, 9, ip(dst), new byte[6], Rtnl.NUD_PERMANENT, Rtnl.NTF_SELF);
    }

    private List<FpcVxlan> vxlans() {
        return sent.stream().filter(m -> m instanceof FpcVxlan).map(m -> (FpcVxlan) m).toList();
    }

    @Test
    void theDefaultFdbEntryIsTheRemoteOfADeviceWithoutOne() throws Exception {
        stream.translate(new RtnlEvent(false, vx0(null)), sent::add);
        assertEquals(null, vxlans().get(0).remote(), "no remote yet");
        stream.translate(new RtnlEvent(false, fdb("10.201.1.2")), sent::add);
        assertEquals(ip("10.201.1.2"), vxlans().get(1).remote(), "bridge fdb append 00:00:00:00:00:00 dev vx0 dst ...");
        assertTrue(sent.stream().noneMatch(m -> m instanceof io.xdpgate.fpc.FpcNeighbour), "an FDB entry is no neighbour");
        stream.translate(new RtnlEvent(true, fdb("10.201.1.99")), sent::add);
        assertEquals(2, vxlans().size(), "the removal of an entry that is not the remote changes nothing");
        stream.translate(new RtnlEvent(true, fdb("10.201.1.2")), sent::add);
        assertEquals(null, vxlans().get(2).remote(), "bridge fdb del: no remote any more");
    }

    @Test
    void anFdbEntryBeforeItsDeviceIsNotLost() throws Exception {
        stream.translate(new RtnlEvent(false, fdb("10.201.1.2")), sent::add);
        assertTrue(vxlans().isEmpty());
        stream.translate(new RtnlEvent(false, vx0(null)), sent::add);
        assertEquals(ip("10.201.1.2"), vxlans().get(0).remote());
    }

    @Test
    void theDevicesOwnUnicastRemoteComesFirst() throws Exception {
        stream.translate(new RtnlEvent(false, vx0(ip("10.201.1.5"))), sent::add);
        stream.translate(new RtnlEvent(false, fdb("10.201.1.5")), sent::add);
        assertEquals(ip("10.201.1.5"), vxlans().get(vxlans().size() - 1).remote());
    }
}
