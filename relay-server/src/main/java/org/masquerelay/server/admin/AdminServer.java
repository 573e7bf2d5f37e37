package org.masquerelay.server.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.masquerelay.display.Addresses;
import org.masquerelay.server.RelayServer;
import org.masquerelay.server.metrics.RelayMetrics;

import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The admin listener (HTTP/1.1 on TCP, meant for loopback or an internal network): {@code /healthz} (the process is
 * alive), {@code /readyz} (200 while serving; 503 before the relay's listeners are up and from the first moment of a
 * drain, so a load balancer stops sending new clients at once) and {@code /metrics} (Prometheus text format). The
 * JDK's own HTTP server is enough for a handful of plain GETs a few times a minute; no second HTTP stack needed.
 */
public final class AdminServer implements AutoCloseable {
    private final HttpServer http;
    private final ExecutorService executor;
    private final RelayMetrics metrics;
    private final AtomicReference<RelayServer> relay = new AtomicReference<>();

    private AdminServer(HttpServer http, ExecutorService executor, RelayMetrics metrics) {
        this.http = http;
        this.executor = executor;
        this.metrics = metrics;
    }

    /** Binds and serves at once; {@code /readyz} says 503 until {@link #serving} names the started relay. */
    public static AdminServer start(InetSocketAddress address, RelayMetrics metrics) throws IOException {
        HttpServer http;
        try {
            http = HttpServer.create(address, 16);
        } catch (BindException e) {
            String why = e.getMessage() == null ? "cannot bind" : e.getMessage().toLowerCase(Locale.ROOT);
            BindException named = new BindException("admin listener TCP " + Addresses.format(address) + ": " + why);
            named.initCause(e);
            throw named;
        }
        ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("admin-", 0).factory());
        http.setExecutor(executor);
        AdminServer admin = new AdminServer(http, executor, metrics);
        metrics.readiness(admin::ready);
        http.createContext("/", admin::handle);
        http.start();
        return admin;
    }

    /** The relay is up: {@code /readyz} follows {@link RelayServer#ready()} from now on. */
    public void serving(RelayServer server) {
        relay.set(server);
    }

    public InetSocketAddress address() {
        return http.getAddress();
    }

    /** {@code http://HOST:PORT/}, as printed at start-up. */
    public String url() {
        return "http://" + Addresses.format(address()) + "/";
    }

    private boolean ready() {
        RelayServer server = relay.get();
        return server != null && server.ready();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "text/plain; charset=utf-8", "only GET and HEAD\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            switch (exchange.getRequestURI().getPath()) {
                case "/healthz" -> text(exchange, 200, "ok\n");
                case "/readyz" -> readyz(exchange);
                case "/metrics" -> send(exchange, 200, metrics.contentType(), metrics.scrape());
                case "/" -> text(exchange, 200, "masque-relay admin: /healthz /readyz /metrics\n");
                default -> text(exchange, 404, "not found: /healthz, /readyz or /metrics\n");
            }
        }
    }

    private void readyz(HttpExchange exchange) throws IOException {
        RelayServer server = relay.get();
        if (server == null) {
            text(exchange, 503, "not ready: starting\n");
        } else if (!server.ready()) {
            text(exchange, 503, "not ready: draining\n");
        } else {
            text(exchange, 200, "ready\n");
        }
    }

    private static void text(HttpExchange exchange, int status, String body) throws IOException {
        send(exchange, status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Stops at once: a scrape in progress is cut, as the process is going away. */
    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }
}
