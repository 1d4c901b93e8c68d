package io.xdpgate.fastpath;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The exception device of one network namespace: the veth pair xg-exc / xg-exc-p, made with
 * iproute2 and ethtool as an operator would. The fast path redirects special exceptions into
 * xg-exc-p, they arrive on xg-exc, whose TC program reinjects them. A veth pair also where the
 * kernel has the dummy driver: XDP can only redirect into a device with ndo_xdp_xmit, and dummy
 * has none (see docs/exception-trailer.md).
 */
public final class ExceptionDevice {
    public static final String NAME = "xg-exc";
    public static final String PEER = "xg-exc-p";

    private ExceptionDevice() {}

    /** The pair is never a fast path port, whatever --ports says. */
    public static boolean isExceptionDevice(String ifname) {
        return NAME.equals(ifname) || PEER.equals(ifname);
    }

    /**
     * Creates the pair in netns ("" for the daemon's own) unless it exists, without IPv6 link-local
     * addresses (nothing of Linux's own should travel over it), up, and with GRO on xg-exc: a veth
     * only delivers XDP-redirected frames when the receiving end has GRO or an XDP program.
     */
    static void ensure(String netns) throws IOException {
        if (run(ip(netns, "link", "show", "dev", NAME), false) != 0) {
            run(ip(netns, "link", "add", NAME, "type", "veth", "peer", "name", PEER), true);
        }
        run(ip(netns, "link", "set", NAME, "addrgenmode", "none"), true);
        run(ip(netns, "link", "set", PEER, "addrgenmode", "none"), true);
        run(ip(netns, "link", "set", NAME, "up"), true);
        run(ip(netns, "link", "set", PEER, "up"), true);
        run(inNetns(netns, "ethtool", "-K", NAME, "gro", "on"), true);
    }

    /** Deletes the pair of netns (its peer goes with it); false if there was none. */
    public static boolean remove(String netns) {
        try {
            return run(ip(netns, "link", "del", NAME), false) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static List<String> ip(String netns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        if (!netns.isEmpty()) cmd.addAll(List.of("-n", netns));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** nsenter switches only the network namespace (ip netns exec would also remount /sys). */
    private static List<String> inNetns(String netns, String... args) {
        List<String> cmd = new ArrayList<>();
        if (!netns.isEmpty()) cmd.addAll(List.of("nsenter", "--net=/run/netns/" + netns));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static int run(List<String> cmd, boolean mustSucceed) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": no answer within 10 s");
            }
            if (mustSucceed && p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + ": interrupted", e);
        }
    }
}
