package org.masquerelay.client;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.client.fetch.FetchListener;
import org.masquerelay.client.fetch.FetchRequest;
import org.masquerelay.client.fetch.FetchResponse;
import org.masquerelay.client.fetch.Http1Exchange;
import org.masquerelay.client.fetch.Http3Exchange;
import org.masquerelay.client.fetch.TargetException;
import org.masquerelay.client.fetch.TargetTls;
import org.masquerelay.wire.HttpFields;

import javax.net.ssl.SSLSession;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fetch library without the command line: HTTP/1.1 (with TLS to the target) over a CONNECT tunnel and HTTP/3
 * through connect-udp, from code, with the events a caller sees and the typed failures.
 */
@Timeout(60)
class FetchLibraryTest {
    @TempDir
    static Path state;
    static TestRelay relay;
    static HttpServer http;
    static HttpsServer https;

    @BeforeAll
    static void start() throws Exception {
        relay = TestRelay.start(state);
        http = Origins.http();
        https = Origins.https(state); // same state dir: certificate from the same dev CA
    }

    @AfterAll
    static void stop() {
        relay.close();
        http.stop(0);
        https.stop(0);
    }

    /** What a caller is told, in order. */
    static final class Events implements FetchListener {
        final List<String> seen = new ArrayList<>();

        @Override
        public void tunnelRequested(HttpFields request) {
            seen.add("tunnel " + request.getOrNull(":method") + " " + request.getOrNull(":protocol"));
        }

        @Override
        public void tunnelEstablished(HttpFields answer, long atNanos) {
            seen.add("relay " + answer.getOrNull(":status"));
        }

        @Override
        public void tlsEstablished(String host, SSLSession session) {
            seen.add("tls " + session.getProtocol());
        }

        @Override
        public void requestSent(List<String> head) {
            seen.add("request " + head.get(0));
        }

        @Override
        public void responseReceived(List<String> head) {
            seen.add("response " + head.get(0));
        }

        @Override
        public void firstByte() {
            seen.add("first byte");
        }
    }

    private static FetchRequest get(boolean tls, int port, String path) {
        return new FetchRequest("GET", tls, "127.0.0.1", port, path, List.of(), null);
    }

    @Test
    void http1OverTlsThroughACONNECTTunnel() throws Exception {
        int port = https.getAddress().getPort();
        Events events = new Events();
        try (RelayClient client = relay.client().build();
             FetchResponse response = Http1Exchange.send(client.openTcp("127.0.0.1", port), get(true, port, "/data"),
                     new TargetTls(false, relay.ca), events)) {
            assertEquals(200, response.status());
            assertEquals(Origins.BODY.length, response.contentLength());
            assertArrayEquals(Origins.BODY, response.body().readAllBytes());
        }
        assertEquals(List.of("tunnel CONNECT null", "relay 200", "tls TLSv1.3", "request GET /data HTTP/1.1",
                "first byte", "response HTTP/1.1 200 OK"), events.seen);
    }

    @Test
    void http1PostWithTheCallersHeaders() throws Exception {
        int port = http.getAddress().getPort();
        byte[] body = "posted through the relay".getBytes(StandardCharsets.UTF_8);
        FetchRequest post = new FetchRequest("POST", false, "127.0.0.1", port, "/echo", List.of("X-Test: 1"), body);
        try (RelayClient client = relay.client().build();
             FetchResponse response = Http1Exchange.send(client.openTcp("127.0.0.1", port), post, TargetTls.system(),
                     FetchListener.NONE)) {
            assertEquals(200, response.status());
            assertArrayEquals(body, response.body().readAllBytes());
        }
    }

    @Test
    void aTargetCertificateNotTrustedIsTheTargetsFault() throws Exception {
        int port = https.getAddress().getPort();
        try (RelayClient client = relay.client().build()) {
            TargetException e = assertThrows(TargetException.class, () -> Http1Exchange.send(
                    client.openTcp("127.0.0.1", port), get(true, port, "/"), TargetTls.system(), FetchListener.NONE));
            assertEquals(TargetException.Kind.UNTRUSTED, e.kind(), e.getMessage());
        }
    }

