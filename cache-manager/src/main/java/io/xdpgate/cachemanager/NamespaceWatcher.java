package io.xdpgate.cachemanager;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Follows the named network namespaces in /run/netns: inotify (through the WatchService)
 * says at once that something changed, and a rescan at least every second decides what is
 * there, so that a lost or early event (the file exists before `ip netns add` has mounted the
 * namespace on it) is corrected within a second.
 */
final class NamespaceWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NamespaceWatcher.class);

    private final Path directory;
    private final Consumer<VrfRegistry.Namespace> appeared;
    private final Consumer<VrfRegistry.Namespace> disappeared;
    private final Map<String, VrfRegistry.Namespace> known = new HashMap<>();
    private final Thread thread;
    private volatile boolean closed;
    private WatchService watch;

    NamespaceWatcher(Path directory, Consumer<VrfRegistry.Namespace> appeared, Consumer<VrfRegistry.Namespace> disappeared) {
        this.directory = directory;
        this.appeared = appeared;
        this.disappeared = disappeared;
        this.thread = new Thread(this::run, "netns-watch");
        this.thread.setDaemon(true);
    }

    /** Reports what /run/netns holds now, on the caller's thread. */
    void scanNow() {
        try {
            rescan();
        } catch (IOException e) {
            log.warn("scanning {}: {}", directory, e.toString());
        }
    }

    /** Follows changes from now on, on a thread of its own. */
    void start() {
        thread.start();
    }

    private void run() {
        while (!closed) {
            try {
                if (watch == null && Files.isDirectory(directory)) {
                    watch = directory.getFileSystem().newWatchService();
                    directory.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE);
                }
                rescan();
                if (watch == null) {
                    Thread.sleep(1000); // no /run/netns yet: `ip netns add` creates it
                    continue;
                }
                var key = watch.poll(1, TimeUnit.SECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                    Thread.sleep(20); // let `ip netns add` finish mounting before the rescan
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (IOException | RuntimeException e) {
                log.warn("watching {}: {}; rescanning in 1 s", directory, e.toString());
                closeWatch();
                sleepQuietly();
            }
        }
    }

    /** Compares what /run/netns holds now with what was reported, and reports the changes. */
    private synchronized void rescan() throws IOException {
        Map<String, VrfRegistry.Namespace> now = new HashMap<>();
        if (Files.isDirectory(directory)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
                for (Path p : entries) {
                    VrfRegistry.Namespace ns = namespaceAt(p);
                    if (ns != null) now.put(ns.name(), ns);
                }
            }
        }
        for (var e : Map.copyOf(known).entrySet()) {
            VrfRegistry.Namespace current = now.get(e.getKey());
            if (current == null || current.inode() != e.getValue().inode()) {
                known.remove(e.getKey());
                disappeared.accept(e.getValue());
            }
        }
        for (var e : now.entrySet()) {
            if (!known.containsKey(e.getKey())) {
                known.put(e.getKey(), e.getValue());
                appeared.accept(e.getValue());
            }
        }
    }

    /**
     * A namespace file is an nsfs bind mount; before `ip netns add` mounts it, it is an empty
     * regular file on tmpfs, whose inode is not a namespace's. nsfs inodes are reported by stat
     * with the namespace's inode number, which `ip netns` and /proc/PID/ns agree on.
     */
    private static VrfRegistry.Namespace namespaceAt(Path p) {
        try {
            Object ino = Files.getAttribute(p, "unix:ino");
            Object dev = Files.getAttribute(p, "unix:dev");
            Object parentDev = Files.getAttribute(p.getParent(), "unix:dev");
            if (dev.equals(parentDev)) return null; // not mounted yet
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            if (a.isDirectory()) return null;
            return new VrfRegistry.Namespace(p.getFileName().toString(), ((Number) ino).longValue());
        } catch (IOException | UnsupportedOperationException e) {
            return null; // vanished meanwhile, or not readable: the next rescan decides
        }
    }

    private void closeWatch() {
        try {
            if (watch != null) watch.close();
        } catch (IOException ignored) {
            // closing a broken watch: nothing left to release
        }
        watch = null;
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        closeWatch();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
