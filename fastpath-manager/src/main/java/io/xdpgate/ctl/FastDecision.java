package io.xdpgate.ctl;

import io.xdpgate.ebpf.Stat;
import io.xdpgate.ebpf.XdpTestRun;

import java.util.Arrays;

/**
 * What the fast path did with one packet under BPF_PROG_TEST_RUN.
 *
 * @param verdict the XDP action
 * @param reason  for XDP_PASS and XDP_DROP, the xg_stats counter the run moved (null if none did)
 * @param smac    for XDP_REDIRECT, the source MAC written: the egress port's
 * @param dmac    for XDP_REDIRECT, the destination MAC written: the neighbour's
 * @param rewrite for XDP_REDIRECT, what is wrong with the rest of the frame (TTL or hop limit not
 *                decremented, a bad IPv4 header checksum, other bytes changed), null when nothing is
 */
record FastDecision(int verdict, Stat reason, byte[] smac, byte[] dmac, String rewrite) {

    static FastDecision redirect(byte[] smac, byte[] dmac, String rewrite) {
        return new FastDecision(XdpTestRun.XDP_REDIRECT, null, smac, dmac, rewrite);
    }

    static FastDecision pass(Stat reason) {
        return new FastDecision(XdpTestRun.XDP_PASS, reason, null, null, null);
    }

    static FastDecision drop(Stat reason) {
        return new FastDecision(XdpTestRun.XDP_DROP, reason, null, null, null);
    }

    @Override
    public String toString() {
        return switch (verdict) {
            case XdpTestRun.XDP_REDIRECT -> "redirect smac " + Outcome.hex(smac) + " dmac " + Outcome.hex(dmac)
                    + (rewrite == null ? "" : " (" + rewrite + ")");
            case XdpTestRun.XDP_PASS -> "pass " + (reason == null ? "(no counter moved)" : reason.label());
            case XdpTestRun.XDP_DROP -> "drop " + (reason == null ? "(no counter moved)" : reason.label());
            default -> "verdict " + verdict + (reason == null ? "" : " " + reason.label());
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FastDecision d && verdict == d.verdict && reason == d.reason && Arrays.equals(smac, d.smac)
                && Arrays.equals(dmac, d.dmac) && java.util.Objects.equals(rewrite, d.rewrite);
    }

    @Override
    public int hashCode() {
        return (verdict * 31 + java.util.Objects.hashCode(reason)) * 31 + Arrays.hashCode(smac);
    }
}
