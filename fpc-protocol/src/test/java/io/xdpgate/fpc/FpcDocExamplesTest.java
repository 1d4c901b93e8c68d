package io.xdpgate.fpc;

import static io.xdpgate.fpc.FpcTestSupport.decode;
import static io.xdpgate.fpc.FpcTestSupport.encode;
import static io.xdpgate.fpc.FpcTestSupport.hex;
import static io.xdpgate.fpc.FpcTestSupport.ip;
import static io.xdpgate.fpc.FpcTestSupport.mac;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hex examples of docs/fpc-protocol.md decode to the messages named here, and back. */
class FpcDocExamplesTest {
    private static final Pattern EXAMPLE = Pattern.compile("<!-- example: ([a-z0-9-]+) -->.*?```text\\n(.*?)```",
            Pattern.DOTALL);

    static Map<String, FpcEnvelope> expected() {
        Map<String, FpcEnvelope> m = new LinkedHashMap<>();
        m.put("hello", FpcEnvelope.control(new FpcHello(1, 0, "cm-blue"), 0));
        m.put("sync-begin", new FpcEnvelope(FpcEnvelope.ACK_REQUEST, 1, 0, new FpcSyncBegin(7)));
        m.put("sync-end-vrf", new FpcEnvelope(0, 40, 0, new FpcSyncEnd(9, 3)));
        m.put("vrf-add", new FpcEnvelope(0, 2, 0, new FpcVrf(true, 3, "blue")));
        m.put("link-add", new FpcEnvelope(0, 3, 0,
                new FpcLink(true, 3, 7, "eth0", "veth", mac("02:00:00:00:00:07"), 1500, 0x11043, 6, 0)));
        m.put("address-add", new FpcEnvelope(0, 4, 0, new FpcAddress(true, 3, 7, 24, ip("192.0.2.10"))));
        m.put("neighbour-add", new FpcEnvelope(0, 5, 0,
                new FpcNeighbour(true, 3, 7, ip("2001:db8::1"), 0x02, mac("02:00:00:00:00:01"), true)));
        m.put("route-add", new FpcEnvelope(0, 6, 0, new FpcRoute(true, 3, 254, ip("10.1.0.0"), 16,
                FpcRouteType.UNICAST, List.of(new FpcNexthop(7, ip("192.0.2.1"), 1), new FpcNexthop(8, null, 2)))));
        m.put("route-add-list", new FpcEnvelope(0, 8, 0, new FpcRouteList(List.of(
                new FpcRoute(true, 3, 254, ip("10.3.0.0"), 16, FpcRouteType.UNICAST, List.of(new FpcNexthop(7, ip("192.0.2.1"), 1))),
                new FpcRoute(true, 3, 254, ip("2001:db8:3::"), 48, FpcRouteType.UNICAST,
                        List.of(new FpcNexthop(7, ip("fe80::1"), 1)))))));
        m.put("route-del", new FpcEnvelope(0, 7, 0,
                new FpcRoute(false, 3, 254, ip("2001:db8:1::"), 48, FpcRouteType.BLACKHOLE, List.of())));
        m.put("vxlan-add", new FpcEnvelope(0, 4, 0, new FpcVxlan(true, 3, 12, 100, 4789, ip("192.0.2.10"),
                ip("192.0.2.20"), 0)));
        m.put("nexthop-add", new FpcEnvelope(0, 8, 0, new FpcNexthopObject(true, 3, 10, 7, ip("192.0.2.1"), false)));
        m.put("nexthop-del-blackhole", new FpcEnvelope(0, 9, 0, new FpcNexthopObject(false, 3, 12, 0, null, true)));
        m.put("nexthop-group-add", new FpcEnvelope(0, 10, 0, new FpcNexthopGroup(true, 3, 100,
                List.of(new FpcGroupMember(10, 1), new FpcGroupMember(11, 3)))));
        m.put("route-add-nhid", new FpcEnvelope(0, 11, 0,
                new FpcRoute(true, 3, 254, ip("10.2.0.0"), 16, FpcRouteType.UNICAST, List.of(), 100)));
        m.put("policy-routing-add", new FpcEnvelope(0, 13, 0,
                new FpcPolicyRouting(true, 3, FpcPolicyRouting.IPV4 | FpcPolicyRouting.IPV6)));
        m.put("control-set-mtu", new FpcEnvelope(0, 12, 0, new FpcControl(FpcControlType.SET_MTU, 3, 7, 9000)));
        m.put("report-no-space", FpcEnvelope.control(new FpcReport(6, FpcStatus.NO_SPACE, "fib4 full"), 6));
        m.put("report-cumulative", FpcEnvelope.control(new FpcReport(7, FpcStatus.OK, ""), 7));
        m.put("keepalive", FpcEnvelope.control(new FpcKeepalive(), 7));
        return m;
    }

    /** name -> bytes of every example block in the document. */
    static Map<String, byte[]> documented() throws Exception {
        // Surefire runs in the module directory; XDPGATE_ROOT is set by the parent pom for other layouts.
        String root = System.getenv("XDPGATE_ROOT");
        Path doc = root != null && Files.exists(Path.of(root, "docs/fpc-protocol.md"))
                ? Path.of(root, "docs/fpc-protocol.md") : Path.of("../docs/fpc-protocol.md");
        String text = Files.readString(doc);
        Map<String, byte[]> m = new LinkedHashMap<>();
        Matcher matcher = EXAMPLE.matcher(text);
        while (matcher.find()) {
            StringBuilder hex = new StringBuilder();
            for (String line : matcher.group(2).split("\n")) {
                int comment = line.indexOf('#');
                hex.append(comment < 0 ? line : line.substring(0, comment));
            }
            m.put(matcher.group(1), hex(hex.toString()));
        }
        return m;
    }

    @Test
    void everyDocumentedExampleDecodesToItsMessageAndBack() throws Exception {
        Map<String, byte[]> documented = documented();
        Map<String, FpcEnvelope> expected = expected();
        assertEquals(expected.keySet(), documented.keySet(), "examples in the document and in this test differ");
        for (Map.Entry<String, byte[]> e : documented.entrySet()) {
            FpcEnvelope want = expected.get(e.getKey());
            assertEquals(List.of(want), decode(e.getValue()), e.getKey());
            assertArrayEquals(e.getValue(), encode(want), e.getKey());
        }
    }

    @Test
    void documentedMessageTypeCodesMatchTheEnum() throws Exception {
        String root = System.getenv("XDPGATE_ROOT");
        Path doc = root != null && Files.exists(Path.of(root, "docs/fpc-protocol.md"))
                ? Path.of(root, "docs/fpc-protocol.md") : Path.of("../docs/fpc-protocol.md");
        String text = Files.readString(doc);
        for (FpcMessageType t : FpcMessageType.values()) {
            String code = String.format("0x%02x", t.code());
            Matcher row = Pattern.compile("\\| (0x[0-9a-f]{2})( / (0x[0-9a-f]{2}))? \\| ([A-Z_]+)( / ([A-Z_]+))? \\|").matcher(text);
            boolean found = false;
            while (row.find()) {
                found |= (code.equals(row.group(1)) && t.name().equals(row.group(4)))
                        || (code.equals(row.group(3)) && t.name().equals(row.group(6)));
            }
            assertEquals(true, found, t + " " + code + " is not in the message type table");
        }
        for (FpcStatus s : FpcStatus.values()) {
            assertEquals(true, text.contains("| " + s.code() + " | " + s.name() + " |"), s + " is not in the status table");
        }
    }
}
