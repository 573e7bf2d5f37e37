package org.masquerelay.interop.matrix;

import org.masquerelay.engine.ClientStream;
import org.masquerelay.testpeers.FullListener;
import org.masquerelay.testpeers.TcpSinkServer;
import org.masquerelay.tools.apple.AppleOutcome;
import org.masquerelay.tools.apple.AppleProbe;
import org.masquerelay.tools.apple.AppleProfileClient;
import org.masquerelay.tools.apple.RelayPath;
import org.masquerelay.tools.apple.Streams;
import org.masquerelay.wire.H3;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.masquerelay.interop.matrix.CaseFailure.check;

/**
 * The Apple client profile as a matrix peer: each case judged by the outcome Apple's client would report. Over HTTP/3
 * (its {@code HTTP3RelayURL}) or over HTTP/2 ({@code HTTP2RelayURL}, the relay's TCP listener): there UDP flows go
 * by extended CONNECT with DATAGRAM capsules, which is case C.
 */
public final class AppleClientPeer implements ClientPeer {
    static final Duration T = Duration.ofSeconds(10);
    private final Path keyLogDir;
    private final RelayPath over;

    /** Over HTTP/3. @param keyLogDir where per-cell TLS key logs go, or null */
    public AppleClientPeer(Path keyLogDir) {
        this(keyLogDir, RelayPath.H3);
    }

    /** @param over {@link RelayTransport#H3} or {@link RelayTransport#H2} */
    public AppleClientPeer(Path keyLogDir, RelayPath over) {
        this.keyLogDir = keyLogDir;
        this.over = over;
    }

    @Override
    public String name() {
        return over == RelayPath.H2 ? "apple-profile-h2" : "apple-profile";
    }

    @Override
    public Transport transport() {
        return over == RelayPath.H2 ? Transport.H2 : Transport.H3;
    }

    @Override
    public String unsupported(Case c) {
        return c == Case.C && over == RelayPath.H3
                ? "Apple's client sends UDP as QUIC datagrams over HTTP/3; it has no capsule-only mode to offer" : null;
    }

    private AppleProfileClient.Config config(ServerUnderTest server, Case c, boolean withCredentials) throws CaseFailure {
        int port = over == RelayPath.H2 ? server.tcpPort() : server.port();
        AppleProfileClient.Config config = AppleProfileClient.Config.of(server.host(), port, server.root())
                .withTransport(over)
                .withTimeout(Duration.ofSeconds(5))
                .withExtraHeaders(withCredentials ? server.credentials() : Map.of());
        return keyLogDir == null ? config : config.withKeyLog(keyLogDir.resolve(name() + "__" + server.name() + "__" + c + ".keys"));
    }

