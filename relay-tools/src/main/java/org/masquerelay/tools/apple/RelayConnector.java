package org.masquerelay.tools.apple;

import org.masquerelay.engine.ClientEngineSettings;
import org.masquerelay.engine.ClientConnection;
import org.masquerelay.engine.kwik.KwikClientEngine;
import org.masquerelay.engine.h2.H2ClientEngine;
import org.masquerelay.engine.h2.TlsClientConnection;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Opens the connection to the relay the way {@link AppleProfileClient.Config#transport()} says: QUIC (ALPN h3), TLS on
 * TCP (ALPN h2), or the race of the two. Each attempt evaluates trust with an {@link AppleTrust} of its own, so the
 * winner's verdict is the one reported. The race is not relay-client's TransportRace: it judges each attempt as
 * Apple's client would (a certificate problem on either path is what the user sees; unreachable only when both are),
 * keeps no memory of a past winner (Apple's is unknown), and uses the head start a third-party client reports.
 */
final class RelayConnector {
    /** HTTP/3's head start before HTTP/2 is tried too [I: a third-party client's figure]. */
    static final Duration HEAD_START = Duration.ofMillis(250);

    /** One attempt: the connection, or why there is none; the trust evaluation it made. */
    record Attempt(ClientConnection connection, AppleOutcome failure, AppleTrust trust, RelayPath over) {
        boolean ok() {
            return connection != null;
        }
    }

    private final AppleProfileClient.Config config;
    private final Consumer<String> note;

    RelayConnector(AppleProfileClient.Config config, Consumer<String> note) {
        this.config = config;
        this.note = note;
    }

    Attempt connect() {
        return switch (config.transport()) {
            case H3 -> h3();
            case H2 -> h2();
            case H3_THEN_H2 -> race();
        };
    }

    /** QUIC + TLS 1.3 with ALPN h3 and trust evaluated by Apple's rules. */
    Attempt h3() {
        AppleTrust trust = new AppleTrust(config.root(), config.host());
        ClientEngineSettings settings = ClientEngineSettings.builder().relay(config.host(), config.port())
                .trustManager(trust)
                .connectTimeout(config.timeout())
                .idleTimeout(Duration.ofSeconds(30))
                .keyLogFile(config.keyLog())
                .build();
        try {
            return new Attempt(new KwikClientEngine().connect(settings), null, trust, RelayPath.H3);
        } catch (IOException e) {
            return new Attempt(null, trust.failure().orElseGet(() -> failure(e, "QUIC/TLS")), trust, RelayPath.H3);
        }
    }

    /**
     * TCP + TLS with ALPN h2 to the same host and port ({@code HTTP2RelayURL} shares the URL), on our engine-h2 client
     * (the relay-client's). A relay that answers with HTTP/1.1 only is not Apple's HTTP/2 path: refused here.
     */
    Attempt h2() {
        AppleTrust trust = new AppleTrust(config.root(), config.host());
        ClientEngineSettings settings = ClientEngineSettings.builder().relay(config.host(), config.port())
                .trustManager(trust)
                .connectTimeout(config.timeout())
                .build();
        try {
            TlsClientConnection connection = H2ClientEngine.connect(settings, true);
            if (!"h2".equals(connection.protocol())) {
                connection.close(org.masquerelay.wire.H3.H3_NO_ERROR, "not h2");
                return new Attempt(null, new AppleOutcome(AppleOutcome.Kind.SERVER_UNREACHABLE,
                        "the relay's TCP listener chose ALPN " + connection.protocol() + ", not h2"), trust, RelayPath.H2);
            }
            return new Attempt(connection, null, trust, RelayPath.H2);
        } catch (IOException e) {
            return new Attempt(null, trust.failure().orElseGet(() -> failure(e, "TCP/TLS")), trust, RelayPath.H2);
        }
    }

    /**
     * HTTP/3 first; HTTP/2 as well once HTTP/3 has failed or had {@link #HEAD_START} without a handshake; the first
     * connection up wins and a later one is closed. When both fail, a certificate problem is reported first (the
     * user must fix it whichever way the device comes), else "unreachable" with both reasons.
     */
    private Attempt race() {
        CompletableFuture<Attempt> h3 = CompletableFuture.supplyAsync(this::h3, Thread::startVirtualThread);
        Attempt early = null;
        try {
            early = h3.get(HEAD_START.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // No QUIC handshake yet: UDP may be blocked. HTTP/2 joins the race.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        if (early != null && early.ok()) {
            note.accept("HTTP/3 connected within the " + HEAD_START.toMillis() + " ms head start; HTTP/2 not needed");
            return early;
        }
        note.accept(early == null ? "no QUIC handshake within " + HEAD_START.toMillis() + " ms: HTTP/2 started beside HTTP/3"
                : "HTTP/3 failed (" + early.failure() + "): HTTP/2 started");
        CompletableFuture<Attempt> h2 = CompletableFuture.supplyAsync(this::h2, Thread::startVirtualThread);
        CompletableFuture<Attempt> winner = new CompletableFuture<>();
        for (CompletableFuture<Attempt> a : java.util.List.of(h3, h2)) {
            a.thenAccept(attempt -> {
                if (attempt.ok() && !winner.complete(attempt)) {
                    attempt.connection().close(org.masquerelay.wire.H3.H3_NO_ERROR, "lost the race"); // the slower one
                }
            });
        }
        // Only when neither connected: CompletableFuture may run this before the winner's thenAccept above.
        CompletableFuture.allOf(h3, h2).thenRun(() -> {
            if (!h3.join().ok() && !h2.join().ok()) {
                winner.complete(bothFailed(h3.join(), h2.join()));
            }
        });
        Attempt won = winner.join();
        if (won.ok()) {
            note.accept(won.over().label + " won the race");
        }
        return won;
    }

    private static Attempt bothFailed(Attempt h3, Attempt h2) {
        for (Attempt a : java.util.List.of(h3, h2)) {
            if (a.failure().kind().isCertificateError()) {
                return a;
            }
        }
        return new Attempt(null, new AppleOutcome(AppleOutcome.Kind.SERVER_UNREACHABLE, "neither HTTP/3 (" + h3.failure().detail()
                + ") nor HTTP/2 (" + h2.failure().detail() + ") reached the relay"), h2.trust(), RelayPath.H3_THEN_H2);
    }

    /** A handshake that failed outside our trust evaluation: name checks of the TLS stack, or no answer at all. */
    static AppleOutcome failure(IOException e, String what) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("servername") || message.contains("certificate")) {
            return new AppleOutcome(AppleOutcome.Kind.SERVER_CERTIFICATE_INVALID, "TLS handshake failed: " + message);
        }
        return new AppleOutcome(AppleOutcome.Kind.SERVER_UNREACHABLE, what + " handshake failed: " + message);
    }
}
