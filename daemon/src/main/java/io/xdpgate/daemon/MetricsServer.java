package io.xdpgate.daemon;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/** Serves the metrics on GET /metrics, in Prometheus' text format, with the JDK's HTTP server. */
public final class MetricsServer implements AutoCloseable {

    /** Prometheus' text exposition format, as PrometheusMeterRegistry.scrape() writes it. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Listens on {@code address} (port 0: any free port) and answers with {@code scrape}'s text; its
     * thread is named {@code threadName}.
     */
    public static MetricsServer start(InetSocketAddress address, String threadName, Supplier<String> scrape) throws IOException {
        HttpServer server = HttpServer.create(address, 16);
        // One thread: scrapes are rare and cheap, and a daemon thread never holds the process up.
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> handle(exchange, scrape));
        server.start();
        return new MetricsServer(server, executor);
    }

    private static void handle(HttpExchange exchange, Supplier<String> scrape) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!exchange.getRequestURI().getPath().equals("/metrics")) {
                reply(exchange, 404, "text/plain; charset=utf-8", "not found: the metrics are at /metrics\n", true);
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(exchange, 405, "text/plain; charset=utf-8", "GET or HEAD only\n", true);
            } else {
                reply(exchange, 200, CONTENT_TYPE, scrape.get(), method.equals("GET"));
            }
        }
    }

    private static void reply(HttpExchange exchange, int status, String type, String text, boolean body) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body ? bytes.length : -1);
        if (body) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Where it listens (the actual port when 0 was asked for). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
