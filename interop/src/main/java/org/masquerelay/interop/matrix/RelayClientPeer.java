package org.masquerelay.interop.matrix;

import org.masquerelay.client.AuthenticationException;
import org.masquerelay.client.RelayClient;
import org.masquerelay.client.RelayException;
import org.masquerelay.client.RelayTransport;
import org.masquerelay.client.TargetUnreachableException;
import org.masquerelay.client.TcpTunnel;
import org.masquerelay.client.TunnelRefusedException;
import org.masquerelay.client.UdpMode;
import org.masquerelay.client.UdpTunnel;
import org.masquerelay.testpeers.FullListener;
import org.masquerelay.testpeers.TcpSinkServer;
import org.masquerelay.tools.apple.Streams;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.masquerelay.interop.matrix.CaseFailure.check;

/**
 * Our relay-client library as a client peer: what an application using it sees, refusals judged by its typed
 * exceptions (AuthenticationException, TunnelRefusedException, TargetUnreachableException). Over HTTP/3 (Kwik), or over
 * the relay's TCP listener with its HTTP/2 or HTTP/1.1 transport ({@link RelayTransport}).
 */
public final class RelayClientPeer implements ClientPeer {
    static final Duration T = Duration.ofSeconds(10);
    private final Path keyLogDir;
    private final RelayTransport over;

    /** Over HTTP/3. @param keyLogDir where per-cell TLS key logs go, or null */
    public RelayClientPeer(Path keyLogDir) {
        this(keyLogDir, RelayTransport.H3);
    }

    /** @param over H3, H2 or HTTP1_1 (not AUTO: a row has one transport) */
    public RelayClientPeer(Path keyLogDir, RelayTransport over) {
        this.keyLogDir = keyLogDir;
        this.over = over;
    }

    @Override
    public String name() {
        return switch (over) {
            case H2 -> "relay-client-h2";
            case HTTP1_1 -> "relay-client-http1.1";
            default -> "relay-client";
        };
    }

    @Override
    public Transport transport() {
        return switch (over) {
            case H2 -> Transport.H2;
            case HTTP1_1 -> Transport.H1;
            default -> Transport.H3;
        };
    }

    @Override
    public String unsupported(Case c) {
        return null;
    }

    private RelayClient client(ServerUnderTest server, Case c, boolean withCredentials, UdpMode udpMode) throws CaseFailure {
        int port = over == RelayTransport.H3 ? server.port() : server.tcpPort();
        RelayClient.Builder b = RelayClient.builder()
                .relay("https://" + server.host() + ":" + port + "/")
                .transport(over)
                .trustCaFile(server.rootPem())
                .connectTimeout(Duration.ofSeconds(5))
                .requestTimeout(T)
                .udpMode(udpMode);
        if (withCredentials) {
            server.credentials().forEach(b::header);
        }
        if (keyLogDir != null) {
            b.keyLogFile(keyLogDir.resolve(name() + "__" + server.name() + "__" + c + ".keys"));
        }
        return b.build();
    }

