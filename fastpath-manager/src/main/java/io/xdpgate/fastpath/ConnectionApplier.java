package io.xdpgate.fastpath;

import io.xdpgate.fpc.FpcApplier;
import io.xdpgate.fpc.FpcHello;
import io.xdpgate.fpc.FpcKeepalive;
import io.xdpgate.fpc.FpcMessage;
import io.xdpgate.fpc.FpcStatus;
import io.xdpgate.fpc.FpcSyncBegin;
import io.xdpgate.fpc.FpcSyncEnd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one FPC connection: who the sender is and which generation it is sending.
 * Objects are tagged with that generation; SYNC_END sweeps what the generation left out.
 */
final class ConnectionApplier implements FpcApplier {

    private static final Logger log = LoggerFactory.getLogger(ConnectionApplier.class);

    private final ForwardingState state;
    private String owner = "unidentified";
    private long generation;
    private boolean syncing;

    ConnectionApplier(ForwardingState state) {
        this.state = state;
    }

    @Override
    public void connected(FpcHello peer) {
        owner = peer.identity();
    }

    @Override
    public FpcStatus apply(FpcMessage message) {
        if (message instanceof FpcKeepalive) return FpcStatus.OK;
        if (message instanceof FpcSyncBegin b) {
            generation = b.generation();
            syncing = true;
            log.info("generation {} of {} begins", generation, owner);
            return FpcStatus.OK;
        }
        if (message instanceof FpcSyncEnd e) {
            if (!syncing || e.generation() != generation) {
                log.warn("SYNC_END {} from {} does not close generation {}: nothing swept", e.generation(), owner, generation);
                return FpcStatus.INVALID;
            }
            syncing = false;
            state.sweep(owner, generation);
            return FpcStatus.OK;
        }
        return state.apply(message, owner, generation);
    }

    @Override
    public void connectionClosed() {
        // A sync cut short is never swept: the next connection starts a new generation.
        if (syncing) log.warn("connection of {} closed during generation {}: waiting for its resync", owner, generation);
    }
}
