package io.xdpgate.fpc;

import static io.xdpgate.fpc.FpcTestSupport.decode;
import static io.xdpgate.fpc.FpcTestSupport.decoderChannel;
import static io.xdpgate.fpc.FpcTestSupport.encode;
import static io.xdpgate.fpc.FpcTestSupport.ip;
import static io.xdpgate.fpc.FpcTestSupport.mac;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FpcCodecTest {
    static final FpcRoute ROUTE = new FpcRoute(true, 3, 254, ip("10.1.0.0"), 16, FpcRouteType.UNICAST,
            List.of(new FpcNexthop(7, ip("192.0.2.1"), 1), new FpcNexthop(8, null, 2)));
    static final FpcLink LINK = new FpcLink(true, 3, 7, "eth0", "veth", mac("02:00:00:00:00:07"), 1500, 0x11043, 6, 0);

    /** One example of every message type. */
    static List<FpcMessage> oneOfEach() {
        return List.of(
                new FpcHello(1, 0, "cache-manager ns blue"),
                new FpcReport(42, FpcStatus.NO_SPACE, "route table full"),
                new FpcKeepalive(),
                new FpcSyncBegin(5),
                new FpcSyncEnd(5),
                new FpcVrf(true, 3, "blue"),
                new FpcVrf(false, 3, ""),
                LINK,
                new FpcLink(false, 3, 9, "tun0", "tun", new byte[0], 1400, 0x1, 0, 0),
                new FpcAddress(true, 3, 7, 24, ip("192.0.2.10")),
                new FpcAddress(false, 3, 7, 64, ip("2001:db8::10")),
                new FpcNeighbour(true, 3, 7, ip("192.0.2.1"), 0x02, mac("02:00:00:00:00:01"), false),
                new FpcNeighbour(false, 3, 7, ip("fe80::1"), 0x20, new byte[0], true),
                ROUTE,
                new FpcRoute(false, 0, 254, ip("2001:db8::"), 32, FpcRouteType.BLACKHOLE, List.of()),
                new FpcRoute(true, 0, 255, ip("2001:db8::1"), 128, FpcRouteType.LOCAL,
                        List.of(new FpcNexthop(1, ip("fe80::2"), 256))),
                new FpcRoute(true, 3, 254, ip("10.2.0.0"), 16, FpcRouteType.UNICAST, List.of(), 100),
                new FpcNexthopObject(true, 3, 10, 7, ip("192.0.2.1"), false),
                new FpcNexthopObject(true, 3, 11, 8, ip("fe80::1"), false),
                new FpcNexthopObject(true, 3, 12, 0, null, true),
                new FpcNexthopObject(false, 3, 10, 7, null, false),
                new FpcNexthopGroup(true, 3, 100, List.of(new FpcGroupMember(10, 1), new FpcGroupMember(11, 65536))),
                new FpcNexthopGroup(false, 3, 100, List.of()),
                new FpcVxlan(true, 3, 12, 0xabcdef, 4789, ip("192.0.2.10")),
                new FpcVxlan(true, 3, 12, 0xabcdef, 4789, ip("192.0.2.10"), ip("192.0.2.20"), 32),
                new FpcVxlan(false, 3, 12, 42, 8472, null),
                new FpcPolicyRouting(true, 3, FpcPolicyRouting.IPV4),
                new FpcPolicyRouting(true, 3, FpcPolicyRouting.IPV4 | FpcPolicyRouting.IPV6),
                new FpcPolicyRouting(false, 3, 0),
                new FpcControl(FpcControlType.PORT_ENABLE, 3, 7, 0),
                new FpcControl(FpcControlType.PORT_DISABLE, 3, 7, 0),
                new FpcControl(FpcControlType.CAPTURE_ON, 3, 0, 0),
                new FpcControl(FpcControlType.CAPTURE_OFF, 3, 7, 0),
                new FpcControl(FpcControlType.SET_MTU, 3, 7, 9000),
                new FpcRouteList(List.of(ROUTE, new FpcRoute(true, 3, 254, ip("2001:db8:1::"), 48, FpcRouteType.UNICAST,
                        List.of(new FpcNexthop(7, ip("fe80::1"), 1))))));
    }

    static FpcEnvelope envelope(FpcMessage m, long sequence) {
        return new FpcEnvelope(0, m.messageType().numbered() ? sequence : 0, 0, m);
    }

    @Test
    void everyMessageTypeRoundTrips() {
        Set<FpcMessageType> seen = EnumSet.noneOf(FpcMessageType.class);
        long sequence = 1;
        for (FpcMessage m : oneOfEach()) {
            FpcEnvelope e = envelope(m, sequence++);
            List<FpcEnvelope> decoded = decode(encode(e));
            assertEquals(List.of(e), decoded, m.toString());
            seen.add(m.messageType());
        }
        assertEquals(EnumSet.allOf(FpcMessageType.class), seen, "a message type has no round-trip example");
    }

    @Test
    void randomMessagesRoundTrip() {
        Random r = new Random(1);
        for (int i = 0; i < 5000; i++) {
            FpcEnvelope e = FpcFuzz.randomEnvelope(r);
            assertEquals(List.of(e), decode(encode(e)));
        }
    }

    @Test
    void headerFieldsAreAtTheirOffsets() {
        byte[] b = encode(new FpcEnvelope(FpcEnvelope.ACK_REQUEST, 0x01020304L, 0xa0b0c0d0L, new FpcSyncBegin(9, 5)));
        assertEquals(28, b.length);
        assertEquals(1, b[0]);                       // version
        assertEquals(0x10, b[1]);                    // type SYNC_BEGIN
        assertEquals(0x00, b[2]);                    // flags, high byte
        assertEquals(0x01, b[3]);                    // flags, low byte: ACK_REQUEST
        assertArrayEquals(new byte[] {1, 2, 3, 4}, slice(b, 4, 4));   // sequence
        assertArrayEquals(new byte[] {(byte) 0xa0, (byte) 0xb0, (byte) 0xc0, (byte) 0xd0}, slice(b, 8, 4)); // report
        assertArrayEquals(new byte[] {0, 0, 0, 28}, slice(b, 12, 4)); // length, header included
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 9}, slice(b, 16, 8)); // generation u64
        assertArrayEquals(new byte[] {0, 0, 0, 5}, slice(b, 24, 4)); // vrf scope u32
    }

    @Test
    void routeBodyLayout() {
        byte[] b = encode(envelope(ROUTE, 1));
        assertEquals(0x28, b[1]);                                    // type ROUTE_ADD
        assertArrayEquals(new byte[] {0, 0, 0, 3}, slice(b, 16, 4));  // vrf
        assertArrayEquals(new byte[] {0, 0, 0, (byte) 254}, slice(b, 20, 4)); // table
        assertEquals(1, b[24]);                                      // route type RTN_UNICAST
        assertEquals(16, b[25]);                                     // prefix length
        assertEquals(2, b[26]);                                      // prefix family AF_INET
        assertArrayEquals(new byte[] {10, 1, 0, 0}, slice(b, 27, 4)); // prefix
        assertArrayEquals(new byte[] {0, 2}, slice(b, 31, 2));        // nexthop count
        assertArrayEquals(new byte[] {0, 0, 0, 7}, slice(b, 33, 4));  // nexthop 1 ifindex
        assertArrayEquals(new byte[] {0, 1}, slice(b, 37, 2));        // nexthop 1 weight
        assertEquals(2, b[39]);                                      // gateway family AF_INET
        assertArrayEquals(new byte[] {(byte) 192, 0, 2, 1}, slice(b, 40, 4)); // gateway
        assertArrayEquals(new byte[] {0, 0, 0, 8}, slice(b, 44, 4));  // nexthop 2 ifindex
        assertArrayEquals(new byte[] {0, 2}, slice(b, 48, 2));        // nexthop 2 weight
        assertEquals(0, b[50]);                                      // gateway family AF_UNSPEC: directly connected
        assertArrayEquals(new byte[] {0, 0, 0, 0}, slice(b, 51, 4));  // nexthop id: none
        assertEquals(55, b.length);
        byte[] viaObject = encode(envelope(new FpcRoute(true, 3, 254, ip("10.2.0.0"), 16, FpcRouteType.UNICAST,
                List.of(), 0x01020304), 1));
        assertArrayEquals(new byte[] {0, 0}, slice(viaObject, 31, 2));        // no nexthops of its own
        assertArrayEquals(new byte[] {1, 2, 3, 4}, slice(viaObject, 33, 4));  // nexthop id
        assertEquals(37, viaObject.length);
    }

    @Test
    void nexthopObjectGroupAndControlBodyLayouts() {
        byte[] n = encode(envelope(new FpcNexthopObject(true, 3, 10, 7, ip("192.0.2.1"), false), 1));
        assertEquals(0x2a, n[1]);                                           // type NEXTHOP_ADD
        assertArrayEquals(new byte[] {0, 0, 0, 3}, slice(n, 16, 4));         // vrf
        assertArrayEquals(new byte[] {0, 0, 0, 10}, slice(n, 20, 4));        // id
        assertArrayEquals(new byte[] {0, 0, 0, 7}, slice(n, 24, 4));         // ifindex
        assertEquals(0, n[28]);                                             // flags
        assertEquals(2, n[29]);                                             // gateway AF_INET
        assertArrayEquals(new byte[] {(byte) 192, 0, 2, 1}, slice(n, 30, 4));
        assertEquals(34, n.length);
        byte[] bh = encode(envelope(new FpcNexthopObject(false, 3, 12, 0, null, true), 1));
        assertEquals(0x2b, bh[1]);                                          // type NEXTHOP_DEL
        assertEquals(1, bh[28]);                                            // flags: blackhole
        assertEquals(0, bh[29]);                                            // no gateway
        assertEquals(30, bh.length);

        byte[] g = encode(envelope(new FpcNexthopGroup(true, 3, 100,
                List.of(new FpcGroupMember(10, 1), new FpcGroupMember(11, 65536))), 1));
        assertEquals(0x2c, g[1]);                                           // type NEXTHOP_GROUP_ADD
        assertArrayEquals(new byte[] {0, 0, 0, 100}, slice(g, 20, 4));       // group id
        assertArrayEquals(new byte[] {0, 2}, slice(g, 24, 2));               // member count
        assertArrayEquals(new byte[] {0, 0, 0, 10, 0, 0, 0, 1}, slice(g, 26, 8));  // id 10, weight 1
        assertArrayEquals(new byte[] {0, 0, 0, 11, 0, 1, 0, 0}, slice(g, 34, 8));  // id 11, weight 65536
        assertEquals(42, g.length);

        byte[] c = encode(envelope(new FpcControl(FpcControlType.SET_MTU, 3, 7, 9000), 5));
        assertEquals(0x30, c[1]);                                           // type CONTROL
        assertArrayEquals(new byte[] {0, 0, 0, 5}, slice(c, 4, 4));          // numbered
        assertEquals(5, c[16]);                                             // SET_MTU
        assertArrayEquals(new byte[] {0, 0, 0, 3}, slice(c, 17, 4));         // vrf
        assertArrayEquals(new byte[] {0, 0, 0, 7}, slice(c, 21, 4));         // ifindex
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0x23, 0x28}, slice(c, 25, 8)); // value 9000
        assertEquals(33, c.length);
    }

    @Test
    void linkBodyLayout() {
        byte[] b = encode(envelope(LINK, 1));
        assertArrayEquals(new byte[] {0, 0, 0, 3}, slice(b, 16, 4));        // vrf
        assertArrayEquals(new byte[] {0, 0, 0, 7}, slice(b, 20, 4));        // ifindex
        assertArrayEquals(new byte[] {0, 0, 0x05, (byte) 0xdc}, slice(b, 24, 4)); // mtu 1500
        assertArrayEquals(new byte[] {0, 1, 0x10, 0x43}, slice(b, 28, 4));  // flags IFF_UP|BROADCAST|RUNNING|MULTICAST|LOWER_UP
        assertArrayEquals(new byte[] {0, 0, 0, 0}, slice(b, 32, 4));        // master
        assertEquals(6, b[36]);                                            // operState IF_OPER_UP
        assertEquals(6, b[37]);                                            // MAC length
        assertArrayEquals(mac("02:00:00:00:00:07"), slice(b, 38, 6));      // MAC
        assertArrayEquals(new byte[] {0, 4, 'e', 't', 'h', '0'}, slice(b, 44, 6)); // name
        assertArrayEquals(new byte[] {0, 4, 'v', 'e', 't', 'h'}, slice(b, 50, 6)); // kind
        assertEquals(56, b.length);
    }

    @Test
    void reportBodyLayout() {
        byte[] b = encode(FpcEnvelope.control(new FpcReport(42, FpcStatus.NO_SPACE, "full"), 41));
        assertEquals(0x02, b[1]);                                      // type REPORT
        assertArrayEquals(new byte[] {0, 0, 0, 0}, slice(b, 4, 4));     // sequence: unnumbered
        assertArrayEquals(new byte[] {0, 0, 0, 41}, slice(b, 8, 4));    // report (piggy-backed)
        assertArrayEquals(new byte[] {0, 0, 0, 42}, slice(b, 16, 4));   // reported sequence
        assertEquals(3, b[20]);                                        // status NO_SPACE
        assertArrayEquals(new byte[] {0, 4, 'f', 'u', 'l', 'l'}, slice(b, 21, 6)); // text
    }

    @Test
    void oneByteAtATimeYieldsTheSameMessages() {
        List<FpcEnvelope> sent = new ArrayList<>();
        long sequence = 1;
        for (FpcMessage m : oneOfEach()) {
            sent.add(envelope(m, sequence++));
        }
        byte[] stream = encode(sent.toArray(FpcEnvelope[]::new));
        EmbeddedChannel ch = decoderChannel();
        List<FpcEnvelope> received = new ArrayList<>();
        for (byte b : stream) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
            for (Object o; (o = ch.readInbound()) != null; ) {
                received.add((FpcEnvelope) o);
            }
        }
        ch.finishAndReleaseAll();
        assertEquals(sent, received);
    }

    @Test
    void vxlanBodyBytes() {
        byte[] b = encode(new FpcEnvelope(0, 4, 0, new FpcVxlan(true, 3, 12, 0xabcdef, 4789, ip("192.0.2.10"),
                ip("192.0.2.20"), 0)));
        byte[] body = java.util.Arrays.copyOfRange(b, 16, b.length);
        assertEquals("00000003" // vrf
                + "0000000c" // ifindex
                + "00abcdef" // VNI
                + "12b5" // port 4789
                + "02c000020a" // local: AF_INET 192.0.2.10
                + "02c0000214" // remote: AF_INET 192.0.2.20
                + "00", // TTL: the default
                java.util.HexFormat.of().formatHex(body));
        assertEquals(0x2e, b[1] & 0xff, "VXLAN_ADD");
    }

    @Test
    void policyRoutingBodyBytes() {
        byte[] b = encode(new FpcEnvelope(0, 5, 0, new FpcPolicyRouting(true, 3, FpcPolicyRouting.IPV6)));
        assertEquals("00000003" // vrf
                + "02", // families: IPv6
                java.util.HexFormat.of().formatHex(java.util.Arrays.copyOfRange(b, 16, b.length)));
        assertEquals(0x32, b[1] & 0xff, "POLICY_ROUTING_ADD");
        assertEquals(0x33, encode(new FpcEnvelope(0, 6, 0, new FpcPolicyRouting(false, 3, 0)))[1] & 0xff,
                "POLICY_ROUTING_DEL");
    }

    @Test
    void aRouteListIsItsCountThenItsRoutesBodies() {
        FpcRoute second = new FpcRoute(true, 3, 254, ip("10.2.0.0"), 16, FpcRouteType.BLACKHOLE, List.of());
        byte[] list = encode(new FpcEnvelope(0, 5, 0, new FpcRouteList(List.of(ROUTE, second))));
        byte[] one = encode(new FpcEnvelope(0, 5, 0, ROUTE));
        byte[] two = encode(new FpcEnvelope(0, 5, 0, second));
        assertEquals(0x34, list[1] & 0xff, "ROUTE_ADD_LIST");
        assertEquals("0002" + hexOf(one, 16) + hexOf(two, 16), hexOf(list, 16));
        assertEquals(list.length, FpcRouteList.emptyLength() + FpcRouteList.bodyLength(ROUTE) + FpcRouteList.bodyLength(second));
    }

    private static String hexOf(byte[] b, int from) {
        return java.util.HexFormat.of().formatHex(java.util.Arrays.copyOfRange(b, from, b.length));
    }

    @Test
    void aRouteListHoldsRouteAddsAndOnlyOneThatFitsAMessageIsEncoded() {
        assertThrows(IllegalArgumentException.class, () -> new FpcRouteList(List.of()));
        FpcRoute del = new FpcRoute(false, 3, 254, ip("10.1.0.0"), 16, FpcRouteType.UNICAST, List.of());
        assertThrows(IllegalArgumentException.class, () -> new FpcRouteList(List.of(ROUTE, del)));
        // 2,048 routes of 32 bytes do not fit in 65,535 bytes; 2,047 do.
        FpcRoute small = new FpcRoute(true, 3, 254, ip("10.1.0.0"), 16, FpcRouteType.UNICAST,
                List.of(new FpcNexthop(7, ip("192.0.2.1"), 1)));
        assertEquals(32, FpcRouteList.bodyLength(small));
        encode(new FpcEnvelope(0, 5, 0, new FpcRouteList(java.util.Collections.nCopies(2047, small))));
        FpcEnvelope tooLong = new FpcEnvelope(0, 5, 0, new FpcRouteList(java.util.Collections.nCopies(2048, small)));
        io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FpcMessageEncoder.encode(tooLong, out));
        assertEquals(0, out.writerIndex(), "nothing of it written");
        out.release();
        assertTrue(e.getMessage().contains("ROUTE_ADD_LIST encodes to 65554 bytes"), e.getMessage());
    }

    @Test
    void aPolicyRoutingAddNamesAFamilyAndNoOtherBits() {
        assertThrows(IllegalArgumentException.class, () -> new FpcPolicyRouting(true, 3, 0));
        assertThrows(IllegalArgumentException.class, () -> new FpcPolicyRouting(false, 3, 4));
    }

    @Test
    void aVniOfMoreThan24BitsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new FpcVxlan(true, 3, 12, 0x1000000, 4789, null));
    }

    @Test
    void recordsWithMacsCompareByContentAndPrintColonHex() {
        FpcLink copy = new FpcLink(true, 3, 7, "eth0", "veth", mac("02:00:00:00:00:07"), 1500, 0x11043, 6, 0);
        assertEquals(LINK, copy);
        assertEquals(LINK.hashCode(), copy.hashCode());
        assertNotEquals(LINK, new FpcLink(true, 3, 7, "eth0", "veth", mac("02:00:00:00:00:08"), 1500, 0x11043, 6, 0));
        assertTrue(LINK.toString().contains("mac=02:00:00:00:00:07"), LINK.toString());
        FpcNeighbour n = new FpcNeighbour(true, 1, 2, ip("192.0.2.1"), 2, mac("aa:bb:cc:dd:ee:ff"), false);
        assertEquals(n, new FpcNeighbour(true, 1, 2, ip("192.0.2.1"), 2, mac("aa:bb:cc:dd:ee:ff"), false));
        assertTrue(n.toString().contains("mac=aa:bb:cc:dd:ee:ff"), n.toString());
        byte[] outside = LINK.mac();
        outside[0] = 9; // the record keeps its own copy
        assertEquals(copy, LINK);
    }

    @Test
    void recordsRefuseValuesTheWireCannotCarry() {
        assertThrows(IllegalArgumentException.class, () -> new FpcLink(true, 1, 1, "a-name-longer-than-15", "", new byte[0], 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new FpcNeighbour(true, 1, 1, ip("10.0.0.1"), 0, new byte[5], false));
        assertThrows(IllegalArgumentException.class, () -> new FpcAddress(true, 1, 1, 33, ip("10.0.0.1")));
        assertThrows(IllegalArgumentException.class, () -> new FpcNexthop(1, null, 0));
        assertThrows(IllegalArgumentException.class, () -> new FpcNexthopObject(true, 1, 0, 1, null, false));
        assertThrows(IllegalArgumentException.class, () -> new FpcNexthopObject(true, 1, 5, 1, null, true));
        assertThrows(IllegalArgumentException.class, () -> new FpcNexthopObject(true, 1, 5, 0, ip("10.0.0.1"), true));
        assertThrows(IllegalArgumentException.class, () -> new FpcGroupMember(1, 0));
        assertThrows(IllegalArgumentException.class, () -> new FpcGroupMember(1, 65537));
        assertThrows(IllegalArgumentException.class, () -> new FpcGroupMember(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new FpcNexthopGroup(true, 1, 0, List.of(new FpcGroupMember(1, 1))));
        assertThrows(IllegalArgumentException.class, () -> new FpcNexthopGroup(true, 1, 2, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new FpcNexthopGroup(true, 1, 2,
                List.of(new FpcGroupMember(1, 1), new FpcGroupMember(1, 2))));
        List<FpcGroupMember> tooMany = new ArrayList<>();
        for (int i = 1; i <= 2049; i++) {
            tooMany.add(new FpcGroupMember(i, 1));
        }
        assertThrows(IllegalArgumentException.class, () -> new FpcNexthopGroup(true, 1, 2, tooMany));
        assertEquals(2048, new FpcNexthopGroup(true, 1, 2, tooMany.subList(0, 2048)).members().size());
        assertThrows(IllegalArgumentException.class, () -> new FpcRoute(true, 1, 254, ip("10.0.0.0"), 8,
                FpcRouteType.UNICAST, List.of(new FpcNexthop(1, null, 1)), 5));
        assertEquals(0, new FpcRoute(true, 1, 254, ip("10.0.0.0"), 8, FpcRouteType.UNICAST, List.of()).nexthopId());
        assertThrows(IllegalArgumentException.class, () -> new FpcControl(FpcControlType.SET_MTU, 1, 1, 67));
        assertThrows(IllegalArgumentException.class, () -> new FpcControl(FpcControlType.SET_MTU, 1, 1, 1L << 32));
        assertThrows(IllegalArgumentException.class, () -> new FpcControl(FpcControlType.PORT_ENABLE, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new FpcControl(FpcControlType.PORT_ENABLE, 1, 0, 0));
        assertThrows(NullPointerException.class, () -> new FpcControl(null, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new FpcEnvelope(0, 0, 0, new FpcSyncBegin(1)));
        assertThrows(IllegalArgumentException.class, () -> new FpcEnvelope(0, 1, 0, new FpcKeepalive()));
        assertThrows(IllegalArgumentException.class, () -> new FpcEnvelope(0x8000, 1, 0, new FpcSyncBegin(1)));
    }

    @Test
    void longReportTextIsCutToTheWireLimit() {
        FpcReport r = FpcReport.of(1, FpcStatus.ERROR, "€".repeat(2000));
        assertTrue(r.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 1024);
        assertTrue(r.text().endsWith("..."));
        assertEquals(List.of(FpcEnvelope.control(r, 0)), decode(encode(FpcEnvelope.control(r, 0))));
    }

    @Test
    void enumsRoundTripTheirCodesAndNameUnknownOnes() {
        for (FpcMessageType t : FpcMessageType.values()) {
            assertEquals(t, FpcMessageType.fromCode(t.code()));
        }
        for (FpcStatus s : FpcStatus.values()) {
            assertEquals(s, FpcStatus.fromCode(s.code()));
        }
        for (FpcRouteType t : FpcRouteType.values()) {
            assertEquals(t, FpcRouteType.fromCode(t.code()));
        }
        for (FpcControlType t : FpcControlType.values()) {
            assertEquals(t, FpcControlType.fromCode(t.code()));
        }
        assertTrue(assertThrows(FpcProtocolException.class, () -> FpcControlType.fromCode(0)).getMessage()
                .contains("unknown FPC control type 0"));
        assertTrue(assertThrows(FpcProtocolException.class, () -> FpcControlType.fromCode(6)).getMessage().contains("6"));
        assertTrue(assertThrows(FpcProtocolException.class, () -> FpcMessageType.fromCode(0x7f)).getMessage().contains("127"));
        assertTrue(assertThrows(FpcProtocolException.class, () -> FpcStatus.fromCode(99)).getMessage().contains("99"));
        assertTrue(assertThrows(FpcProtocolException.class, () -> FpcRouteType.fromCode(3)).getMessage().contains("3"));
    }

    @Test
    void ipv4MappedIpv6StaysIpv6() throws Exception {
        // InetAddress.getByAddress would turn ::ffff:10.0.0.1 into 10.0.0.1; the decoder must not.
        java.net.InetAddress mapped = java.net.Inet6Address.getByAddress(null,
                FpcTestSupport.hex("00000000000000000000ffff0a000001"), -1);
        FpcAddress back = (FpcAddress) decode(encode(envelope(new FpcAddress(true, 0, 1, 128, mapped), 1))).get(0).message();
        assertInstanceOf(java.net.Inet6Address.class, back.address());
    }

    private static byte[] slice(byte[] b, int offset, int length) {
        return java.util.Arrays.copyOfRange(b, offset, offset + length);
    }
}
