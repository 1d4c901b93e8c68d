package io.xdpgate.netlink;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntConsumer;

/** Messages seen per nlmsg_type. Thread-safe: one thread counts, any thread reads. */
public final class NetlinkMessageCounter {
    /** rtnetlink types are all below 128; a flat array keeps the per-message cost to one atomic add. */
    private static final int DIRECT = 128;
    private final AtomicLongArray direct = new AtomicLongArray(DIRECT);
    private final Map<Integer, LongAdder> others = new ConcurrentHashMap<>();
    private final IntConsumer also;

    public NetlinkMessageCounter() {
        this(null);
    }

    /** Also hands every counted type to {@code also} (null: nothing), which must not throw. */
    public NetlinkMessageCounter(IntConsumer also) {
        this.also = also;
    }

    public void count(int type) {
        if (also != null) {
            also.accept(type);
        }
        if (type >= 0 && type < DIRECT) {
            direct.incrementAndGet(type);
        } else {
            others.computeIfAbsent(type, t -> new LongAdder()).increment();
        }
    }

    public long get(int type) {
        if (type >= 0 && type < DIRECT) {
            return direct.get(type);
        }
        LongAdder adder = others.get(type);
        return adder == null ? 0 : adder.sum();
    }

    /** Non-zero counts by UAPI type name ("RTM_NEWROUTE", "type 200"), sorted by name. */
    public Map<String, Long> byName() {
        Map<String, Long> result = new TreeMap<>();
        for (int type = 0; type < DIRECT; type++) {
            long n = direct.get(type);
            if (n != 0) {
                result.put(Rtnl.messageTypeName(type), n);
            }
        }
        others.forEach((type, n) -> result.put(Rtnl.messageTypeName(type), n.sum()));
        return result;
    }
}
