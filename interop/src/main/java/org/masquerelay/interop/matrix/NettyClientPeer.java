package org.masquerelay.interop.matrix;

import org.masquerelay.testpeers.FullListener;
import org.masquerelay.testpeers.NettyH3Client;
import org.masquerelay.testpeers.RawH3;
import org.masquerelay.testpeers.TcpSinkServer;
import org.masquerelay.testpeers.Tunnel;
import org.masquerelay.wire.ConnectUdpTemplate;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.masquerelay.interop.matrix.CaseFailure.check;

/** Netty 4.2 / quiche (BoringSSL) as an independent HTTP/3 client peer. */
public final class NettyClientPeer implements ClientPeer {
    static final Duration T = Duration.ofSeconds(10);

    @Override
    public String name() {
        return "netty-quiche";
    }

    @Override
    public String unsupported(Case c) {
        return null;
    }

    @Override
    public void run(Case c, ServerUnderTest server, InteropEnv env, CellLog log) throws Exception {
        if (c == Case.K) {
            try (ServerPeer.Running relay = server.dedicated(null)) {
                runOn(c, relay, relay.target(), env, log);
            }
            return;
        }
        if (c == Case.E) {
            // A target that never answers, through a dedicated relay with a 700 ms connect timeout → 504.
            try (FullListener full = FullListener.open();
                 ServerPeer.Running relay = server.dedicated(Duration.ofMillis(700));
                 NettyH3Client client = NettyH3Client.connect(relay.target().address(),
                         NettyH3Client.Options.defaults().trusting(server.rootPem()))) {
                Tunnel.Response r = refused(client, full.authority(), server.credentials(), log, 504, 504);
                check(r.header("proxy-status").orElse("").contains("connection_timeout"),
                        "Proxy-Status lacks connection_timeout: " + r.header("proxy-status").orElse("(none)"));
            }
        }
        runOn(c, null, server, env, log);
    }

    private void runOn(Case c, ServerPeer.Running dedicated, ServerUnderTest server, InteropEnv env, CellLog log) throws Exception {
        NettyH3Client.Options options = NettyH3Client.Options.defaults().trusting(server.rootPem())
                .withDatagrams(c != Case.C);
        Map<String, String> creds = c == Case.A ? Map.of() : server.credentials();
        try (NettyH3Client client = NettyH3Client.connect(server.address(), options)) {
            log.add("connected (quiche, TLS 1.3, h3), datagrams " + (options.datagrams() ? "offered" : "not offered"));
            switch (c) {
                case H -> {
                    Map<Long, Long> s = client.peerSettings(T);
                    log.add("peer SETTINGS " + s);
                    check(s.getOrDefault(0x08L, 0L) == 1L, "no ENABLE_CONNECT_PROTOCOL=1");
                    check(s.getOrDefault(0x33L, 0L) == 1L, "no H3_DATAGRAM=1");
                    check(client.peerDatagramsEnabled(), "QUIC DATAGRAM not negotiated");
                }
                case T -> echo(open(client, env.tcpEcho.authority(), creds, null, log), "after the 2xx", true);
                case O -> {
                    byte[] early = "optimistic bytes".getBytes(StandardCharsets.UTF_8);
                    Tunnel t = open(client, env.tcpEcho.authority(), creds, early, log);
                    check(Arrays.equals(t.readBytes(early.length, T), early), "optimistic bytes did not come back");
                    t.shutdownOutput();
                }
                case U -> udp(client, server, env, creds, log, false);
                case C -> udp(client, server, env, creds, log, true);
                case F -> {
                    Tunnel t = open(client, env.tcpEcho.authority(), creds, null, log);
                    byte[] payload = "half-close: then FIN".getBytes(StandardCharsets.UTF_8);
                    t.write(payload);
                    t.shutdownOutput();
                    check(Arrays.equals(t.readToEnd(T), payload), "expected the echo then FIN");
                }
                case P -> {
                    List<CompletableFuture<Void>> all = new ArrayList<>();
                    for (int i = 0; i < 8; i++) {
                        String text = "tunnel " + i;
                        all.add(CompletableFuture.runAsync(() -> {
                            try {
                                echo(open(client, env.tcpEcho.authority(), creds, null, log), text, true);
                            } catch (CaseFailure e) {
                                throw new java.util.concurrent.CompletionException(e);
                            }
                        }, Thread::startVirtualThread));
                    }
                    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(T.toMillis() * 2, TimeUnit.MILLISECONDS);
                }
                case X -> {
                    Tunnel a = open(client, env.tcpEcho.authority(), creds, null, log);
                    echo(a, "before", false);
                    Tunnel b = client.openTcp(env.tcpEcho.authority(), creds, null);
                    b.cancel();
                    echo(a, "after the cancel", false);
                    echo(open(client, env.tcpEcho.authority(), creds, null, log), "next tunnel", true);
                    check(client.isOpen(), "connection closed after a cancelled CONNECT");
                }
                case R -> refused(client, "192.0.2.1:443", creds, log, 400, 599);
                case A -> refused(client, env.tcpEcho.authority(), creds, log, 401, 407);
                case E -> {
                    Tunnel.Response r = refused(client, "127.0.0.1:" + env.closedPort, creds, log, 500, 599);
                    check(r.header("proxy-status").orElse("").contains("connection_refused"),
                            "Proxy-Status lacks connection_refused: " + r.header("proxy-status").orElse("(none)"));
                }
                case S -> {
                    byte[] kb = new byte[1024];
                    new Random(1).nextBytes(kb);
                    Tunnel t = open(client, env.tcpEcho.authority(), creds, null, log);
                    t.write(kb);
                    check(Arrays.equals(t.readBytes(kb.length, T), kb), "1 KB echo differs");
                    t.shutdownOutput();
                    Tunnel down = open(client, env.source.authority(), creds, null, log);
                    byte[] got = down.readToEnd(Duration.ofSeconds(30));
                    check(got.length == InteropEnv.SOURCE_LENGTH && TcpSinkServer.sha256Hex(got).equals(env.source.sha256()),
                            "1 MiB download: " + got.length + " bytes, SHA-256 " + (TcpSinkServer.sha256Hex(got).equals(env.source.sha256()) ? "ok" : "differs"));
                    down.shutdownOutput();
                    byte[] mb = new byte[InteropEnv.SOURCE_LENGTH];
                    new Random(2).nextBytes(mb);
                    Tunnel up = open(client, env.sink.authority(), creds, null, log);
                    for (int off = 0; off < mb.length; off += 64 * 1024) {
                        up.write(Arrays.copyOfRange(mb, off, Math.min(mb.length, off + 64 * 1024)));
                    }
                    up.shutdownOutput();
                    TcpSinkServer.Received r = env.sink.awaitReceived(Duration.ofSeconds(30));
                    check(r != null && r.bytes() == mb.length && r.sha256().equals(TcpSinkServer.sha256Hex(mb)),
                            "1 MiB upload: " + (r == null ? "nothing" : r.bytes() + " bytes"));
                    log.add("1 KB echo, 1 MiB down, 1 MiB up: SHA-256 intact");
                }
                case L -> {
                    Tunnel down = open(client, env.largeSource.authority(), creds, null, log);
                    long t0 = System.nanoTime();
                    byte[] got = down.readToEnd(Duration.ofSeconds(30));
                    Transfers.checkLarge(new Transfers.Digest(got.length, TcpSinkServer.sha256Hex(got)), env, t0, log);
                    down.shutdownOutput();
                }
                case K -> {
                    Tunnel down = open(client, env.largeSource.authority(), creds, null, log);
                    down.readBytes(Transfers.BEFORE_KILL, T);
                    log.add(Transfers.BEFORE_KILL + " bytes of the download received");
                    Transfers.killAndExpectFailure(dedicated, () -> (long) down.readToEnd(Duration.ofSeconds(30)).length, log);
                }
                default -> throw new CaseFailure("not implemented: " + c);
            }
        }
    }

