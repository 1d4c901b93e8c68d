package io.xdpgate.fastpath;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The packet captures of a network namespace, from the kernel's list of AF_PACKET sockets. A
 * capture is a bound, running socket of protocol ETH_P_ALL (what tcpdump, Wireshark's dumpcap and
 * libpcap open): only those see what a device sends as well as what it receives. Read through
 * /proc/thread-self so that the namespace is the calling thread's (after setns), not the process's.
 */
final class PacketSockets {
    static final Path LIST = Path.of("/proc/thread-self/net/packet");
    private static final int ETH_P_ALL = 0x0003;

    private PacketSockets() {}

    /** The ifindexes with a capture in the calling thread's namespace; 0 stands for "every interface". */
    static Set<Integer> capturedIfindexes() throws IOException {
        return parse(Files.readAllLines(LIST));
    }

    /**
     * Parses the listing: "sk RefCnt Type Proto Iface R Rmem User Inode", Proto in hex (host order of
     * the socket's protocol), Iface the bound ifindex (0: none, every interface), R 1 while running.
     */
    static Set<Integer> parse(List<String> lines) {
        Set<Integer> out = new HashSet<>();
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 6 || f[0].equals("sk")) continue;
            try {
                int proto = Integer.parseInt(f[3], 16);
                int ifindex = Integer.parseInt(f[4]);
                boolean running = f[5].equals("1");
                if (proto == ETH_P_ALL && running) out.add(ifindex);
            } catch (NumberFormatException e) {
                // A line of another format: not a socket we can judge.
            }
        }
        return out;
    }
}
