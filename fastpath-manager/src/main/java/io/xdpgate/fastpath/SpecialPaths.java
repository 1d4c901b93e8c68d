package io.xdpgate.fastpath;

import io.xdpgate.ebpf.BpfException;
import io.xdpgate.ebpf.Interfaces;
import io.xdpgate.ebpf.SpecialMaps;
import io.xdpgate.ebpf.TcExceptionProgram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What keeps the fast path transparent beyond basic exceptions: the exception device of each VRF
 * that has a fast path (special exceptions), and the ports with a packet capture (tcpdump sees
 * what the fast path forwards through them, see xg_special.h). Failures here never stop
 * forwarding: without an exception device special exceptions are dropped and counted; a capture
 * that cannot be served leaves the port in XDP, where tcpdump does not see forwarded packets.
 */
final class SpecialPaths implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SpecialPaths.class);
    /** How often the packet sockets of every served namespace are read. */
    static final long CAPTURE_POLL_MILLIS = 200;

    private final Path pinRoot;
    private final SpecialMaps maps;
    private Set<SpecialMaps.PortKey> captured;
    private String lastPollError;

    SpecialPaths(Path pinRoot) throws BpfException {
        this.pinRoot = pinRoot;
        this.maps = SpecialMaps.open(pinRoot);
        this.captured = maps.captured(); // a restart: adopted, and corrected by the first poll
        // VXLAN entries are rewritten from the first synchronization; until then Linux's vxlan driver
        // decapsulates (slower, correct), and an entry of a device deleted meanwhile cannot linger.
        maps.clearVxlan();
        maps.clearVxlanEncap();
    }

    /** Creates (or adopts) the exception device of a VRF whose fast path was just loaded. */
    synchronized void dataplaneLoaded(VrfDataplane dp) {
        try {
            ExceptionDevice.ensure(dp.netns());
            try (TcExceptionProgram program = TcExceptionProgram.load(pinRoot, dp.vrf())) {
                int peer = dp.call(() -> {
                    int exc = Interfaces.ifindex(ExceptionDevice.NAME);
                    int p = Interfaces.ifindex(ExceptionDevice.PEER);
                    if (exc == 0 || p == 0) {
                        throw new BpfException(ExceptionDevice.NAME + " or " + ExceptionDevice.PEER
                                + " vanished right after it was made", 0);
                    }
                    program.attach(exc);
                    return p;
                });
                maps.putExceptionDevice(dp.vrf(), peer);
            }
            log.info("vrf {} (netns '{}'): exception device {} ready", dp.vrf(), dp.netns(), ExceptionDevice.NAME);
        } catch (Exception e) {
            log.error("vrf {} (netns '{}'): no exception device, special exceptions will be dropped: {}",
                    dp.vrf(), dp.netns(), e.getMessage());
        }
    }

    /** The VRF is gone or no longer served: its exception device goes too. */
    synchronized void dataplaneRemoved(VrfDataplane dp) {
        try {
            maps.deleteExceptionDevice(dp.vrf());
            TcExceptionProgram.detach(pinRoot, dp.vrf());
        } catch (BpfException e) {
            log.warn("vrf {}: removing the exception device's program: {}", dp.vrf(), e.getMessage());
        }
        ExceptionDevice.remove(dp.netns());
    }

    /**
     * Reads the packet sockets of every served namespace and makes exactly the ports with a capture
     * (a socket bound to every interface captures all the VRF's ports) the captured ones.
     */
    synchronized void pollCaptures(List<VrfDataplane> dataplanes) {
        Set<SpecialMaps.PortKey> now = new HashSet<>();
        String error = null;
        for (VrfDataplane dp : dataplanes) {
            try {
                Set<Integer> sockets = dp.call(PacketSockets::capturedIfindexes);
                if (sockets.isEmpty()) continue;
                for (int port : dp.attachedPorts()) {
                    if (sockets.contains(port) || sockets.contains(0)) now.add(new SpecialMaps.PortKey(dp.vrf(), port));
                }
            } catch (Exception e) {
                error = "vrf " + dp.vrf() + ": reading its packet sockets: " + e.getMessage();
            }
        }
        if (error != null && !error.equals(lastPollError)) log.warn("{}", error);
        lastPollError = error;
        if (now.equals(captured)) return;
        try {
            maps.setCaptured(now);
            log.info("captured ports now {} (were {}): their traffic goes through TC while captured",
                    describe(now), describe(captured));
            captured = now;
        } catch (BpfException e) {
            log.warn("cannot update the captured ports to {}: {}", describe(now), e.getMessage());
        }
    }

    /** The fast path of vrf decapsulates VNI vni of VXLAN device ifindex (same VRF); false if it could not be written. */
    synchronized boolean putVxlan(int vrf, int vni, int ifindex, java.net.Inet4Address local, int port, byte[] mac) {
        try {
            maps.putVxlan(vrf, vni, ifindex, vrf, local, port, mac);
            log.info("vrf {}: VXLAN VNI {} (ifindex {}, {}:{}) decapsulated by the fast path", vrf, vni, ifindex,
                    local.getHostAddress(), port);
            return true;
        } catch (BpfException e) {
            log.warn("vrf {}: VNI {} stays with Linux: {}", vrf, vni, e.getMessage());
            return false;
        }
    }

    synchronized void deleteVxlan(int vrf, int vni) {
        try {
            maps.deleteVxlan(vrf, vni);
        } catch (BpfException e) {
            log.warn("vrf {}: remove VNI {} from the fast path: {}", vrf, vni, e.getMessage());
        }
    }

    /**
     * Traffic the fast path of vrf routes into VXLAN device ifindex gets this outer header, or goes to
     * Linux (encap null: no entry); false if the map could not be written (the traffic then goes to Linux
     * only if no older entry remains: the old one is removed).
     */
    synchronized boolean putVxlanEncap(int vrf, int ifindex, io.xdpgate.ebpf.VxlanEncap encap) {
        try {
            if (encap == null) {
                maps.deleteVxlanEncap(vrf, ifindex);
                log.info("vrf {}: VXLAN device ifindex {}: no remote endpoint, its traffic goes to Linux", vrf, ifindex);
            } else {
                maps.putVxlanEncap(vrf, ifindex, encap);
                log.info("vrf {}: VXLAN device ifindex {}: {}", vrf, ifindex, encap.valid()
                        ? "encapsulated by the fast path towards underlay port " + encap.egress()
                        : "underlay towards the remote endpoint unresolved, its traffic goes to Linux");
            }
            return true;
        } catch (BpfException e) {
            log.warn("vrf {}: VXLAN device ifindex {}: encapsulation not written: {}", vrf, ifindex, e.getMessage());
            try {
                maps.deleteVxlanEncap(vrf, ifindex);
            } catch (BpfException ignored) {
                // nothing more to do: logged above
            }
            return false;
        }
    }

    /** The TC side's counters, summed over CPUs; null if unreadable (metrics keep their last values). */
    synchronized java.util.Map<io.xdpgate.ebpf.TcStat, io.xdpgate.ebpf.Counter> stats() {
        try {
            return maps.tcStats();
        } catch (BpfException e) {
            return null;
        }
    }

    private static String describe(Set<SpecialMaps.PortKey> ports) {
        Set<String> out = new TreeSet<>();
        for (SpecialMaps.PortKey p : ports) out.add("vrf" + p.vrf() + "/if" + p.ifindex());
        return out.isEmpty() ? "none" : String.join(",", out);
    }

    @Override
    public synchronized void close() {
        maps.close();
    }
}