    @Override
    public void run(Case c, ServerUnderTest server, InteropEnv env, CellLog log) throws Exception {
        switch (c) {
            case K -> {
                relayKilled(server, env, log);
                return;
            }
            case E -> targetTimeout(server, env, log); // then the closed port on the shared relay, below
            default -> { }
        }
        try (RelayClient client = client(server, c, c != Case.A, c == Case.C ? UdpMode.CAPSULES : UdpMode.AUTO)) {
            Duration connect = client.connect();
            log.add("connected in " + connect.toMillis() + " ms over " + client.transportChoice()
                    + (over == RelayTransport.H3 ? ", QUIC DATAGRAM usable: " + client.datagramsOffered() : ""));
            switch (c) {
                case H -> {
                    if (over == RelayTransport.H3) {
                        check(client.datagramsOffered(), "the relay does not offer QUIC DATAGRAM with H3_DATAGRAM=1");
                    } else {
                        check(client.transportChoice().protocol().equals(over.protocolName()),
                                "asked for " + over.protocolName() + ", connected with " + client.transportChoice());
                    }
                }
                case T -> {
                    TcpTunnel t = open(client, env.tcpEcho.authority(), log);
                    echo(t, "after the 2xx");
                    t.close();
                }
                case O -> {
                    TcpTunnel t = tunnel(client, env.tcpEcho.authority());
                    byte[] early = "optimistic bytes".getBytes(StandardCharsets.UTF_8);
                    t.outputStream().write(early); // the library sends it before the relay's answer
                    t.outputStream().flush();
                    check(Arrays.equals(Streams.readExactly(t.inputStream(), early.length, T), early),
                            "optimistic bytes did not come back");
                    log.add("CONNECT → " + t.awaitResponse().getOrNull(":status") + ", optimistic bytes echoed");
                    t.close();
                }
                case U, C -> udp(client, env, c == Case.C, log);
                case F -> {
                    TcpTunnel t = open(client, env.tcpEcho.authority(), log);
                    byte[] payload = "half-close: then FIN".getBytes(StandardCharsets.UTF_8);
                    t.outputStream().write(payload);
                    t.shutdownOutput();
                    check(Arrays.equals(Streams.readToEnd(t.inputStream(), T), payload), "expected the echo then FIN");
                    t.close();
                }
                case P -> parallel(client, env, log);
                case X -> {
                    TcpTunnel a = open(client, env.tcpEcho.authority(), log);
                    echo(a, "before");
                    TcpTunnel b = tunnel(client, env.tcpEcho.authority());
                    b.close(); // cancelled at once: FIN + STOP_SENDING, as the library abandons a flow
                    echo(a, "after the cancel");
                    TcpTunnel next = open(client, env.tcpEcho.authority(), log);
                    echo(next, "next tunnel");
                    next.close();
                    a.close();
                    check(client.connectionsMade() == 1, "the connection was re-made after a cancelled CONNECT");
                }
                case R -> {
                    RelayException e = refused(client, "192.0.2.1:443", log);
                    check(e instanceof TunnelRefusedException || e instanceof TargetUnreachableException,
                            "expected TunnelRefusedException (403) or TargetUnreachableException, got " + e.getClass().getSimpleName() + ": " + e.getMessage());
                }
                case A -> {
                    RelayException e = refused(client, env.tcpEcho.authority(), log);
                    check(e instanceof AuthenticationException, "expected AuthenticationException, got " + e.getClass().getSimpleName() + ": " + e.getMessage());
                }
                case E -> {
                    RelayException e = refused(client, "127.0.0.1:" + env.closedPort, log);
                    check(e instanceof TargetUnreachableException && "connection_refused".equals(e.proxyError()),
                            "expected TargetUnreachableException with connection_refused, got " + e.getClass().getSimpleName() + ": " + e.getMessage());
                }
                case S -> transfers(client, env, log);
                case L -> {
                    TcpTunnel down = open(client, env.largeSource.authority(), log);
                    long t0 = System.nanoTime();
                    Transfers.checkLarge(Transfers.drain(down.inputStream()), env, t0, log);
                    down.close();
                }
                default -> throw new CaseFailure("not implemented: " + c);
            }
        }
    }

    private static TcpTunnel tunnel(RelayClient client, String authority) throws IOException {
        int colon = authority.lastIndexOf(':');
        return client.openTcp(authority.substring(0, colon), Integer.parseInt(authority.substring(colon + 1)));
    }

    private static TcpTunnel open(RelayClient client, String authority, CellLog log) throws IOException {
        TcpTunnel t = tunnel(client, authority);
        t.awaitEstablished();
        log.add("CONNECT " + authority + " → " + t.response().map(r -> r.getOrNull(":status")).orElse("?"));
        return t;
    }

    private static void echo(TcpTunnel t, String text) throws IOException, CaseFailure {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        t.outputStream().write(payload);
        t.outputStream().flush();
        check(Arrays.equals(Streams.readExactly(t.inputStream(), payload.length, T), payload), "echo differs");
    }

    /** A refusal must surface as a typed RelayException carrying the relay's status, not as a lost stream. */
    private static RelayException refused(RelayClient client, String authority, CellLog log) throws IOException, CaseFailure {
        TcpTunnel t = tunnel(client, authority);
        try {
            t.awaitEstablished();
        } catch (RelayException e) {
            log.add("CONNECT " + authority + " → " + e.getClass().getSimpleName() + " status " + e.status()
                    + " proxy-status error " + e.proxyError() + ": " + e.getMessage());
            check(e.status() != 0, "no status: the relay reset or closed instead of answering: " + e.getMessage());
            return e;
        } finally {
            t.close();
        }
        throw new CaseFailure("CONNECT " + authority + " was not refused");
    }

