package io.xdpgate.netlink;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A monitor consumer as cache-manager would write one: a view keyed like the kernel's objects, with
 * mark-and-sweep by epoch at onSyncEnd. It also keeps every event with its arrival time for assertions.
 */
class Recorder implements RtnlMonitor.Listener {
    record Timed(long nanos, RtnlEvent event) {}

    private final Map<Object, Long> view = new HashMap<>();
    private final List<Timed> events = new ArrayList<>();
    private final boolean keepEvents;
    private long epoch;
    private long syncEnds;
    private long datagramEnds;
    private long eventsSinceDatagramEnd;
    private long lastActivity = System.nanoTime();

    Recorder(boolean keepEvents) {
        this.keepEvents = keepEvents;
    }

    static Object key(RtnlObject o) {
        if (o instanceof Link l) {
            return List.of("link", l.ifindex());
        }
        if (o instanceof Address a) {
            return List.of("addr", a.ifindex(), a.address(), a.prefixLength());
        }
        if (o instanceof Route r) {
            return List.of("route", r.family(), r.table(), r.dst(), r.dstLength(), r.priority());
        }
        if (o instanceof NexthopObject nh) {
            return List.of("nexthop", nh.id());
        }
        if (o instanceof NetnsId id) {
            return List.of("nsid", id.nsid());
        }
        if (o instanceof Rule r) {
            return List.of("rule", r.family(), r.identity());
        }
        Neighbour n = (Neighbour) o;
        return List.of("neigh", n.ifindex(), n.address());
    }

    @Override
    public synchronized void onSyncBegin(long epoch) {
        this.epoch = epoch;
        touch();
    }

    @Override
    public void onEvent(RtnlEvent event) {
        synchronized (this) {
            if (event.deleted()) {
                view.remove(key(event.object()));
            } else {
                view.put(key(event.object()), epoch);
            }
            if (keepEvents) {
                events.add(new Timed(System.nanoTime(), event));
            }
            eventsSinceDatagramEnd++;
            touch();
        }
    }

    @Override
    public synchronized void onDatagramEnd() {
        datagramEnds++;
        eventsSinceDatagramEnd = 0;
        touch();
    }

    synchronized long datagramEnds() {
        return datagramEnds;
    }

    /** Events delivered since the last onDatagramEnd: 0 whenever the monitor is between datagrams. */
    synchronized long eventsSinceDatagramEnd() {
        return eventsSinceDatagramEnd;
    }

    @Override
    public synchronized void onSyncEnd(long epoch) {
        view.values().removeIf(marked -> marked < epoch); // not re-announced in this epoch: gone
        syncEnds++;
        touch();
    }

    private void touch() {
        lastActivity = System.nanoTime();
        notifyAll();
    }

    synchronized long syncEnds() {
        return syncEnds;
    }

    synchronized long quietMillis() {
        return (System.nanoTime() - lastActivity) / 1_000_000;
    }

    synchronized long count(String kind) {
        return view.keySet().stream().filter(k -> ((List<?>) k).get(0).equals(kind)).count();
    }

    synchronized List<RtnlObject> objects(Class<?> type) {
        // Rebuilt from the retained events: the latest state of each key still in the view.
        Map<Object, RtnlObject> latest = new HashMap<>();
        for (Timed t : events) {
            Object k = key(t.event().object());
            if (t.event().deleted()) {
                latest.remove(k);
            } else {
                latest.put(k, t.event().object());
            }
        }
        latest.keySet().retainAll(view.keySet());
        return latest.values().stream().filter(type::isInstance).toList();
    }

    /** The objects of every retained event of {@code type}, in the order they arrived. */
    synchronized List<RtnlObject> arrivals(Class<?> type) {
        return events.stream().map(t -> t.event().object()).filter(type::isInstance).toList();
    }

    synchronized void awaitSyncEnds(long n, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (syncEnds < n) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                throw new AssertionError("no onSyncEnd #" + n + " within " + timeoutMillis + " ms");
            }
            wait(left);
        }
    }

    /** Waits for an event matching {@code p} that arrived after {@code sinceNanos}; returns it with its time. */
    synchronized Timed await(Predicate<RtnlEvent> p, long sinceNanos, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            for (Timed t : events) {
                if (t.nanos() >= sinceNanos && p.test(t.event())) {
                    return t;
                }
            }
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                throw new AssertionError("no matching event within " + timeoutMillis + " ms");
            }
            wait(left);
        }
    }
}
