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
        List<String> batch = new ArrayList<>();
        if (run(ip(netns, "link", "show", "dev", NAME), false, null) != 0) {
            batch.add("link add " + NAME + " type veth peer name " + PEER);
            // While the pair is down: changing the mode of a device that is up makes the kernel walk
            // the namespace's whole IPv6 FIB (125 ms each with 250,000 IPv6 routes). A pair that
            // exists was made here, with the mode already set.
            batch.add("link set " + NAME + " addrgenmode none");
            batch.add("link set " + PEER + " addrgenmode none");
        }
        batch.add("link set " + NAME + " up");
        batch.add("link set " + PEER + " up");
        // One ip process for all of it; it stops at the first command that fails.
        run(ip(netns, "-batch", "-"), true, String.join("\n", batch) + "\n");
        run(inNetns(netns, "ethtool", "-K", NAME, "gro", "on"), true, null);
    }

    /** Deletes the pair of netns (its peer goes with it); false if there was none. */
    public static boolean remove(String netns) {
        try {
            return run(ip(netns, "link", "del", NAME), false, null) == 0;
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

    /** Runs {@code cmd} with {@code input} (null: none) on its standard input; returns its exit status. */
    private static int run(List<String> cmd, boolean mustSucceed, String input) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            try (var stdin = p.getOutputStream()) {
                if (input != null) stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
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
