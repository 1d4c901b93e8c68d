package io.xdpgate.netlink;

import static io.xdpgate.netlink.Rtnl.AF_INET;
import static io.xdpgate.netlink.Rtnl.AF_INET6;
import static io.xdpgate.netlink.Rtnl.FR_ACT_TO_TBL;
import static io.xdpgate.netlink.Rtnl.RTPROT_KERNEL;
import static io.xdpgate.netlink.Rtnl.RT_TABLE_DEFAULT;
import static io.xdpgate.netlink.Rtnl.RT_TABLE_LOCAL;
import static io.xdpgate.netlink.Rtnl.RT_TABLE_MAIN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Whether a namespace's rules are exactly the ones it starts with, by family. */
class PolicyRulesTest {
    private final PolicyRules rules = new PolicyRules();

    private static Rule rule(int family, int priority, int table, boolean everything, String identity) {
        return new Rule(family, priority, table, FR_ACT_TO_TBL, RTPROT_KERNEL, everything, identity);
    }

    private static final Rule LOCAL4 = rule(AF_INET, 0, RT_TABLE_LOCAL, true, "local4");
    private static final Rule MAIN4 = rule(AF_INET, 32766, RT_TABLE_MAIN, true, "main4");
    private static final Rule DEFAULT4 = rule(AF_INET, 32767, RT_TABLE_DEFAULT, true, "default4");
    private static final Rule LOCAL6 = rule(AF_INET6, 0, RT_TABLE_LOCAL, true, "local6");
    private static final Rule MAIN6 = rule(AF_INET6, 32766, RT_TABLE_MAIN, true, "main6");

    /** What `ip -4 rule; ip -6 rule` show in a fresh namespace (Linux 6.18). */
    @BeforeEach
    void freshNamespace() {
        for (Rule r : new Rule[] {LOCAL4, MAIN4, DEFAULT4, LOCAL6, MAIN6}) rules.apply(r, false);
    }

    @Test
    void aFreshNamespaceHasTheDefaultsInBothFamilies() {
        assertTrue(rules.areDefaults(AF_INET));
        assertTrue(rules.areDefaults(AF_INET6));
        assertEquals(0, rules.differingFamilies(true));
    }

    @Test
    void aSourceRuleMakesItsFamilyDifferUntilItIsDeleted() {
        Rule source = rule(AF_INET, 1000, 100, false, "from 10.8.0.0/24");
        rules.apply(source, false);
        assertEquals(PolicyRules.IPV4, rules.differingFamilies(true));
        rules.apply(source, false); // announced again after a dump that had it: still one rule
        rules.apply(source, true);
        assertEquals(0, rules.differingFamilies(true));
        rules.apply(source, true); // a deletion of a rule not held changes nothing
        assertEquals(0, rules.differingFamilies(true));
    }

    @Test
    void twoRulesWithTheSameFieldsAreTwoRulesByIdentity() {
        rules.apply(rule(AF_INET6, 1000, 100, false, "from 2001:db8:1::/48"), false);
        rules.apply(rule(AF_INET6, 1000, 100, false, "from 2001:db8:2::/48"), false);
        rules.apply(rule(AF_INET6, 1000, 100, false, "from 2001:db8:1::/48"), true);
        assertEquals(PolicyRules.IPV6, rules.differingFamilies(true), "the other one is still there");
    }

    @Test
    void aMovedOrRemovedDefaultIsNotTheDefaults() {
        rules.apply(LOCAL4, true);
        assertFalse(rules.areDefaults(AF_INET), "no local rule");
        rules.apply(rule(AF_INET, 1000, RT_TABLE_LOCAL, true, "local4 at 1000"), false);
        assertFalse(rules.areDefaults(AF_INET), "the local table looked up after other rules");
        rules.apply(rule(AF_INET, 1000, RT_TABLE_LOCAL, true, "local4 at 1000"), true);
        rules.apply(LOCAL4, false);
        assertTrue(rules.areDefaults(AF_INET));
        rules.apply(MAIN6, true);
        assertEquals(PolicyRules.IPV6, rules.differingFamilies(true));
        assertEquals(0, rules.differingFamilies(false), "IPv6 not followed: its rules do not matter");
    }

    @Test
    void selectorsDuplicatesAndAnIpv6DefaultTableRuleAreOtherRules() {
        // suppress_prefixlength, l3mdev, fwmark...: the decoder says such a rule does not match everything.
        Rule suppressing = rule(AF_INET, 32765, RT_TABLE_MAIN, false, "main suppress_prefixlength 0");
        rules.apply(suppressing, false);
        assertFalse(rules.areDefaults(AF_INET));
        rules.apply(suppressing, true);
        Rule duplicate = new Rule(AF_INET, 32766, RT_TABLE_MAIN, FR_ACT_TO_TBL, 0, true, "main4 proto unspec");
        rules.apply(duplicate, false);
        assertFalse(rules.areDefaults(AF_INET), "two main rules");
        rules.apply(MAIN4, true);
        assertTrue(rules.areDefaults(AF_INET), "one main rule at 32766, whatever its protocol");
        rules.apply(rule(AF_INET6, 32767, RT_TABLE_DEFAULT, true, "default6"), false);
        assertFalse(rules.areDefaults(AF_INET6), "IPv6 starts without a default-table rule");
        Rule unreachable = new Rule(AF_INET6, 500, 0, 7 /* FR_ACT_UNREACHABLE */, 0, true, "unreachable");
        rules.apply(unreachable, false);
        assertEquals(PolicyRules.IPV6, rules.differingFamilies(true));
        rules.clear();
        assertEquals(0, rules.size());
        assertEquals(PolicyRules.IPV4 | PolicyRules.IPV6, rules.differingFamilies(true), "no rule at all: nothing is looked up");
    }
}