    @Override
    public void run(Case c, ServerUnderTest server, InteropEnv env, CellLog log) throws Exception {
        if (c == Case.O) {
            // The full probe: what Apple does for a TCP flow with optimistic data.
            AppleProbe.Result r = AppleProbe.run(config(server, c, true), env.tcpEcho.authority(), null, 0);
            log.addAll(r.log());
            check(r.reported().isSuccess(), r.reported().toString());
            return;
        }
        if (c == Case.K) {
            relayKilled(server, env, log);
            return;
        }
        if (c == Case.E) {
            targetTimeout(server, env, log); // then the closed port on the shared relay, below
        }
        try (AppleProfileClient client = new AppleProfileClient(config(server, c, c != Case.A))) {
            try {
                AppleOutcome handshake = client.connect();
                check(handshake.isSuccess(), handshake.toString());
                AppleOutcome settings = client.checkSettings(true);
                check(settings.isSuccess(), settings.toString());
                switch (c) {
                    case H -> { }
                    case T -> tcpEcho(client, env, "after the 2xx".getBytes(StandardCharsets.UTF_8));
                    case U, C -> {
                        AppleOutcome udp = client.probeUdpEcho("127.0.0.1", env.udpEcho.port(), AppleProbe.QUIC_INITIAL_LIKE);
                        check(udp.isSuccess(), udp.toString());
                    }
                    case F -> halfClose(client, env);
                    case P -> parallel(client, env, 8);
                    case X -> cancelIsolation(client, env);
                    case R -> refusal(client, "192.0.2.1:443", "policy refusal");
                    case A -> {
                        AppleOutcome o = refusal(client, env.tcpEcho.authority(), "missing credential");
                        check(o.kind() == AppleOutcome.Kind.ECONNREFUSED, "expected errno 61 for 401/403/407, got " + o);
                    }
                    case E -> {
                        AppleOutcome o = refusal(client, "127.0.0.1:" + env.closedPort, "closed port");
                        check(o.kind() == AppleOutcome.Kind.EHOSTDOWN, "expected errno 64 (5xx + connection_refused), got " + o);
                    }
                    case S -> transfers(client, env, log);
                    case L -> {
                        ClientStream down = open(client, env.largeSource.authority(), null);
                        long t0 = System.nanoTime();
                        Transfers.checkLarge(Transfers.drain(down.body()), env, t0, log);
                        down.finish();
                    }
                    default -> throw new CaseFailure("not implemented: " + c);
                }
            } finally {
                log.addAll(client.log());
            }
        }
    }

    /** E's second half: a dedicated relay with a 700 ms connect timeout, a target that never answers → 504 → 64. */
    private void targetTimeout(ServerUnderTest server, InteropEnv env, CellLog log) throws Exception {
        try (FullListener full = FullListener.open();
             ServerPeer.Running relay = server.dedicated(Duration.ofMillis(700));
             AppleProfileClient client = new AppleProfileClient(config(relay.target(), Case.E, true))) {
            try {
                AppleOutcome handshake = client.connect();
                check(handshake.isSuccess(), handshake.toString());
                AppleOutcome o = refusal(client, full.authority(), "a target that never answers");
                log.add("never-answering target → " + o);
                check(o.kind() == AppleOutcome.Kind.EHOSTDOWN && o.toString().contains("504") && o.toString().contains("connection_timeout"),
                        "expected errno 64 from 504 + connection_timeout, got " + o);
            } finally {
                log.addAll(client.log());
            }
        }
    }

    private void relayKilled(ServerUnderTest server, InteropEnv env, CellLog log) throws Exception {
        try (ServerPeer.Running relay = server.dedicated(null);
             AppleProfileClient client = new AppleProfileClient(config(relay.target(), Case.K, true))) {
            try {
                AppleOutcome handshake = client.connect();
                check(handshake.isSuccess(), handshake.toString());
                ClientStream down = open(client, env.largeSource.authority(), null);
                Streams.readExactly(down.body(), Transfers.BEFORE_KILL, T);
                log.add(Transfers.BEFORE_KILL + " bytes of the download received");
                Transfers.killAndExpectFailure(relay, () -> Transfers.drain(down.body()).bytes(), log);
            } finally {
                log.addAll(client.log());
            }
        }
    }

    private static ClientStream open(AppleProfileClient client, String authority, byte[] optimistic) throws CaseFailure {
        AppleProfileClient.Flow flow = client.openTcp(authority, optimistic);
        check(flow.ok(), flow.outcome().toString());
        return flow.stream();
    }

    private static void tcpEcho(AppleProfileClient client, InteropEnv env, byte[] payload) throws Exception {
        ClientStream s = open(client, env.tcpEcho.authority(), null);
        echo(s, payload);
        s.finish();
    }

    private static void echo(ClientStream s, byte[] payload) throws Exception {
        s.bodyOut().write(payload);
        s.bodyOut().flush();
        check(Arrays.equals(Streams.readExactly(s.body(), payload.length, T), payload), "echo differs");
    }

