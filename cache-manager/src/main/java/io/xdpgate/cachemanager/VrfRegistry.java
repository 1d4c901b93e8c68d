package io.xdpgate.cachemanager;

import java.util.HashMap;
import java.util.Map;

/**
 * VRF ids of network namespaces. The default namespace is VRF 0; every named namespace gets
 * the next free id, stable for the life of that namespace: a namespace deleted and created
 * again under the same name is a new namespace (another inode) and gets a new id.
 */
final class VrfRegistry {

    /** A namespace instance: its name under /run/netns and the inode of its nsfs file. */
    record Namespace(String name, long inode) {}

    static final int DEFAULT_VRF = 0;

    private final Map<Namespace, Integer> ids = new HashMap<>();
    private int next = 1;

    synchronized int idOf(Namespace ns) {
        return ids.computeIfAbsent(ns, k -> next++);
    }

    synchronized void release(Namespace ns) {
        ids.remove(ns);
    }

    synchronized int size() {
        return ids.size();
    }
}
