package io.xdpgate.fastpath;

import io.xdpgate.ebpf.BpfException;
import io.xdpgate.ebpf.FastPathMaps;
import io.xdpgate.ebpf.FastPathProgram;
import io.xdpgate.fpc.FpcServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Set;

/** The Fast Path Manager: FPC server in front, pinned maps and XDP programs behind. */
public final class FastPathManager implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FastPathManager.class);
    private static final int NEXTHOP_CAPACITY = 65536; // XG_NH_MAX

    private final ForwardingState state;
    private final FpcServer server;

    private FastPathManager(ForwardingState state, FpcServer server) {
        this.state = state;
        this.server = server;
    }

    public static FastPathManager start(FastPathOptions options) throws BpfException, InterruptedException {
        // Loading once for VRF 0 creates (or adopts and checks) every pinned map before any peer connects.
        FastPathProgram.load(options.pinRoot(), 0).close();
        FastPathMaps maps = FastPathMaps.open(options.pinRoot());
        ForwardingState state = new ForwardingState(options, maps, NEXTHOP_CAPACITY);
        state.adopt(); // a restart: the attached programs keep forwarding from these entries meanwhile
        Set<Integer> uids = new HashSet<>(options.allowedUids());
        uids.addAll(FpcServer.Options.defaults().allowedUids());
        FpcServer.Options serverOptions = new FpcServer.Options(options.socketPath(), Set.copyOf(uids),
                FpcServer.Options.defaults().keepaliveTimeout());
        FpcServer server = FpcServer.start(serverOptions, () -> new ConnectionApplier(state));
        log.info("listening for FPC on {}; maps pinned under {}", options.socketPath(), options.pinRoot());
        return new FastPathManager(state, server);
    }

    @Override
    public void close() {
        server.close();
        state.close();
        log.info("stopped; the attached fast path keeps forwarding");
    }
}
