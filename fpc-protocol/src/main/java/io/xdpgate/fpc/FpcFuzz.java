package io.xdpgate.fpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Feeds random and mutated FPC streams through the frame and message decoders and checks that the
 * only failure is {@link FpcProtocolException}, and that whatever decodes re-encodes to the very
 * same bytes (the format is canonical). Deterministic for a given seed, so a failure can be replayed.
 */
public final class FpcFuzz {
    /** Failures kept in the summary; the count covers them all. */
    private static final int KEPT_FAILURES = 10;

    /**
     * @param failures the first few unexpected outcomes, each with the input in hex
     */
    public record Summary(long inputs, long seed, long decodedMessages, long rejectedInputs, long unexpected,
            List<String> failures) {
        public boolean ok() {
            return unexpected == 0;
        }

        @Override
        public String toString() {
            return "FPC fuzz seed " + seed + ": " + inputs + " inputs, " + decodedMessages + " messages decoded, "
                    + rejectedInputs + " inputs rejected, " + unexpected + " unexpected"
                    + (failures.isEmpty() ? "" : "\n  " + String.join("\n  ", failures));
        }
    }

    private FpcFuzz() {
    }

    public static Summary run(long inputs, long seed) {
        Random random = new Random(seed);
        long decoded = 0;
        long rejected = 0;
        long unexpected = 0;
        List<String> failures = new ArrayList<>();
        for (long i = 0; i < inputs; i++) {
            byte[] input = mutate(random, validStream(random));
            List<FpcEnvelope> out = new ArrayList<>();
            String failure;
            try {
                failure = feed(random, input, out);
            } catch (FpcProtocolException expected) {
                rejected++;
                failure = checkCanonical(input, out);
            } catch (Throwable t) {
                failure = t.toString();
            }
            decoded += out.size();
            if (failure != null) {
                unexpected++;
                if (failures.size() < KEPT_FAILURES) {
                    failures.add("input " + i + ": " + failure + ": " + ByteBufUtil.hexDump(input));
                }
            }
        }
        return new Summary(inputs, seed, decoded, rejected, unexpected, List.copyOf(failures));
    }

    /** Outcome of one input of {@link #runOne}. */
    record Outcome(int decoded, boolean rejected, int largestAllocation, String failure, byte[] input) {
    }

    /** Largest chunk {@link #feed} writes at once: the bytes of one read. */
    static final int MAX_CHUNK = 4096;

    /**
     * Input {@code index} of the run with {@code seed}: its own random generator, so a run can be split
     * across threads and any input replayed alone. The decoders allocate from {@code watch}; the input
     * fails when a buffer larger than {@link #allocationBound} of its length was allocated.
     */
    static Outcome runOne(long seed, long index, FpcAllocationWatch watch) {
        Random random = new Random(mix(seed + index * 0x9E37_79B9_7F4A_7C15L));
        byte[] input = mutate(random, validStream(random));
        List<FpcEnvelope> out = new ArrayList<>();
        String failure;
        boolean rejected = false;
        watch.takeLargest();
        try {
            failure = feed(random, input, out, watch);
        } catch (FpcProtocolException expected) {
            rejected = true;
            failure = checkCanonical(input, out);
        } catch (Throwable t) {
            failure = t.toString();
        }
        int largest = watch.takeLargest();
        if (failure == null && largest > allocationBound(input.length)) {
            failure = "a buffer of " + largest + " bytes was allocated for " + input.length + " bytes of input (bound "
                    + allocationBound(input.length) + ")";
        }
        return new Outcome(out.size(), rejected, largest, failure, failure == null ? null : input);
    }

    /**
     * What decoding {@code received} bytes may allocate at most: the bytes themselves, rounded up to a power
     * of two (Netty grows buffers so), and never more than two of the largest frames and one read after
     * them so rounded (256 KiB: the decoder keeps a decoded frame's bytes until it discards them, lazily,
     * while it holds what it has of the next and a read arrives). An allocation sized from a length field
     * (a header claiming 60000 bytes in a 30-byte input) exceeds it.
     */
    static int allocationBound(int received) {
        int most = Integer.highestOneBit(2 * FpcConstants.MAX_MESSAGE_LENGTH + MAX_CHUNK - 1) << 1;
        int pow2 = 64;
        while (pow2 < received && pow2 < most) {
            pow2 <<= 1;
        }
        return Math.min(pow2, most);
    }

