package io.xdpgate.cachemanager;

import io.xdpgate.fpc.FpcLink;
import io.xdpgate.fpc.FpcMessage;
import io.xdpgate.fpc.FpcPolicyRouting;
import io.xdpgate.fpc.FpcSyncBegin;
import io.xdpgate.fpc.FpcSyncEnd;
import io.xdpgate.fpc.FpcVrf;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A follower in a real namespace tells the fast path whether its `ip rule`s are the kernel's defaults:
 * in every generation, before the links, and live only when the answer changes (needs root).
 */
class NamespaceFollowerRulesPrivilegedTest extends FollowerFixture {

    private static final int VRF = 6;

    private static long policyMessages(List<FpcMessage> messages) {
        return messages.stream().filter(m -> m instanceof FpcPolicyRouting).count();
    }

    @Test
    void theRulesDecideEveryGenerationAndOnlyChangesAreSentLive() throws Exception {
        follow(VRF, true);
        List<FpcMessage> dump = sent.snapshot();
        assertEquals(List.of(FpcSyncBegin.class, FpcVrf.class, FpcPolicyRouting.class, FpcLink.class),
                dump.subList(0, 4).stream().map(Object::getClass).toList(), "stated before the first link: " + dump);
        assertEquals(new FpcPolicyRouting(false, VRF, 0), dump.get(2), "a fresh namespace has the default rules");
        assertEquals(1, policyMessages(dump));

        int from = sent.size();
        ns.ip("rule", "add", "from", "10.201.1.2", "table", "100", "pref", "1000");
        int at = sent.await(from, m -> m instanceof FpcPolicyRouting, 5_000);
        assertEquals(new FpcPolicyRouting(true, VRF, FpcPolicyRouting.IPV4), sent.snapshot().get(at));
        ns.ip("-6", "rule", "add", "from", "2001:db8:201:1::2", "table", "100", "pref", "1000");
        at = sent.await(at + 1, m -> m instanceof FpcPolicyRouting, 5_000);
        assertEquals(new FpcPolicyRouting(true, VRF, FpcPolicyRouting.IPV4 | FpcPolicyRouting.IPV6), sent.snapshot().get(at));
        ns.ip("rule", "add", "fwmark", "7", "table", "100", "pref", "1001"); // still not the defaults: nothing to say
        ns.ip("link", "set", "xga", "mtu", "1400"); // a marker behind it
        int marker = sent.await(at + 1, m -> m instanceof FpcLink l && l.mtu() == 1400, 5_000);
        assertEquals(0, policyMessages(sent.snapshot().subList(at + 1, marker + 1)), sent.snapshot().subList(at + 1, marker + 1).toString());

        // A resync (after an overrun, say) states the answer again, with the rules it dumped.
        from = sent.size();
        follower.resync().get();
        List<FpcMessage> again = sent.snapshot().subList(from, sent.size());
        assertEquals(1, policyMessages(again), again.toString());
        assertTrue(again.contains(new FpcPolicyRouting(true, VRF, FpcPolicyRouting.IPV4 | FpcPolicyRouting.IPV6)));
        assertTrue(again.get(again.size() - 1) instanceof FpcSyncEnd);

        ns.ip("rule", "del", "pref", "1000");
        ns.ip("rule", "del", "pref", "1001");
        ns.ip("-6", "rule", "del", "pref", "1000");
        at = sent.await(from + again.size(), m -> m instanceof FpcPolicyRouting p && !p.add(), 5_000);
        assertEquals(new FpcPolicyRouting(false, VRF, 0), sent.snapshot().get(at), "the defaults again");
        assertTrue(metrics.registry().find(NamespaceMetrics.MESSAGES).tags("netns", ns.name, "type", "newrule")
                .counter().count() >= 5 + 3, "dumped and added rules are counted");
        assertTrue(metrics.registry().find(NamespaceMetrics.MESSAGES).tags("netns", ns.name, "type", "delrule")
                .counter().count() >= 3);
    }

    @Test
    void withoutIpv6TheIpv6RulesDoNotCount() throws Exception {
        ns.ip("-6", "rule", "add", "from", "2001:db8:201:1::2", "table", "100", "pref", "1000");
        follow(VRF, false);
        assertTrue(sent.snapshot().contains(new FpcPolicyRouting(false, VRF, 0)), sent.snapshot().toString());
        ns.ip("rule", "del", "pref", "32767");
        int at = sent.await(0, m -> m instanceof FpcPolicyRouting p && p.add(), 5_000);
        assertEquals(new FpcPolicyRouting(true, VRF, FpcPolicyRouting.IPV4), sent.snapshot().get(at),
                "a deleted default is a change too");
    }
}
