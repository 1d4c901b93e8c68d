package io.xdpgate.lab;

import java.util.HexFormat;

/**
 * Sends hand-made Ethernet frames out of an interface of a namespace through an AF_PACKET socket
 * (python3's socket module: the JDK has none). Each frame is an ICMP echo request with a correct
 * checksum, followed by optional trailing bytes (a special exception trailer).
 */
public final class FrameInjector {
    private static final String SCRIPT = """
            import socket, struct, sys
            ifname, dmac, smac, src, dst, count, trailer = sys.argv[1:8]
            def csum(b):
                if len(b) % 2: b += b'\\0'
                s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
                while s >> 16: s = (s & 0xffff) + (s >> 16)
                return ~s & 0xffff
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            s.bind((ifname, 0))
            for seq in range(int(count)):
                payload = b'xdpgate special exception ' + bytes(22)
                icmp = struct.pack('!BBHHH', 8, 0, 0, 0x7867, seq) + payload
                icmp = icmp[:2] + struct.pack('!H', csum(icmp)) + icmp[4:]
                ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(icmp), seq, 0x4000, 64, 1, 0,
                                 socket.inet_aton(src), socket.inet_aton(dst))
                ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
                eth = bytes.fromhex(dmac.replace(':', '')) + bytes.fromhex(smac.replace(':', '')) + b'\\x08\\x00'
                s.send(eth + ip + icmp + bytes.fromhex(trailer))
            """;

    private FrameInjector() {}

    /**
     * Sends count echo requests src to dst (dotted IPv4) between the given MACs out of ifname in ns,
     * each followed by trailer (may be empty).
     */
    public static void echoRequests(String ns, String ifname, String dmac, String smac, String src, String dst,
                                    int count, byte[] trailer) {
        Sh.run("nsenter", "--net=/run/netns/" + ns, "python3", "-c", SCRIPT, ifname, dmac, smac, src, dst,
                String.valueOf(count), HexFormat.of().formatHex(trailer));
    }
}