    @Test
    void aRefusedTunnelIsTheRelaysAnswer() throws Exception {
        try (RelayClient client = relay.client().build()) {
            TunnelRefusedException e = assertThrows(TunnelRefusedException.class, () -> Http1Exchange.send(
                    client.openTcp("10.0.0.1", 80), new FetchRequest("GET", false, "10.0.0.1", 80, "/", List.of(), null),
                    TargetTls.system(), FetchListener.NONE));
            assertEquals(403, e.status());
        }
    }

    @Test
    void http3ThroughConnectUdp() throws Exception {
        // The relay is its own HTTP/3 origin (/.well-known/pvd); on quiche the inner connection runs on Kwik.
        Events events = new Events();
        try (RelayClient client = relay.client().build();
             FetchResponse response = Http3Exchange.send(client, true, "127.0.0.1", relay.port,
                     get(true, relay.port, "/.well-known/pvd"), new TargetTls(false, relay.ca), Duration.ofSeconds(10),
                     Duration.ofSeconds(15), events)) {
            assertEquals(200, response.status());
            assertEquals("HTTP/3 200", response.head().get(0));
            assertTrue(new String(response.body().readAllBytes(), StandardCharsets.UTF_8).contains("\"identifier\""));
        }
        assertEquals(List.of("tunnel CONNECT connect-udp", "relay 200", "request :method: GET", "response :status: 200",
                "first byte"), events.seen);
    }

    /**
     * Closing an HTTP/3 exchange through connect-udp closes the inner QUIC connection and then its tunnel, while Kwik
     * still drains that connection: its sender and receiver used to find the tunnel gone and log errors with stack
     * traces (what {@code fetch -v --http3} printed after every response). The tunnel's socket now lets the engine
     * finish its close; this waits for the engine's receiver to end and asserts it ended without an error.
     */
    @Test
    void http3ThroughConnectUdpClosesWithoutAnErrorFromTheQuicEngine() throws Exception {
        List<java.util.logging.LogRecord> records = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.logging.Logger kwik = java.util.logging.Logger.getLogger("tech.kwik");
        java.util.logging.Level level = kwik.getLevel();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        kwik.setLevel(java.util.logging.Level.WARNING); // what -v shows
        kwik.addHandler(capture);
        try {
            java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
            List<Thread> receivers;
            try (RelayClient client = relay.client().build()) {
                try (FetchResponse response = Http3Exchange.send(client, true, "127.0.0.1", relay.port,
                        get(true, relay.port, "/.well-known/pvd"), new TargetTls(false, relay.ca), Duration.ofSeconds(10),
                        Duration.ofSeconds(15), new Events())) {
                    assertEquals(200, response.status());
                    response.body().readAllBytes();
                    receivers = innerReceivers(before);
                }
                assertTrue(!receivers.isEmpty(), "the inner connection runs on Kwik, with a receiver thread");
                for (Thread t : receivers) {
                    t.join(15_000); // Kwik drains for three PTOs, then stops its receiver
                    assertTrue(!t.isAlive(), "Kwik's receiver never stopped");
                }
            }
            List<String> errors = records.stream().filter(r -> r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue())
                    .map(r -> r.getMessage() + (r.getThrown() == null ? "" : ": " + r.getThrown())).toList();
            assertEquals(List.of(), errors, "the QUIC engine logged errors while the exchange closed");
        } finally {
            kwik.removeHandler(capture);
            kwik.setLevel(level);
        }
    }

    /**
     * The inner connection's receiver: the new thread reading from the tunnel (the relay hop may run on Kwik too, with a
     * receiver of its own that lives until the client closes). It is known by where it waits, so one snapshot taken
     * while it handled a packet missed it (a clean-clone CI run failed so, "the inner connection runs on Kwik");
     * snapshots are taken until it shows, for up to 5 s.
     */
    private static List<Thread> innerReceivers(java.util.Set<Thread> before) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            List<Thread> found = Thread.getAllStackTraces().entrySet().stream()
                    .filter(e -> !before.contains(e.getKey()) && e.getKey().getName().equals("receiver")
                            && java.util.Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().endsWith("TunnelDatagramSocket")))
                    .map(java.util.Map.Entry::getKey).toList();
            if (!found.isEmpty() || System.nanoTime() > deadline) {
                return found;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
