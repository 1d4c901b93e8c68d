package io.xdpgate.cachemanager;

import io.xdpgate.fpc.FpcPolicyRouting;
import io.xdpgate.netlink.Link;
import io.xdpgate.netlink.RtnlEvent;
import io.xdpgate.netlink.Rule;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** When the cache manager states a namespace's policy routing answer, on hand-made event streams. */
class PolicyRoutingTrackerTest {

    private static final int VRF = 4;
    private static final RtnlEvent LOCAL4 = rule(2, 0, 255, true, "local4");
    private static final RtnlEvent MAIN4 = rule(2, 32766, 254, true, "main4");
    private static final RtnlEvent DEFAULT4 = rule(2, 32767, 253, true, "default4");
    private static final RtnlEvent SOURCE4 = rule(2, 1000, 100, false, "from 10.201.1.2");
    private static final RtnlEvent LO = new RtnlEvent(false, new Link(1, "lo", null, new byte[6], 65536, 0x9, 0, 0));

    private static RtnlEvent rule(int family, int priority, int table, boolean everything, String identity) {
        return new RtnlEvent(false, new Rule(family, priority, table, 1, 2, everything, identity));
    }

    private static RtnlEvent deleted(RtnlEvent e) {
        return new RtnlEvent(true, e.object());
    }

    private final PolicyRoutingTracker tracker = new PolicyRoutingTracker(VRF, false);

    @Test
    void theAnswerComesWithTheFirstObjectAfterTheRulesAndOnlyChangesFollow() {
        tracker.dumpBegins();
        for (RtnlEvent e : new RtnlEvent[] {LOCAL4, SOURCE4, MAIN4, DEFAULT4}) assertNull(tracker.onEvent(e, true));
        assertEquals(new FpcPolicyRouting(true, VRF, FpcPolicyRouting.IPV4), tracker.onEvent(LO, true));
        assertNull(tracker.onEvent(LO, true));
        assertNull(tracker.dumpEnds(), "stated once per generation");
        assertNull(tracker.onEvent(SOURCE4, false), "announced again after the dump: no change");
        assertEquals(new FpcPolicyRouting(false, VRF, 0), tracker.onEvent(deleted(SOURCE4), false));
        assertNull(tracker.onEvent(deleted(SOURCE4), false));
        assertNull(tracker.onEvent(LO, false));
    }

    @Test
    void aDumpRedoneAfterTheAnswerSendsOnlyAChange() {
        tracker.dumpBegins();
        for (RtnlEvent e : new RtnlEvent[] {LOCAL4, MAIN4, DEFAULT4}) tracker.onEvent(e, true);
        assertEquals(new FpcPolicyRouting(false, VRF, 0), tracker.onEvent(LO, true));
        // NLM_F_DUMP_INTR: the whole dump again in the same generation, now with a new rule.
        for (RtnlEvent e : new RtnlEvent[] {LOCAL4, MAIN4, DEFAULT4}) assertNull(tracker.onEvent(e, true));
        assertEquals(new FpcPolicyRouting(true, VRF, FpcPolicyRouting.IPV4), tracker.onEvent(SOURCE4, true));
        assertNull(tracker.dumpEnds());
    }

    @Test
    void aNamespaceWithNothingButRulesStatesItAtTheEndAndEveryGenerationStatesItAgain() {
        tracker.dumpBegins();
        for (RtnlEvent e : new RtnlEvent[] {LOCAL4, MAIN4, DEFAULT4}) tracker.onEvent(e, true);
        assertEquals(new FpcPolicyRouting(false, VRF, 0), tracker.dumpEnds());
        tracker.dumpBegins();
        for (RtnlEvent e : new RtnlEvent[] {LOCAL4, MAIN4}) tracker.onEvent(e, true);
        assertEquals(new FpcPolicyRouting(true, VRF, FpcPolicyRouting.IPV4), tracker.onEvent(LO, true),
                "the default rule is gone: what was remembered before the dump does not count");
        assertEquals(FpcPolicyRouting.IPV4, tracker.sent());
    }
}
