package io.xdpgate.ctl;

import io.xdpgate.ebpf.Stat;
import io.xdpgate.ebpf.XdpTestRun;

import java.util.Arrays;

/**
 * One thing the fast path may rightly do with a packet: redirect it with these MACs, hand it to Linux
 * for this reason, or drop it for this reason.
 *
 * @param reason for a pass or a drop, the counter that must move; null for a pass: any exception
 * @param why    what the outcome stands for, for the report ("via 10.0.0.1 dev eth1", "no usable neighbour")
 */
record Outcome(int verdict, Stat reason, byte[] smac, byte[] dmac, String why) {

    static Outcome redirect(byte[] smac, byte[] dmac, String why) {
        return new Outcome(XdpTestRun.XDP_REDIRECT, null, smac.clone(), dmac.clone(), why);
    }

    static Outcome pass(Stat reason, String why) {
        return new Outcome(XdpTestRun.XDP_PASS, reason, null, null, why);
    }

    /** Linux's alone (broadcast, anycast, multicast, an unknown lookup error): any exception is right. */
    static Outcome anyException(String why) {
        return new Outcome(XdpTestRun.XDP_PASS, null, null, null, why);
    }

    static Outcome drop(Stat reason, String why) {
        return new Outcome(XdpTestRun.XDP_DROP, reason, null, null, why);
    }

    boolean matches(FastDecision d) {
        if (d.verdict() != verdict) return false;
        return switch (verdict) {
            case XdpTestRun.XDP_REDIRECT -> Arrays.equals(smac, d.smac()) && Arrays.equals(dmac, d.dmac()) && d.rewrite() == null;
            case XdpTestRun.XDP_PASS -> reason == null ? d.reason() != null && d.reason().isException() : reason == d.reason();
            default -> reason == d.reason();
        };
    }

    @Override
    public String toString() {
        String what = switch (verdict) {
            case XdpTestRun.XDP_REDIRECT -> "redirect smac " + hex(smac) + " dmac " + hex(dmac);
            case XdpTestRun.XDP_PASS -> "pass " + (reason == null ? "(any exception)" : reason.label());
            case XdpTestRun.XDP_DROP -> "drop " + reason.label();
            default -> "verdict " + verdict;
        };
        return why == null ? what : what + " [" + why + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Outcome x && verdict == x.verdict && reason == x.reason && Arrays.equals(smac, x.smac)
                && Arrays.equals(dmac, x.dmac);
    }

    @Override
    public int hashCode() {
        return (verdict * 31 + java.util.Objects.hashCode(reason)) * 31 + Arrays.hashCode(dmac);
    }

    static String hex(byte[] mac) {
        if (mac == null) return "none";
        StringBuilder sb = new StringBuilder();
        for (byte b : mac) sb.append(sb.length() == 0 ? "" : ":").append(String.format("%02x", b & 0xff));
        return sb.toString();
    }
}
