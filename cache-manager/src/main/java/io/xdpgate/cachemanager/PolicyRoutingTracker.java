package io.xdpgate.cachemanager;

import io.xdpgate.fpc.FpcPolicyRouting;
import io.xdpgate.netlink.PolicyRules;
import io.xdpgate.netlink.RtnlEvent;
import io.xdpgate.netlink.Rule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one namespace's policy routing rules and tells the fast path whether they are the kernel's
 * defaults (POLICY_ROUTING_DEL) or not (POLICY_ROUTING_ADD): with other rules the kernel may forward by
 * other tables than main, so the fast path must leave the VRF's traffic to Linux.
 * <p>Every generation states the answer once, as soon as it is known: the monitor dumps the rules first,
 * so at the first other object of the dump (or at its end, for a namespace with nothing else). After that
 * a message goes out only when the answer changes. Called by the monitor's listener only.
 */
final class PolicyRoutingTracker {

    private static final Logger log = LoggerFactory.getLogger(PolicyRoutingTracker.class);

    private final int vrf;
    private final boolean ipv6;
    private final PolicyRules rules = new PolicyRules();
    /** The families sent last (0: a DEL); -1 before the first generation's answer. */
    private int sent = -1;
    private boolean statedInThisDump;

    /** @param ipv6 whether IPv6 is followed: without it, IPv6 rules are neither dumped nor looked at */
    PolicyRoutingTracker(int vrf, boolean ipv6) {
        this.vrf = vrf;
        this.ipv6 = ipv6;
    }

    /** A full dump starts: it lists every rule again. */
    void dumpBegins() {
        rules.clear();
        statedInThisDump = false;
    }

    /** The message {@code event} calls for before its own, or null. */
    FpcPolicyRouting onEvent(RtnlEvent event, boolean inDump) {
        if (event.object() instanceof Rule r) {
            rules.apply(r, event.deleted());
            // While the dump lists the rules the answer is not known yet; a dump redone because it was
            // interrupted lists them again after the answer was given, when a change is a change.
            return inDump && !statedInThisDump ? null : changed();
        }
        return inDump && !statedInThisDump ? state() : null;
    }

    /** The dump ended: its generation states the answer if nothing did yet. */
    FpcPolicyRouting dumpEnds() {
        return statedInThisDump ? null : state();
    }

    /** Families whose rules are not the defaults, as last sent (-1: nothing sent yet); for tests. */
    int sent() {
        return sent;
    }

    private FpcPolicyRouting state() {
        statedInThisDump = true;
        return send(rules.differingFamilies(ipv6));
    }

    private FpcPolicyRouting changed() {
        int families = rules.differingFamilies(ipv6);
        return families == sent ? null : send(families);
    }

    private FpcPolicyRouting send(int families) {
        if (families != sent && (sent > 0 || families > 0)) { // logged when it changes, not at every generation
            if (families != 0) log.info("vrf {}: the {} policy routing rules are not the kernel's defaults: the fast path"
                    + " leaves the namespace's traffic to Linux", vrf, names(families));
            else log.info("vrf {}: the policy routing rules are the kernel's defaults again: the fast path forwards by"
                    + " the main table", vrf);
        }
        sent = families;
        return message(families);
    }

    private static String names(int families) {
        return families == (PolicyRules.IPV4 | PolicyRules.IPV6) ? "IPv4 and IPv6"
                : families == PolicyRules.IPV4 ? "IPv4" : "IPv6";
    }

    private FpcPolicyRouting message(int families) {
        int bits = ((families & PolicyRules.IPV4) != 0 ? FpcPolicyRouting.IPV4 : 0)
                | ((families & PolicyRules.IPV6) != 0 ? FpcPolicyRouting.IPV6 : 0);
        return new FpcPolicyRouting(bits != 0, vrf, bits);
    }
}
