package io.xdpgate.hitflags;

import io.xdpgate.ebpf.NeighbourUse;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class UseTrackerTest {

    private static NeighbourUse use(String address, long nanos) throws Exception {
        return new NeighbourUse(1, 4, InetAddress.getByName(address), nanos);
    }

    private static UseTracker.Neighbour n(String address) throws Exception {
        return new UseTracker.Neighbour(1, 4, InetAddress.getByName(address));
    }

    @Test
    void theFirstScanOnlyLearnsThenChangedAndNewTimesAreUses() throws Exception {
        UseTracker t = new UseTracker();
        assertEquals(List.of(), t.usedSince(List.of(use("10.0.0.1", 100), use("10.0.0.2", 100))),
                "times older than the daemon say nothing");
        assertEquals(List.of(n("10.0.0.1"), n("2001:db8::3")),
                t.usedSince(List.of(use("10.0.0.1", 250), use("10.0.0.2", 100), use("2001:db8::3", 260))));
        assertEquals(List.of(), t.usedSince(List.of(use("10.0.0.1", 250), use("2001:db8::3", 260))),
                "nothing used since: nothing refreshed, and a neighbour evicted from the map is simply gone");
        assertEquals(List.of(n("10.0.0.2")), t.usedSince(List.of(use("10.0.0.2", 400))), "back after an eviction");
    }

    @Test
    void aNeighbourRecordedTwiceCountsByItsLatestTime() throws Exception {
        UseTracker t = new UseTracker();
        t.usedSince(List.of(use("10.0.0.1", 100), use("10.0.0.1", 300)));
        assertEquals(List.of(), t.usedSince(List.of(use("10.0.0.1", 300), use("10.0.0.1", 200))), "still 300: unused");
        assertEquals(List.of(n("10.0.0.1")), t.usedSince(List.of(use("10.0.0.1", 200), use("10.0.0.1", 400))));
    }

    @Test
    void theSameNeighbourInTwoVrfsOrOnTwoInterfacesIsTwoNeighbours() throws Exception {
        UseTracker t = new UseTracker();
        t.usedSince(List.of());
        InetAddress a = InetAddress.getByName("10.0.0.1");
        assertEquals(3, t.usedSince(List.of(new NeighbourUse(1, 4, a, 5), new NeighbourUse(2, 4, a, 5),
                new NeighbourUse(1, 5, a, 5))).size());
    }
}
