package io.xdpgate.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Real traffic with the real tools, between the lab's hosts. */
public final class Traffic {

    public record Ping(int transmitted, int received) {
        public boolean allAnswered() {
            return transmitted > 0 && transmitted == received;
        }
    }

    public record Transfer(long bytes, double seconds, double bitsPerSecond) {}

    private static final Pattern PING = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");

    private Traffic() {}

    public static Ping ping(String fromNs, String to, int count, double intervalSeconds) {
        Sh.Result r = Sh.exec(60 + (long) (count * intervalSeconds), Sh.in(fromNs, "ping", "-n", "-q",
                "-c", String.valueOf(count), "-i", String.valueOf(intervalSeconds), "-W", "1", to));
        Matcher m = PING.matcher(r.stdout());
        if (!m.find()) throw new IllegalStateException("unexpected ping output: " + r.stdout() + r.stderr());
        return new Ping(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    /** A TCP transfer of {@code bytes} from {@code fromNs} to an iperf3 server in {@code toNs}. */
    public static Transfer tcp(String fromNs, String toNs, String toAddr, long bytes) throws InterruptedException {
        Process server;
        try {
            server = new ProcessBuilder(Sh.in(toNs, "iperf3", "-s", "-1", "-B", toAddr))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start iperf3 server: " + e.getMessage(), e);
        }
        try {
            Sh.Result r = null;
            JsonNode json = null;
            for (int attempt = 0; attempt < 50; attempt++) { // until the server listens
                r = Sh.exec(300, Sh.in(fromNs, "iperf3", "-c", toAddr, "-n", String.valueOf(bytes), "-J"));
                json = r.stdout().isBlank() ? null : new ObjectMapper().readTree(r.stdout());
                // iperf3 3.12 exits 0 with an "error" member when it could not connect.
                boolean refused = json == null || json.path("error").asText("").contains("Connection refused");
                if (!refused) break;
                Thread.sleep(100);
            }
            if (!r.ok() || json == null || json.has("error")) {
                throw new IllegalStateException("iperf3 failed: " + r.stdout() + r.stderr());
            }
            JsonNode sum = json.path("end").path("sum_received");
            if (sum.path("bytes").asLong() == 0) throw new IllegalStateException("iperf3 moved no data: " + r.stdout());
            return new Transfer(sum.path("bytes").asLong(), sum.path("seconds").asDouble(), sum.path("bits_per_second").asDouble());
        } catch (IOException e) {
            throw new IllegalStateException("unreadable iperf3 output", e);
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    /** tracepath's output (numeric) from {@code fromNs} to {@code to}. */
    public static String tracepath(String fromNs, String to) {
        return Sh.exec(60, Sh.in(fromNs, "tracepath", "-n", "-m", "5", to)).stdout();
    }
}
