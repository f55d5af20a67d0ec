package dev.kquorum.cli.ops;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kquorum.common.health.Health;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The operator's window on a component, on the JDK's own HTTP server: Prometheus text at
 * {@code /metrics}, and {@code /health} answering 200 when the component is connected to Kafka and
 * keeping up, 503 with the reason when not.
 */
public final class OpsServer implements AutoCloseable {

    private final HttpServer server;

    private OpsServer(HttpServer server) {
        this.server = server;
    }

    /** Starts on {@code port} (0: any free port) of every interface. */
    public static OpsServer start(int port, PrometheusMeterRegistry registry, Supplier<Health> health) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on port " + port + ": " + e.getMessage(), e);
        }
        server.createContext("/metrics", exchange -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
        server.createContext("/health", exchange -> {
            Health h = health.get();
            respond(exchange, h.healthy() ? 200 : 503, "application/json", toJson(h));
        });
        server.createContext("/", exchange -> respond(exchange, 404, "text/plain", "try /metrics or /health\n"));
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kq-ops-http");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return new OpsServer(server);
    }

    /** {@code {"status":"UP"|"DOWN", ...details}}: numbers and booleans bare, everything else as a string. */
    private static String toJson(Health health) {
        StringBuilder s = new StringBuilder("{\"status\":\"").append(health.healthy() ? "UP" : "DOWN").append('"');
        health.details().forEach((k, v) -> {
            s.append(",\"").append(k).append("\":");
            if (v instanceof Number || v instanceof Boolean) {
                s.append(v);
            } else {
                s.append('"').append(String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        });
        return s.append('}').toString();
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
