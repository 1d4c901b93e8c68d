package io.xdpgate.netlink;

/**
 * A policy routing rule (RTM_NEWRULE / RTM_DELRULE), as {@code ip rule} shows it: which table the kernel
 * looks in, in which order, for which packets.
 *
 * @param family            AF_INET or AF_INET6
 * @param priority          FRA_PRIORITY (the order: lowest first), 0 if absent
 * @param table             FRA_TABLE (ids above 255 only fit there), else the header's table
 * @param action            FR_ACT_* (FR_ACT_TO_TBL: look in {@code table})
 * @param protocol          FRA_PROTOCOL (RTPROT_*: kernel for the rules a namespace starts with), 0 if absent
 * @param matchesEverything whether no selector narrows or changes it: no source or destination prefix, TOS,
 *                          interface, firewall mark, UID range, IP protocol, ports, l3mdev, suppression, goto,
 *                          inversion, nor an attribute this decoder does not know
 * @param identity          the whole rule as the kernel encodes it (fib_rule_hdr and every attribute, in hex),
 *                          the same in a dump, an RTM_NEWRULE and the RTM_DELRULE that removes it; the header's
 *                          state flags (goto target unresolved, interface detached) are cleared, since they
 *                          change without an announcement. Two rules are the same rule exactly when their
 *                          identities are equal: the fields above alone do not tell {@code from 10.1.0.0/16}
 *                          from {@code from 10.2.0.0/16}.
 */
public record Rule(int family, int priority, int table, int action, int protocol, boolean matchesEverything,
                   String identity) implements RtnlObject {

    /**
     * One of the rules a namespace starts with: look in the local table at priority 0, in main at 32766,
     * in default at 32767 (IPv4 has it from the start; the same rule added for IPv6 changes nothing the
     * main table decides). A namespace whose rules are exactly these forwards by its local and main tables.
     */
    public boolean isKernelDefault() {
        if (!matchesEverything || action != Rtnl.FR_ACT_TO_TBL) return false;
        return priority == 0 && table == Rtnl.RT_TABLE_LOCAL
                || priority == 32766 && table == Rtnl.RT_TABLE_MAIN
                || priority == 32767 && table == Rtnl.RT_TABLE_DEFAULT;
    }
}