    private static void halfClose(AppleProfileClient client, InteropEnv env) throws Exception {
        ClientStream s = open(client, env.tcpEcho.authority(), null);
        byte[] payload = "half-close: then FIN".getBytes(StandardCharsets.UTF_8);
        s.bodyOut().write(payload);
        s.finish();
        byte[] back = Streams.readToEnd(s.body(), T);
        check(Arrays.equals(back, payload), "expected the echo then FIN, got " + back.length + " bytes");
    }

    private static void parallel(AppleProfileClient client, InteropEnv env, int n) throws Exception {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] payload = ("tunnel " + i).getBytes(StandardCharsets.UTF_8);
            all.add(CompletableFuture.runAsync(() -> {
                try {
                    tcpEcho(client, env, payload);
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }, Thread::startVirtualThread));
        }
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(T.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new CaseFailure("a parallel tunnel failed: " + e.getCause().getMessage());
        }
    }

    /** Apple races TCP against UDP and cancels the loser within milliseconds: only that stream may suffer. */
    private static void cancelIsolation(AppleProfileClient client, InteropEnv env) throws Exception {
        ClientStream a = open(client, env.tcpEcho.authority(), null);
        echo(a, "before".getBytes(StandardCharsets.UTF_8));
        ClientStream b = client.connection().openRequest(org.masquerelay.wire.HttpFields.builder()
                .add(":method", "CONNECT").add(":authority", env.tcpEcho.authority()).add("priority", "i").build());
        b.reset(H3.H3_REQUEST_CANCELLED);
        b.stopSending(H3.H3_REQUEST_CANCELLED);
        echo(a, "after the cancel".getBytes(StandardCharsets.UTF_8));
        check(client.connection().isOpen(), "the connection closed after a cancelled CONNECT");
        tcpEcho(client, env, "next tunnel".getBytes(StandardCharsets.UTF_8));
        a.finish();
    }

    /** A refusal must be a well-formed response (61/64/65), never 53. */
    private static AppleOutcome refusal(AppleProfileClient client, String authority, String what) throws CaseFailure {
        AppleProfileClient.Flow flow = client.openTcp(authority, null);
        check(!flow.ok(), what + " was not refused");
        check(flow.outcome().kind() != AppleOutcome.Kind.ECONNABORTED && flow.response() != null,
                what + " answered with a reset or close instead of a status: " + flow.outcome());
        return flow.outcome();
    }

    private static void transfers(AppleProfileClient client, InteropEnv env, CellLog log) throws Exception {
        byte[] kb = new byte[1024];
        new Random(1).nextBytes(kb);
        tcpEcho(client, env, kb);
        log.add("1 KB echo intact");
        ClientStream down = open(client, env.source.authority(), null);
        long t0 = System.nanoTime();
        byte[] got = Streams.readToEnd(down.body(), Duration.ofSeconds(30));
        check(got.length == InteropEnv.SOURCE_LENGTH, "download: " + got.length + " of " + InteropEnv.SOURCE_LENGTH + " bytes");
        check(TcpSinkServer.sha256Hex(got).equals(env.source.sha256()), "download: SHA-256 differs");
        log.add("1 MiB download intact in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        down.finish();
        byte[] mb = new byte[InteropEnv.SOURCE_LENGTH];
        new Random(2).nextBytes(mb);
        ClientStream up = open(client, env.sink.authority(), null);
        t0 = System.nanoTime();
        up.bodyOut().write(mb);
        up.finish();
        TcpSinkServer.Received r = env.sink.awaitReceived(Duration.ofSeconds(30));
        check(r != null, "upload: the sink saw no complete connection");
        check(r.bytes() == mb.length && r.sha256().equals(TcpSinkServer.sha256Hex(mb)), "upload: " + r.bytes() + " bytes, SHA-256 " + (r.sha256().equals(TcpSinkServer.sha256Hex(mb)) ? "ok" : "differs"));
        log.add("1 MiB upload intact in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }
}
