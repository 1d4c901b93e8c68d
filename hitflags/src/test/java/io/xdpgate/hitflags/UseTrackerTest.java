package io.xdpgate.hitflags;

import io.xdpgate.ebpf.NeighbourUse;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class UseTrackerTest {

    private static final long[] NO_SLOTS = new long[4];

    private static NeighbourUse use(String address, long nanos) throws Exception {
        return new NeighbourUse(1, 4, InetAddress.getByName(address), nanos);
    }

    private static UseTracker.Neighbour n(String address) throws Exception {
        return new UseTracker.Neighbour(1, 4, InetAddress.getByName(address));
    }

    /** Gateways of slots 1 and 2, counting the lookups. */
    private static final class Gateways implements UseTracker.Gateways {
        final List<Integer> asked = new ArrayList<>();
        final Map<Integer, String> bySlot = Map.of(1, "10.0.0.254", 2, "fe80::1");

        @Override
        public NeighbourUse at(int slot, long time) {
            asked.add(slot);
            try {
                return bySlot.containsKey(slot) ? use(bySlot.get(slot), time) : null;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void theFirstScanOnlyLearnsThenChangedAndNewTimesAreUses() throws Exception {
        UseTracker t = new UseTracker();
        Gateways g = new Gateways();
        assertEquals(List.of(), t.usedSince(List.of(use("10.0.0.1", 100), use("10.0.0.2", 100)), NO_SLOTS, g),
                "times older than the daemon say nothing");
        assertEquals(List.of(n("10.0.0.1"), n("2001:db8::3")),
                t.usedSince(List.of(use("10.0.0.1", 250), use("10.0.0.2", 100), use("2001:db8::3", 260)), NO_SLOTS, g));
        assertEquals(List.of(), t.usedSince(List.of(use("10.0.0.1", 250), use("2001:db8::3", 260)), NO_SLOTS, g),
                "nothing used since: nothing refreshed, and a neighbour evicted from the map is simply gone");
        assertEquals(List.of(n("10.0.0.2")), t.usedSince(List.of(use("10.0.0.2", 400)), NO_SLOTS, g), "back after an eviction");
    }

    @Test
    void onlyGatewaySlotsWhoseTimeChangedAreResolvedAndRefreshed() throws Exception {
        UseTracker t = new UseTracker();
        Gateways g = new Gateways();
        assertEquals(List.of(), t.usedSince(List.of(), new long[] {0, 100, 100, 0}, g));
        assertEquals(List.of(), g.asked, "the first scan resolves nothing");
        assertEquals(List.of(n("10.0.0.254")), t.usedSince(List.of(), new long[] {0, 200, 100, 0}, g));
        assertEquals(List.of(1), g.asked);
        assertEquals(List.of(n("fe80::1")), t.usedSince(List.of(), new long[] {0, 200, 300, 50}, g),
                "slot 3 names no gateway (a connected slot): nothing to refresh");
        assertEquals(List.of(1, 2, 3), g.asked);
    }

    @Test
    void aNeighbourUsedBothWaysIsRefreshedOnceAndATwiceRecordedOneCountsByItsLatestTime() throws Exception {
        UseTracker t = new UseTracker();
        Gateways g = new Gateways();
        t.usedSince(List.of(use("10.0.0.254", 100), use("10.0.0.254", 300)), new long[] {0, 100, 0, 0}, g);
        assertEquals(List.of(), t.usedSince(List.of(use("10.0.0.254", 300), use("10.0.0.254", 200)), new long[] {0, 100, 0, 0}, g),
                "still 300: unused");
        assertEquals(List.of(n("10.0.0.254")),
                t.usedSince(List.of(use("10.0.0.254", 400)), new long[] {0, 400, 0, 0}, g), "connected and gateway at once");
    }

    @Test
    void theSameNeighbourInTwoVrfsOrOnTwoInterfacesIsTwoNeighbours() throws Exception {
        UseTracker t = new UseTracker();
        t.usedSince(List.of(), NO_SLOTS, new Gateways());
        InetAddress a = InetAddress.getByName("10.0.0.1");
        assertEquals(3, t.usedSince(List.of(new NeighbourUse(1, 4, a, 5), new NeighbourUse(2, 4, a, 5),
                new NeighbourUse(1, 5, a, 5)), NO_SLOTS, new Gateways()).size());
    }
}