    private static Tunnel open(NettyH3Client client, String authority, Map<String, String> creds, byte[] early, CellLog log) throws CaseFailure {
        Tunnel t = client.openTcp(authority, withPriority(creds), early);
        Tunnel.Response r = t.awaitResponse(T);
        log.add("CONNECT " + authority + " → " + r.status());
        check(r.isSuccess(), "CONNECT " + authority + " → " + r.status() + " " + r.header("proxy-status").orElse(""));
        return t;
    }

    private static Map<String, String> withPriority(Map<String, String> creds) {
        Map<String, String> h = new java.util.LinkedHashMap<>(creds);
        h.put("priority", "i");
        return h;
    }

    private static void echo(Tunnel t, String text, boolean finish) throws CaseFailure {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        t.write(payload);
        check(Arrays.equals(t.readBytes(payload.length, T), payload), "echo differs");
        if (finish) {
            t.shutdownOutput();
        }
    }

    private static Tunnel.Response refused(NettyH3Client client, String authority, Map<String, String> creds, CellLog log, int min, int max) throws CaseFailure {
        Tunnel t = client.openTcp(authority, withPriority(creds), null);
        Tunnel.Response r = t.awaitResponse(T);
        log.add("CONNECT " + authority + " → " + r.status() + " proxy-status: " + r.header("proxy-status").orElse("(none)"));
        check(r.status() >= min && r.status() <= max, "expected a status in " + min + ".." + max + ", got " + r.status());
        check(r.header("proxy-status").isPresent() || r.status() == 401 || r.status() == 407, "no Proxy-Status on the refusal");
        return r;
    }

    private static void udp(NettyH3Client client, ServerUnderTest server, InteropEnv env, Map<String, String> creds, CellLog log, boolean capsules) throws CaseFailure {
        String path = ConnectUdpTemplate.defaultTemplate().expand("127.0.0.1", env.udpEcho.port());
        Tunnel t = client.openUdp(server.host() + ":" + server.port(), path, creds);
        Tunnel.Response r = t.awaitResponse(T);
        log.add("connect-udp " + path + " → " + r.status() + ", capsule-protocol " + r.header("capsule-protocol").orElse("(none)"));
        check(r.isSuccess(), "connect-udp → " + r.status());
        byte[] payload = "udp payload".getBytes(StandardCharsets.UTF_8);
        if (capsules) {
            byte[] value = new byte[payload.length + 1]; // context id 0, then the UDP payload
            System.arraycopy(payload, 0, value, 1, payload.length);
            t.writeCapsule(RawH3.CAPSULE_DATAGRAM, value);
            Tunnel.Capsule back = t.readCapsule(T);
            check(back.type() == RawH3.CAPSULE_DATAGRAM && Arrays.equals(back.value(), value), "DATAGRAM capsule echo differs");
            log.add("DATAGRAM capsule echoed on the stream");
        } else {
            java.util.Optional<byte[]> back = java.util.Optional.empty();
            for (int i = 0; i < 3 && back.isEmpty(); i++) {
                t.sendDatagram(0, payload);
                back = t.pollDatagram(Duration.ofSeconds(2));
            }
            check(back.isPresent() && Arrays.equals(back.get(), payload), "no datagram echo");
            log.add("HTTP datagram echoed");
        }
        t.shutdownOutput();
    }
}