    private static long mix(long z) { // SplitMix64's finalizer: nearby indexes give unrelated generators
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    /** Feeds {@code input} in random chunks; returns a failure description, or null. */
    private static String feed(Random random, byte[] input, List<FpcEnvelope> out) {
        return feed(random, input, out, null);
    }

    private static String feed(Random random, byte[] input, List<FpcEnvelope> out, FpcAllocationWatch watch) {
        EmbeddedChannel channel = new EmbeddedChannel(new FpcFrameDecoder());
        if (watch != null) {
            channel.config().setAllocator(watch);
        }
        try {
            int offset = 0;
            while (offset < input.length) {
                int chunk = Math.min(input.length - offset, 1 + random.nextInt(random.nextBoolean() ? 8 : MAX_CHUNK));
                channel.writeInbound(Unpooled.wrappedBuffer(input, offset, chunk));
                offset += chunk;
                for (Object o; (o = channel.readInbound()) != null; ) {
                    out.add((FpcEnvelope) o);
                }
            }
        } finally {
            channel.finishAndReleaseAll();
        }
        return checkCanonical(input, out);
    }

    /** What decoded must re-encode to the input's first bytes. */
    private static String checkCanonical(byte[] input, List<FpcEnvelope> out) {
        ByteBuf again = Unpooled.buffer();
        try {
            for (FpcEnvelope e : out) {
                FpcMessageEncoder.encode(e, again);
            }
            int n = again.readableBytes();
            if (n > input.length || !ByteBufUtil.equals(again, Unpooled.wrappedBuffer(input, 0, n))) {
                return "decoded messages re-encode differently: " + out;
            }
            return null;
        } finally {
            again.release();
        }
    }

    private static byte[] validStream(Random random) {
        ByteBuf buf = Unpooled.buffer();
        int count = 1 + (random.nextInt(4) == 0 ? random.nextInt(4) : 0);
        for (int i = 0; i < count; i++) {
            FpcMessageEncoder.encode(randomEnvelope(random), buf);
        }
        byte[] bytes = ByteBufUtil.getBytes(buf);
        buf.release();
        return bytes;
    }

    private static byte[] mutate(Random random, byte[] valid) {
        byte[] b = valid.clone();
        switch (random.nextInt(9)) {
            case 0 -> {
                return b; // unchanged: must decode and re-encode identically
            }
            case 1 -> {
                for (int n = 1 + random.nextInt(4); n > 0; n--) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
            }
            case 2 -> {
                return java.util.Arrays.copyOf(b, random.nextInt(b.length));
            }
            case 3 -> {
                byte[] longer = java.util.Arrays.copyOf(b, b.length + 1 + random.nextInt(32));
                for (int i = b.length; i < longer.length; i++) {
                    longer[i] = (byte) random.nextInt(256);
                }
                return longer;
            }
            case 4 -> {
                byte[] noise = new byte[random.nextInt(64)];
                random.nextBytes(noise);
                if (noise.length > 0 && random.nextBoolean()) {
                    noise[0] = FpcConstants.VERSION;
                }
                return noise;
            }
            case 5 -> setLength(b, random.nextBoolean() ? random.nextInt() : random.nextInt(b.length + 16));
            default -> {
                // A body byte changed or the body resized, with the length field kept consistent, so the
                // body parser (not the framer) has to catch it. Only the first message is touched.
                int first = (int) getLength(b);
                if (first <= FpcConstants.HEADER_LENGTH || first > b.length) {
                    return b;
                }
                byte[] one = java.util.Arrays.copyOf(b, first);
                if (random.nextBoolean()) {
                    one[FpcConstants.HEADER_LENGTH + random.nextInt(first - FpcConstants.HEADER_LENGTH)] =
                            (byte) (random.nextBoolean() ? random.nextInt(256) : random.nextInt(3) - 1);
                } else {
                    one = java.util.Arrays.copyOf(one, Math.max(FpcConstants.HEADER_LENGTH,
                            first + random.nextInt(9) - 4));
                }
                setLength(one, one.length);
                return one;
            }
        }
        return b;
    }

    private static long getLength(byte[] b) {
        return Unpooled.wrappedBuffer(b).getUnsignedInt(FpcConstants.OFFSET_LENGTH);
    }

    private static void setLength(byte[] b, int length) {
        if (b.length >= FpcConstants.HEADER_LENGTH) {
            Unpooled.wrappedBuffer(b).setInt(FpcConstants.OFFSET_LENGTH, length);
        }
    }

    // ---- random valid messages (also used by the codec tests)

    static FpcEnvelope randomEnvelope(Random r) {
        FpcMessage m = randomMessage(r);
        long sequence = m.messageType().numbered() ? 1 + (r.nextLong() & 0xffff_ffffL) % FpcSequence.MODULUS : 0;
        return new FpcEnvelope(r.nextInt(4) == 0 ? FpcEnvelope.ACK_REQUEST : 0, sequence, r.nextLong() & 0xffff_ffffL, m);
    }

    static FpcMessage randomMessage(Random r) {
        FpcMessageType[] types = FpcMessageType.values();
        FpcMessageType type = types[r.nextInt(types.length)];
        boolean add = type.code() % 2 == 0;
        return switch (type) {
            case HELLO -> new FpcHello(r.nextInt(256), r.nextLong(), string(r, FpcConstants.MAX_IDENTITY));
            case REPORT -> new FpcReport(r.nextLong() & 0xffff_ffffL, pick(r, FpcStatus.values()),
                    string(r, r.nextInt(8) == 0 ? FpcConstants.MAX_REPORT_TEXT : 40));
            case KEEPALIVE -> new FpcKeepalive();
            case SYNC_BEGIN -> new FpcSyncBegin(r.nextLong(), r.nextBoolean() ? FpcSyncBegin.ALL_VRFS : r.nextInt());
            case SYNC_END -> new FpcSyncEnd(r.nextLong(), r.nextBoolean() ? FpcSyncBegin.ALL_VRFS : r.nextInt());
            case VRF_ADD, VRF_DEL -> new FpcVrf(add, r.nextInt(), string(r, FpcConstants.MAX_VRF_NAME));
            case POLICY_ROUTING_ADD, POLICY_ROUTING_DEL -> new FpcPolicyRouting(add, r.nextInt(), add ? 1 + r.nextInt(3) : r.nextInt(4));
            case VXLAN_ADD, VXLAN_DEL -> new FpcVxlan(add, r.nextInt(), r.nextInt(), r.nextInt(0x1000000),
                    r.nextInt(0x10000), r.nextBoolean() ? null : address(r), r.nextBoolean() ? null : address(r),
                    r.nextInt(256));
            case LINK_ADD, LINK_DEL -> new FpcLink(add, r.nextInt(), r.nextInt(), string(r, FpcConstants.MAX_LINK_NAME),
                    string(r, FpcConstants.MAX_LINK_KIND), mac(r), r.nextInt(), r.nextInt(), r.nextInt(256), r.nextInt());
            case ADDRESS_ADD, ADDRESS_DEL -> {
                InetAddress a = address(r);
                yield new FpcAddress(add, r.nextInt(), r.nextInt(), r.nextInt(FpcChecks.bits(a) + 1), a);
            }
            case NEIGHBOUR_ADD, NEIGHBOUR_DEL -> new FpcNeighbour(add, r.nextInt(), r.nextInt(), address(r),
                    r.nextInt(0x10000), mac(r), r.nextBoolean());
            case ROUTE_ADD, ROUTE_DEL -> randomRoute(r, add);
            case ROUTE_ADD_LIST -> {
                // Up to a full message: many small routes, or a few with many nexthops.
                List<FpcRoute> routes = new ArrayList<>();
                int length = FpcRouteList.emptyLength();
                for (int n = 1 + r.nextInt(r.nextInt(8) == 0 ? 4000 : 20); routes.size() < n; ) {
                    FpcRoute route = randomRoute(r, true);
                    length += FpcRouteList.bodyLength(route);
                    if (length > FpcConstants.MAX_MESSAGE_LENGTH) break;
                    routes.add(route);
                }
                yield new FpcRouteList(routes.isEmpty() ? List.of(randomRoute(r, true)) : routes);
            }
            case NEXTHOP_ADD, NEXTHOP_DEL -> {
                boolean blackhole = r.nextInt(4) == 0;
                yield new FpcNexthopObject(add, r.nextInt(), nonZero(r), blackhole ? 0 : r.nextInt(),
                        blackhole || r.nextBoolean() ? null : address(r), blackhole);
            }
            case NEXTHOP_GROUP_ADD, NEXTHOP_GROUP_DEL -> {
                List<FpcGroupMember> members = new ArrayList<>();
                java.util.Set<Integer> ids = new java.util.HashSet<>();
                int count = (add ? 1 : 0) + r.nextInt(r.nextInt(16) == 0 ? 300 : 4);
                while (members.size() < count) {
                    int id = nonZero(r);
                    if (ids.add(id)) {
                        members.add(new FpcGroupMember(id, 1 + r.nextInt(FpcGroupMember.MAX_WEIGHT)));
                    }
                }
                yield new FpcNexthopGroup(add, r.nextInt(), nonZero(r), members);
            }
            case CONTROL -> {
                FpcControlType t = pick(r, FpcControlType.values());
                boolean capture = t == FpcControlType.CAPTURE_ON || t == FpcControlType.CAPTURE_OFF;
                long value = t == FpcControlType.SET_MTU
                        ? FpcControl.MIN_MTU + (r.nextLong() & Long.MAX_VALUE) % (0x1_0000_0000L - FpcControl.MIN_MTU) : 0;
                yield new FpcControl(t, r.nextInt(), capture && r.nextBoolean() ? 0 : nonZero(r), value);
            }
        };
    }

    private static int nonZero(Random r) {
        int v;
        do {
            v = r.nextInt();
        } while (v == 0);
        return v;
    }

    private static <T> T pick(Random r, T[] values) {
        return values[r.nextInt(values.length)];
    }

    private static byte[] mac(Random r) {
        byte[] mac = new byte[r.nextInt(5) == 0 ? 0 : FpcConstants.MAC_LENGTH];
        r.nextBytes(mac);
        return mac;
    }

    private static FpcRoute randomRoute(Random r, boolean add) {
        InetAddress p = address(r);
        List<FpcNexthop> nhs = new ArrayList<>();
        for (int i = r.nextInt(r.nextInt(16) == 0 ? 300 : 4); i > 0; i--) {
            nhs.add(new FpcNexthop(r.nextInt(), r.nextBoolean() ? null : address(r), 1 + r.nextInt(0xffff)));
        }
        int nexthopId = nhs.isEmpty() && r.nextBoolean() ? nonZero(r) : 0;
        return new FpcRoute(add, r.nextInt(), r.nextInt(), p, r.nextInt(FpcChecks.bits(p) + 1),
                pick(r, FpcRouteType.values()), nhs, nexthopId);
    }

    private static InetAddress address(Random r) {
        byte[] bytes = new byte[r.nextBoolean() ? 4 : 16];
        r.nextBytes(bytes);
        try {
            return bytes.length == 4 ? InetAddress.getByAddress(bytes) : java.net.Inet6Address.getByAddress(null, bytes, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Mostly ASCII, sometimes multi-byte characters (é, €, 😀), cut to the byte bound. */
    private static String string(Random r, int maxBytes) {
        StringBuilder sb = new StringBuilder();
        int bytes = 0;
        int target = r.nextInt(maxBytes + 1);
        String[] pieces = {"a", "Z", "0", "-", "é", "€", "😀"};
        while (true) {
            String piece = r.nextInt(4) == 0 ? pieces[r.nextInt(pieces.length)] : String.valueOf((char) ('a' + r.nextInt(26)));
            int len = piece.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (bytes + len > target) {
                return sb.toString();
            }
            sb.append(piece);
            bytes += len;
        }
    }
}
