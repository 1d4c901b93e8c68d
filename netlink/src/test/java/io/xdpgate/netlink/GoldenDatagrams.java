package io.xdpgate.netlink;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Reads a golden file of {@link GoldenCapture}: "$ command" lines, each followed by its datagrams in hex. */
final class GoldenDatagrams {
    private GoldenDatagrams() {}

    /** Adds each command of the resource, with its datagrams, to {@code into}. */
    static void read(String resource, Map<String, List<byte[]>> into) throws IOException {
        try (InputStream in = GoldenDatagrams.class.getResourceAsStream(resource)) {
            if (in == null) throw new IOException(resource + " is not on the test classpath");
            List<byte[]> current = null;
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (line.startsWith("$ ")) {
                    current = new ArrayList<>();
                    into.put(line.substring(2), current);
                } else if (!line.isBlank() && !line.startsWith("#")) {
                    current.add(HexFormat.of().parseHex(line.strip()));
                }
            }
        }
    }
}
