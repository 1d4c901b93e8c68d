package io.xdpgate.fpc;

import static io.xdpgate.fpc.FpcTestSupport.decode;
import static io.xdpgate.fpc.FpcTestSupport.decoderChannel;
import static io.xdpgate.fpc.FpcTestSupport.encode;
import static io.xdpgate.fpc.FpcTestSupport.hex;
import static io.xdpgate.fpc.FpcTestSupport.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Malformed input must end in FpcProtocolException, with a message naming what is wrong, and nothing else. */
class FpcHostileInputTest {
    private static final byte[] ROUTE = encode(new FpcEnvelope(0, 1, 0, FpcCodecTest.ROUTE));

    private static String rejected(byte[] input) {
        return assertThrows(FpcProtocolException.class, () -> decode(input)).getMessage();
    }

    private static byte[] withLength(byte[] b, long length) {
        byte[] c = b.clone();
        Unpooled.wrappedBuffer(c).setInt(12, (int) length);
        return c;
    }

    @Test
    void truncatedFrameWaitsThenStaysUndecoded() {
        // A stream cut inside a frame is not an error until more bytes prove it wrong; nothing comes out.
        EmbeddedChannel ch = decoderChannel();
        ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOf(ROUTE, ROUTE.length - 1)));
        assertTrue(ch.readInbound() == null);
        ch.finishAndReleaseAll();
        // Handed to the static decoder, the same bytes are a protocol error.
        assertTrue(assertThrows(FpcProtocolException.class,
                () -> FpcMessageDecoder.decode(Unpooled.wrappedBuffer(Arrays.copyOf(ROUTE, ROUTE.length - 1))))
                .getMessage().contains("length field says"));
        assertTrue(assertThrows(FpcProtocolException.class,
                () -> FpcMessageDecoder.decode(Unpooled.wrappedBuffer(Arrays.copyOf(ROUTE, 10))))
                .getMessage().contains("truncated header"));
    }

    @Test
    void lengthBelowHeaderIsRefused() {
        assertTrue(rejected(withLength(ROUTE, 15)).contains("length 15 out of range"));
        assertTrue(rejected(withLength(ROUTE, 0)).contains("length 0 out of range"));
    }

    @Test
    void lengthAboveMaximumIsRefusedBeforeTheBodyArrives() {
        // Only the header is sent: the decoder must not wait for (or buffer) 4 GB.
        byte[] header = Arrays.copyOf(withLength(ROUTE, 0xffff_fff0L), 16);
        assertTrue(rejected(header).contains("length 4294967280 out of range"));
        assertTrue(rejected(Arrays.copyOf(withLength(ROUTE, 65536), 16)).contains("65536"));
    }

    @Test
    void unknownVersionIsRefusedFromItsFirstByte() {
        assertTrue(rejected(new byte[] {2}).contains("unknown FPC version 2"));
        byte[] b = ROUTE.clone();
        b[0] = 0;
        assertTrue(rejected(b).contains("unknown FPC version 0"));
    }

    @Test
    void unknownTypeIsRefused() {
        byte[] b = ROUTE.clone();
        b[1] = 0x7e;
        assertTrue(rejected(b).contains("unknown FPC message type 126"));
    }

    @Test
    void unknownHeaderFlagsAreRefused() {
        byte[] b = ROUTE.clone();
        b[2] = (byte) 0x80;
        assertTrue(rejected(b).contains("unknown header flags"));
    }

    @Test
    void numberingMustMatchTheType() {
        byte[] keepaliveWithSequence = hex("01 03 0000 00000001 00000000 00000010");
        assertTrue(rejected(keepaliveWithSequence).contains("must be unnumbered"));
        byte[] routeWithoutSequence = ROUTE.clone();
        routeWithoutSequence[7] = 0;
        assertTrue(rejected(routeWithoutSequence).contains("without a sequence number"));
    }

    @Test
    void bodyLongerThanItsFieldsIsRefused() {
        byte[] longer = withLength(Arrays.copyOf(ROUTE, ROUTE.length + 3), ROUTE.length + 3);
        assertTrue(rejected(longer).contains("3 bytes left after the body"));
    }

    @Test
    void bodyShorterThanItsFieldsIsRefused() {
        byte[] shorter = withLength(Arrays.copyOf(ROUTE, ROUTE.length - 2), ROUTE.length - 2);
        assertTrue(rejected(shorter).contains("truncated body"));
        // SYNC_BEGIN with a 4-byte generation
        assertTrue(rejected(hex("01 10 0000 00000001 00000000 00000014 00000005")).contains("generation needs 8 bytes"));
    }

    @Test
    void stringLengthPastTheEndIsRefused() {
        // VRF_ADD vrf 1, name length 200 but 2 bytes follow
        byte[] b = hex("01 20 0000 00000001 00000000 00000018 00000001 00c8 6162");
        assertTrue(rejected(b).contains("VRF name needs 200 bytes, 2 left"));
    }

    @Test
    void stringLongerThanItsBoundIsRefused() {
        // LINK name of 16 bytes (IFNAMSIZ - 1 = 15 is the limit)
        byte[] body = hex("00000001 00000002 000005dc 00000000 00000000 06 00 0010") ;
        byte[] frame = frame(0x22, 1, concat(body, "abcdefghijklmnop".getBytes(), hex("0000")));
        assertTrue(rejected(frame).contains("link name length 16 exceeds 15"));
    }

    @Test
    void invalidUtf8IsRefused() {
        byte[] frame = frame(0x20, 1, hex("00000001 0002 c328"));
        assertTrue(rejected(frame).contains("not valid UTF-8"));
    }

    @Test
    void nexthopCountLargerThanTheBodyIsRefusedBeforeAllocating() {
        // ROUTE_ADD 10.0.0.0/8 with a count of 65535 and no nexthop bytes
        byte[] frame = frame(0x28, 1, hex("00000000 000000fe 01 08 02 0a000000 ffff"));
        assertTrue(rejected(frame).contains("nexthop count 65535 does not fit"));
    }

    @Test
    void badFieldValuesAreRefused() {
        assertTrue(rejected(frame(0x24, 1, hex("00000000 00000001 21 02 0a000001"))).contains("prefix length 33"));
        assertTrue(rejected(frame(0x24, 1, hex("00000000 00000001 08 07 0a000001"))).contains("unknown address family 7"));
        assertTrue(rejected(frame(0x24, 1, hex("00000000 00000001 00 00"))).contains("unknown address family 0"));
        assertTrue(rejected(frame(0x26, 1, hex("00000000 00000001 0002 02 02 0a000001 00"))).contains("unknown neighbour flags"));
        assertTrue(rejected(frame(0x26, 1, hex("00000000 00000001 0002 00 02 0a000001 05 0102030405"))).contains("MAC length 5"));
        assertTrue(rejected(frame(0x02, 0, hex("00000001 09 0000"))).contains("unknown FPC report status 9"));
        assertTrue(rejected(frame(0x28, 1, hex("00000000 000000fe 03 08 02 0a000000 0000"))).contains("unknown FPC route type 3"));
        // nexthop weight 0
        assertTrue(rejected(frame(0x28, 1, hex("00000000 000000fe 01 08 02 0a000000 0001 00000001 0000 00 00000000")))
                .contains("weight 0"));
    }

    @Test
    void routeNexthopIdIsRequiredAndExcludesOwnNexthops() {
        // The route body without its trailing nexthop id
        assertTrue(rejected(frame(0x28, 1, hex("00000000 000000fe 01 08 02 0a000000 0000"))).contains("nexthop count 0 does not fit in the 0 bytes left (at most 2048, then the nexthop id u32)"));
        // One nexthop of its own and a nexthop id
        assertTrue(rejected(frame(0x28, 1, hex("00000000 000000fe 01 08 02 0a000000 0001 00000001 0001 00 00000005")))
                .contains("carries no nexthops of its own"));
        // One nexthop, the id cut: the count is checked against the bytes left, id included
        assertTrue(rejected(frame(0x28, 1, hex("00000000 000000fe 01 08 02 0a000000 0001 00000001 0001 00")))
                .contains("nexthop count 1 does not fit"));
    }

    @Test
    void badNexthopObjectsAreRefused() {
        assertTrue(rejected(frame(0x2a, 1, hex("00000003 00000000 00000007 00 00"))).contains("nexthop id 0"));
        assertTrue(rejected(frame(0x2a, 1, hex("00000003 0000000a 00000007 02 00"))).contains("unknown nexthop flags 0x2"));
        assertTrue(rejected(frame(0x2a, 1, hex("00000003 0000000a 00000007 01 00"))).contains("blackhole"));
        assertTrue(rejected(frame(0x2a, 1, hex("00000003 0000000a 00000000 01 02 0a000001"))).contains("blackhole"));
        assertTrue(rejected(frame(0x2a, 1, hex("00000003 0000000a 00000007 00 07 0a000001"))).contains("unknown address family 7"));
        assertTrue(rejected(frame(0x2a, 1, hex("00000003 0000000a 00000007 00"))).contains("truncated body: gateway family"));
        assertTrue(rejected(frame(0x2b, 1, hex("00000003 0000000a 00000007 00 00 00"))).contains("1 bytes left after the body"));
    }

    @Test
    void badNexthopGroupsAreRefusedBeforeAllocating() {
        // A member count of 65535 with no member bytes, and one of 2049 that the body would hold
        assertTrue(rejected(frame(0x2c, 1, hex("00000003 00000064 ffff"))).contains("member count 65535 does not fit"));
        byte[] many = new byte[2049 * 8];
        for (int i = 0; i < 2049; i++) {
            Unpooled.wrappedBuffer(many).setInt(i * 8, i + 1);
            Unpooled.wrappedBuffer(many).setInt(i * 8 + 4, 1);
        }
        assertTrue(rejected(frame(0x2c, 1, concat(hex("00000003 00000064 0801"), many))).contains("member count 2049"));
        assertTrue(rejected(frame(0x2c, 1, hex("00000003 00000064 0001 0000000a 00000000"))).contains("weight 0 out of range"));
        assertTrue(rejected(frame(0x2c, 1, hex("00000003 00000064 0001 0000000a 00010001"))).contains("weight 65537 out of range"));
        assertTrue(rejected(frame(0x2c, 1, hex("00000003 00000064 0001 0000000a ffffffff"))).contains("weight 4294967295"));
        assertTrue(rejected(frame(0x2c, 1, hex("00000003 00000064 0001 00000000 00000001"))).contains("member id 0"));
        assertTrue(rejected(frame(0x2c, 1, hex("00000003 00000064 0002 0000000a 00000001 0000000a 00000002")))
                .contains("twice"));
        assertTrue(rejected(frame(0x2c, 1, hex("00000003 00000064 0000"))).contains("at least one member"));
        assertTrue(rejected(frame(0x2c, 1, hex("00000003 00000000 0001 0000000a 00000001"))).contains("group id 0"));
        assertTrue(rejected(frame(0x2c, 1, hex("00000003 00000064 0001 0000000a 00000001 00"))).contains("1 bytes left"));
        // A DEL may carry no members
        assertEquals(List.of(new FpcEnvelope(0, 1, 0, new FpcNexthopGroup(false, 3, 100, List.of()))),
                decode(frame(0x2d, 1, hex("00000003 00000064 0000"))));
    }

    @Test
    void badPolicyRoutingMessagesAreRefused() {
        assertTrue(rejected(frame(0x32, 1, hex("00000003 00"))).contains("an ADD names at least one family"));
        assertTrue(rejected(frame(0x32, 1, hex("00000003 04"))).contains("policy routing families 4 out of range 0..3"));
        assertTrue(rejected(frame(0x33, 1, hex("00000003 80"))).contains("policy routing families 128"));
        assertTrue(rejected(frame(0x32, 1, hex("00000003"))).contains("truncated body: policy routing families"));
        assertTrue(rejected(frame(0x32, 1, hex("00000003 01 00"))).contains("1 bytes left after the body"));
        assertTrue(rejected(frame(0x32, 0, hex("00000003 01"))).contains("without a sequence number"));
        assertTrue(rejected(frame(0x31, 1, hex("00000003 01"))).contains("unknown FPC message type 49"));
        assertEquals(List.of(new FpcEnvelope(0, 1, 0, new FpcPolicyRouting(false, 3, 0))),
                decode(frame(0x33, 1, hex("00000003 00"))));
    }

    @Test
    void badRouteListsAreRefusedBeforeAllocating() {
        String route = "00000000 000000fe 01 08 02 0a000000 0000 00000000"; // 10.0.0.0/8, no nexthop: 21 bytes
        assertTrue(rejected(frame(0x34, 1, hex("0000"))).contains("route count 0 does not fit"));
        assertTrue(rejected(frame(0x34, 1, hex("ffff " + route))).contains("route count 65535 does not fit in the 21 bytes"));
        assertTrue(rejected(frame(0x34, 1, hex("0002 " + route + " 00000000"))).contains("route count 2 does not fit"));
        assertTrue(rejected(frame(0x34, 1, hex("0001 " + route + " 00"))).contains("1 bytes left after the body"));
        assertTrue(rejected(frame(0x34, 0, hex("0001 " + route))).contains("without a sequence number"));
        assertTrue(rejected(frame(0x34, 1, hex("0002 " + route + " 00000000 000000fe 01 21 02 0a000000 0000 00000000")))
                .contains("prefix length"), "a member's bad field is refused as in a ROUTE_ADD");
        assertTrue(rejected(frame(0x35, 1, hex("0001 " + route))).contains("unknown FPC message type 53"));
        assertEquals(List.of(new FpcEnvelope(0, 1, 0, new FpcRouteList(List.of(new FpcRoute(true, 0, 254, ip("10.0.0.0"), 8,
                FpcRouteType.UNICAST, List.of()))))), decode(frame(0x34, 1, hex("0001 " + route))));
    }

    @Test
    void badControlRequestsAreRefused() {
        assertTrue(rejected(frame(0x30, 1, hex("06 00000003 00000007 0000000000000000"))).contains("unknown FPC control type 6"));
        assertTrue(rejected(frame(0x30, 1, hex("00 00000003 00000007 0000000000000000"))).contains("unknown FPC control type 0"));
        assertTrue(rejected(frame(0x30, 1, hex("01 00000003 00000007 0000000000000001"))).contains("takes no value"));
        assertTrue(rejected(frame(0x30, 1, hex("05 00000003 00000007 0000000000000043"))).contains("out of range"));
        assertTrue(rejected(frame(0x30, 1, hex("05 00000003 00000007 0000000100000000"))).contains("out of range"));
        assertTrue(rejected(frame(0x30, 1, hex("05 00000003 00000007 8000000000000000"))).contains("out of range"));
        assertTrue(rejected(frame(0x30, 1, hex("01 00000003 00000000 0000000000000000"))).contains("needs an ifindex"));
        assertTrue(rejected(frame(0x30, 1, hex("01 00000003 00000007 00000000000000"))).contains("value needs 8 bytes"));
        // Numbered like the state messages
        assertTrue(rejected(frame(0x30, 0, hex("01 00000003 00000007 0000000000000000"))).contains("without a sequence number"));
        assertEquals(List.of(new FpcEnvelope(0, 1, 0, new FpcControl(FpcControlType.CAPTURE_ON, 3, 0, 0))),
                decode(frame(0x30, 1, hex("03 00000003 00000000 0000000000000000"))));
    }

    @Test
    void goodFramesBeforeABadOneAreDelivered() {
        EmbeddedChannel ch = decoderChannel();
        byte[] bad = ROUTE.clone();
        bad[1] = 0x7e;
        assertThrows(FpcProtocolException.class, () -> ch.writeInbound(Unpooled.wrappedBuffer(concat(ROUTE, bad))));
        assertEquals(new FpcEnvelope(0, 1, 0, FpcCodecTest.ROUTE), (FpcEnvelope) ch.readInbound());
        ch.finishAndReleaseAll();
    }

    @Test
    void fuzzedInputOnlyEverFailsWithTheProtocolException() {
        FpcFuzz.Summary s = FpcFuzz.run(100_000, 20_261_123L);
        assertTrue(s.ok(), s.toString());
        assertTrue(s.decodedMessages() > 10_000, s.toString()); // the mutations still let valid frames through
        assertTrue(s.rejectedInputs() > 50_000, s.toString());
    }

    @Test
    void addressHelperSanity() {
        assertEquals(List.of(new FpcEnvelope(0, 1, 0, new FpcAddress(true, 0, 1, 8, ip("10.0.0.1")))),
                decode(frame(0x24, 1, hex("00000000 00000001 08 02 0a000001"))));
    }

    static byte[] frame(int type, long sequence, byte[] body) {
        byte[] b = new byte[16 + body.length];
        io.netty.buffer.ByteBuf buf = Unpooled.wrappedBuffer(b);
        buf.setByte(0, 1);
        buf.setByte(1, type);
        buf.setInt(4, (int) sequence);
        buf.setInt(12, b.length);
        System.arraycopy(body, 0, b, 16, body.length);
        return b;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
