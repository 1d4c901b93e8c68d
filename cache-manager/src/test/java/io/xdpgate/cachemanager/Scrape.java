package io.xdpgate.cachemanager;

import io.xdpgate.daemon.MetricsServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A scrape of /metrics over HTTP, and the values in it. */
final class Scrape {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    final String text;

    private Scrape(String text) {
        this.text = text;
    }

    static HttpResponse<String> get(String url, String method) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** GET http://HOST:PORT/metrics, which must answer 200 in Prometheus' text format. */
    static Scrape of(java.net.InetSocketAddress server) throws Exception {
        HttpResponse<String> r = get("http://" + server.getHostString() + ":" + server.getPort() + "/metrics", "GET");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(MetricsServer.CONTENT_TYPE, r.headers().firstValue("Content-Type").orElse(""));
        return new Scrape(r.body());
    }

    /** The value of the sample {@code name} whose labels include {@code labels} ("k", "v", ...); NaN if none. */
    double value(String name, String... labels) {
        Map<String, String> want = new HashMap<>();
        for (int i = 0; i < labels.length; i += 2) want.put(labels[i], labels[i + 1]);
        for (String line : text.split("\n")) {
            if (line.startsWith("#")) continue;
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String sample = brace >= 0 ? line.substring(0, brace) : line.substring(0, space);
            if (!sample.equals(name)) continue;
            Map<String, String> have = new HashMap<>();
            if (brace >= 0) {
                for (String pair : line.substring(brace + 1, line.lastIndexOf('}')).split(",")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) have.put(pair.substring(0, eq), pair.substring(eq + 2, pair.length() - 1));
                }
            }
            if (have.entrySet().containsAll(want.entrySet())) return Double.parseDouble(line.substring(space + 1));
        }
        return Double.NaN;
    }

    boolean has(String name) {
        return text.lines().anyMatch(l -> l.startsWith(name + "{") || l.startsWith(name + " "));
    }
}
