package io.xdpgate.cachemanager;

import io.xdpgate.fpc.FpcMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/** A follower's output, batch after batch, kept in order for assertions; thread-safe. */
final class SentMessages implements NamespaceFollower.Sink {
    private final List<FpcMessage> messages = new ArrayList<>();

    @Override
    public synchronized void accept(List<FpcMessage> batch, boolean dump) {
        messages.addAll(batch);
        notifyAll();
    }

    synchronized List<FpcMessage> snapshot() {
        return List.copyOf(messages);
    }

    synchronized int size() {
        return messages.size();
    }

    /** Waits until a message from index {@code from} on matches; returns its index. */
    synchronized int await(int from, Predicate<FpcMessage> match, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (true) {
            for (int i = from; i < messages.size(); i++) {
                if (match.test(messages.get(i))) return i;
            }
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) fail("no matching message within " + millis + " ms; sent since: " + messages.subList(from, messages.size()));
            wait(left);
        }
    }

    /** Waits until nothing was added for {@code millis}. */
    void awaitQuiet(long millis) throws InterruptedException {
        int size;
        do {
            size = size();
            Thread.sleep(millis);
        } while (size() != size);
    }
}
