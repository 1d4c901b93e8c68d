package io.xdpgate.cachemanager;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A namespace of its own with lo up and a veth pair xga / xgb (not up: each test decides), and a
 * follower of it started by {@link #follow}, whose output is kept in {@link #sent} (needs root).
 */
abstract class FollowerFixture {

    XgNamespace ns;
    NamespaceFollower follower;
    final SentMessages sent = new SentMessages();
    final CacheManagerMetrics metrics = new CacheManagerMetrics();

    @BeforeEach
    void createNamespace() throws Exception {
        Privileged.requireRoot();
        ns = new XgNamespace();
        ns.ip("link", "set", "lo", "up");
        ns.ip("link", "add", "xga", "type", "veth", "peer", "name", "xgb");
    }

    @AfterEach
    void closeFollowerAndNamespace() throws Exception {
        try {
            if (follower != null) follower.close();
        } finally {
            if (ns != null) ns.close();
        }
    }

    /** Brings both veths up. */
    void vethsUp() throws Exception {
        ns.ip("link", "set", "xga", "up");
        ns.ip("link", "set", "xgb", "up");
    }

    /** Starts following the namespace as {@code vrf} and waits for its first generation. */
    void follow(int vrf, boolean ipv6) throws Exception {
        follower = new NamespaceFollower(ns.name, vrf, 1 << 20, ipv6, null, new AtomicLong(), sent, () -> true,
                metrics.namespace(ns.name));
        follower.resync().get();
    }
}