    private static void udp(RelayClient client, InteropEnv env, boolean capsules, CellLog log) throws IOException, CaseFailure {
        UdpTunnel u = client.openUdp("127.0.0.1", env.udpEcho.port());
        try {
            u.awaitEstablished();
            log.add("connect-udp → " + u.awaitResponse().getOrNull(":status") + ", capsule-protocol "
                    + u.awaitResponse().getOrNull("capsule-protocol") + ", payloads as " + (u.usesCapsules() ? "DATAGRAM capsules" : "QUIC DATAGRAMs"));
            check(u.usesCapsules() == capsules, capsules ? "capsule mode was asked for but datagrams are used"
                    : "the relay's QUIC DATAGRAM support was not used (fell back to capsules)");
            byte[] payload = "udp payload".getBytes(StandardCharsets.UTF_8);
            byte[] back = null;
            for (int i = 0; i < 3 && back == null; i++) { // datagrams may be lost; capsules are not
                u.send(payload);
                back = u.receive(Duration.ofSeconds(capsules ? 10 : 2));
            }
            check(back != null && Arrays.equals(back, payload), "no UDP echo");
            log.add("UDP payload echoed");
        } finally {
            u.close();
        }
    }

    private void parallel(RelayClient client, InteropEnv env, CellLog log) throws Exception {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String text = "tunnel " + i;
            all.add(CompletableFuture.runAsync(() -> {
                try {
                    TcpTunnel t = open(client, env.tcpEcho.authority(), log);
                    echo(t, text);
                    t.close();
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }, Thread::startVirtualThread));
        }
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(T.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new CaseFailure("a parallel tunnel failed: " + e.getCause().getMessage());
        }
        // HTTP/1.1 carries one tunnel per connection; the other transports share one.
        check(over == RelayTransport.HTTP1_1 || client.connectionsMade() == 1, "8 tunnels used " + client.connectionsMade() + " connections");
    }

    private static void transfers(RelayClient client, InteropEnv env, CellLog log) throws Exception {
        byte[] kb = new byte[1024];
        new Random(1).nextBytes(kb);
        TcpTunnel t = open(client, env.tcpEcho.authority(), log);
        t.outputStream().write(kb);
        t.outputStream().flush();
        check(Arrays.equals(Streams.readExactly(t.inputStream(), kb.length, T), kb), "1 KB echo differs");
        t.close();
        TcpTunnel down = open(client, env.source.authority(), log);
        byte[] got = Streams.readToEnd(down.inputStream(), Duration.ofSeconds(30));
        check(got.length == InteropEnv.SOURCE_LENGTH && TcpSinkServer.sha256Hex(got).equals(env.source.sha256()),
                "1 MiB download: " + got.length + " bytes, SHA-256 " + (TcpSinkServer.sha256Hex(got).equals(env.source.sha256()) ? "ok" : "differs"));
        down.close();
        byte[] mb = new byte[InteropEnv.SOURCE_LENGTH];
        new Random(2).nextBytes(mb);
        TcpTunnel up = open(client, env.sink.authority(), log);
        up.outputStream().write(mb);
        up.shutdownOutput();
        TcpSinkServer.Received r = env.sink.awaitReceived(Duration.ofSeconds(30));
        check(r != null && r.bytes() == mb.length && r.sha256().equals(TcpSinkServer.sha256Hex(mb)),
                "1 MiB upload: " + (r == null ? "nothing" : r.bytes() + " bytes"));
        up.close();
        log.add("1 KB echo, 1 MiB down, 1 MiB up: SHA-256 intact");
    }

    /** E's second half: a dedicated relay with a 700 ms connect timeout, a target that never answers → 504. */
    private void targetTimeout(ServerUnderTest server, InteropEnv env, CellLog log) throws Exception {
        try (FullListener full = FullListener.open();
             ServerPeer.Running relay = server.dedicated(Duration.ofMillis(700));
             RelayClient client = client(relay.target(), Case.E, true, UdpMode.AUTO)) {
            RelayException e = refused(client, full.authority(), log);
            check(e instanceof TargetUnreachableException && e.status() == 504 && "connection_timeout".equals(e.proxyError()),
                    "expected TargetUnreachableException 504 connection_timeout, got " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private void relayKilled(ServerUnderTest server, InteropEnv env, CellLog log) throws Exception {
        try (ServerPeer.Running relay = server.dedicated(null);
             RelayClient client = client(relay.target(), Case.K, true, UdpMode.AUTO)) {
            TcpTunnel down = open(client, env.largeSource.authority(), log);
            Streams.readExactly(down.inputStream(), Transfers.BEFORE_KILL, T);
            log.add(Transfers.BEFORE_KILL + " bytes of the download received");
            Transfers.killAndExpectFailure(relay, () -> Transfers.drain(down.inputStream()).bytes(), log);
        }
    }
}
