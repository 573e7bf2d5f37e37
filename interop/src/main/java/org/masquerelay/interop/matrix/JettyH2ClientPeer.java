package org.masquerelay.interop.matrix;

import org.eclipse.jetty.http.MetaData;
import org.masquerelay.interop.matrix.JettyH2Session.Tunnel;
import org.masquerelay.testpeers.FullListener;
import org.masquerelay.testpeers.TcpSinkServer;
import org.masquerelay.tools.apple.Streams;
import org.masquerelay.wire.CapsuleWriter;
import org.masquerelay.wire.ConnectUdpTemplate;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
 * Jetty 12.1.5's HTTP/2 client (a peer we did not write) against the relay's TCP listener: classic CONNECT over h2
 * for TCP, connect-udp by extended CONNECT with DATAGRAM capsules for UDP (case C). Every case the HTTP/3 rows run,
 * except U (QUIC DATAGRAM does not exist over TCP).
 */
public final class JettyH2ClientPeer implements ClientPeer {
    static final Duration T = JettyH2Session.T;
    /** SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441 §3). */
    private static final int ENABLE_CONNECT_PROTOCOL = 0x8;

    @Override
    public String name() {
        return "jetty-http2";
    }

    @Override
    public Transport transport() {
        return Transport.H2;
    }

    @Override
    public String unsupported(Case c) {
        return null;
    }

    @Override
    public void run(Case c, ServerUnderTest server, InteropEnv env, CellLog log) throws Exception {
        if (c == Case.K) {
            try (ServerPeer.Running relay = server.dedicated(null); JettyH2Session client = new JettyH2Session(relay.target())) {
                Tunnel down = open(client, env.largeSource.authority(), relay.target().credentials(), log);
                Streams.readExactly(down.in(), Transfers.BEFORE_KILL, T);
                log.add(Transfers.BEFORE_KILL + " bytes of the download received");
                Transfers.killAndExpectFailure(relay, () -> Transfers.drain(down.in()).bytes(), log);
            }
            return;
        }
        if (c == Case.E) {
            try (FullListener full = FullListener.open();
                 ServerPeer.Running relay = server.dedicated(Duration.ofMillis(700));
                 JettyH2Session client = new JettyH2Session(relay.target())) {
                MetaData.Response r = refused(client, full.authority(), server.credentials(), log, 504, 504);
                check(String.valueOf(r.getHttpFields().get("proxy-status")).contains("connection_timeout"), "Proxy-Status lacks connection_timeout");
            }
        }
        Map<String, String> creds = c == Case.A ? Map.of() : server.credentials();
        try (JettyH2Session client = new JettyH2Session(server)) {
            log.add("connected (Jetty 12.1.5 HTTP2Client, TLS + ALPN h2) to " + server.host() + ":" + server.tcpPort());
            switch (c) {
                case H -> {
                    Map<Integer, Integer> s = client.serverSettings.get(T.toMillis(), TimeUnit.MILLISECONDS);
                    log.add("relay SETTINGS " + s);
                    check(s.getOrDefault(ENABLE_CONNECT_PROTOCOL, 0) == 1, "no SETTINGS_ENABLE_CONNECT_PROTOCOL=1 (extended CONNECT, RFC 8441)");
                }
                case T -> {
                    Tunnel t = open(client, env.tcpEcho.authority(), creds, log);
                    echo(t, "after the 2xx");
                    t.write(new byte[0], true);
                }
                case O -> {
                    Tunnel t = client.connect(env.tcpEcho.authority(), creds);
                    byte[] early = "optimistic bytes".getBytes(StandardCharsets.UTF_8);
                    t.write(early, false); // before the response has arrived
                    check(t.awaitResponse().getStatus() / 100 == 2, "CONNECT → " + t.awaitResponse().getStatus());
                    check(Arrays.equals(Streams.readExactly(t.in(), early.length, T), early), "optimistic bytes did not come back");
                    log.add("optimistic bytes echoed");
                    t.write(new byte[0], true);
                }
                case C -> capsules(client, server, env, creds, log);
                case F -> {
                    Tunnel t = open(client, env.tcpEcho.authority(), creds, log);
                    byte[] payload = "half-close: then END_STREAM".getBytes(StandardCharsets.UTF_8);
                    t.write(payload, true);
                    check(Arrays.equals(Streams.readToEnd(t.in(), T), payload), "expected the echo then END_STREAM");
                }
                case P -> {
                    List<CompletableFuture<Void>> all = new ArrayList<>();
                    for (int i = 0; i < 8; i++) {
                        String text = "tunnel " + i;
                        all.add(CompletableFuture.runAsync(() -> {
                            try {
                                echo(open(client, env.tcpEcho.authority(), creds, log), text);
                            } catch (Exception e) {
                                throw new CompletionException(e);
                            }
                        }, Thread::startVirtualThread));
                    }
                    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(T.toMillis() * 2, TimeUnit.MILLISECONDS);
                    check(!client.isClosed(), "the connection closed");
                }
                case X -> {
                    Tunnel a = open(client, env.tcpEcho.authority(), creds, log);
                    echo(a, "before");
                    Tunnel b = client.connect(env.tcpEcho.authority(), creds);
                    b.reset();
                    log.add("a second CONNECT reset (RST_STREAM CANCEL) before its response");
                    echo(a, "after the cancel");
                    echo(open(client, env.tcpEcho.authority(), creds, log), "next tunnel");
                    check(!client.isClosed(), "the connection closed after a cancelled CONNECT");
                }
                case R -> refused(client, "192.0.2.1:443", creds, log, 400, 599);
                case A -> refused(client, env.tcpEcho.authority(), creds, log, 401, 407);
                case E -> {
                    MetaData.Response r = refused(client, "127.0.0.1:" + env.closedPort, creds, log, 500, 599);
                    check(String.valueOf(r.getHttpFields().get("proxy-status")).contains("connection_refused"), "Proxy-Status lacks connection_refused");
                }
                case S -> transfers(client, env, creds, log);
                case L -> {
                    Tunnel down = open(client, env.largeSource.authority(), creds, log);
                    long t0 = System.nanoTime();
                    Transfers.checkLarge(Transfers.drain(down.in()), env, t0, log);
                    down.write(new byte[0], true);
                }
                default -> throw new CaseFailure("not implemented over HTTP/2: " + c);
            }
        }
    }

    private static Tunnel open(JettyH2Session client, String authority, Map<String, String> creds, CellLog log) throws Exception {
        Tunnel t = client.connect(authority, creds);
        int status = t.awaitResponse().getStatus();
        log.add("CONNECT " + authority + " → " + status);
        check(status / 100 == 2, "CONNECT " + authority + " → " + status + " " + t.awaitResponse().getHttpFields().get("proxy-status"));
        return t;
    }

    private static void echo(Tunnel t, String text) throws Exception {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        t.write(payload, false);
        check(Arrays.equals(Streams.readExactly(t.in(), payload.length, T), payload), "echo differs");
    }

    private static MetaData.Response refused(JettyH2Session client, String authority, Map<String, String> creds, CellLog log,
                                             int min, int max) throws Exception {
        Tunnel t = client.connect(authority, creds);
        MetaData.Response r;
        try {
            r = t.awaitResponse();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new CaseFailure("CONNECT " + authority + " failed without a response: " + e.getCause());
        }
        String ps = r.getHttpFields().get("proxy-status");
        log.add("CONNECT " + authority + " → " + r.getStatus() + " proxy-status: " + ps);
        check(r.getStatus() >= min && r.getStatus() <= max, "expected a status in " + min + ".." + max + ", got " + r.getStatus());
        check(ps != null || r.getStatus() == 401 || r.getStatus() == 407, "no Proxy-Status on the refusal");
        check(!client.isClosed(), "the refusal closed the connection");
        return r;
    }

    private static void transfers(JettyH2Session client, InteropEnv env, Map<String, String> creds, CellLog log) throws Exception {
        byte[] kb = new byte[1024];
        new Random(1).nextBytes(kb);
        Tunnel t = open(client, env.tcpEcho.authority(), creds, log);
        t.write(kb, false);
        check(Arrays.equals(Streams.readExactly(t.in(), kb.length, T), kb), "1 KB echo differs");
        t.write(new byte[0], true);
        Tunnel down = open(client, env.source.authority(), creds, log);
        byte[] got = Streams.readToEnd(down.in(), Duration.ofSeconds(30));
        check(got.length == InteropEnv.SOURCE_LENGTH && TcpSinkServer.sha256Hex(got).equals(env.source.sha256()),
                "1 MiB download: " + got.length + " bytes");
        down.write(new byte[0], true);
        byte[] mb = new byte[InteropEnv.SOURCE_LENGTH];
        new Random(2).nextBytes(mb);
        Tunnel up = open(client, env.sink.authority(), creds, log);
        for (int off = 0; off < mb.length; off += 64 * 1024) {
            up.write(Arrays.copyOfRange(mb, off, Math.min(mb.length, off + 64 * 1024)), off + 64 * 1024 >= mb.length);
        }
        TcpSinkServer.Received r = env.sink.awaitReceived(Duration.ofSeconds(30));
        check(r != null && r.bytes() == mb.length && r.sha256().equals(TcpSinkServer.sha256Hex(mb)),
                "1 MiB upload: " + (r == null ? "nothing" : r.bytes() + " bytes"));
        log.add("1 KB echo, 1 MiB down, 1 MiB up: SHA-256 intact");
    }

    /** connect-udp by extended CONNECT: a DATAGRAM capsule out, the echo back as a DATAGRAM capsule. */
    private static void capsules(JettyH2Session client, ServerUnderTest server, InteropEnv env, Map<String, String> creds,
                                 CellLog log) throws Exception {
        String path = ConnectUdpTemplate.defaultTemplate().expand("127.0.0.1", env.udpEcho.port());
        Tunnel t = client.connectUdp(server.host() + ":" + server.tcpPort(), path, creds);
        MetaData.Response r = t.awaitResponse();
        log.add("extended CONNECT connect-udp " + path + " → " + r.getStatus() + ", capsule-protocol " + r.getHttpFields().get("capsule-protocol"));
        check(r.getStatus() / 100 == 2, "connect-udp → " + r.getStatus() + " " + r.getHttpFields().get("proxy-status"));
        byte[] payload = "udp payload".getBytes(StandardCharsets.UTF_8);
        t.write(CapsuleWriter.datagramCapsule(0, payload, 0, payload.length), false);
        byte[] back = datagramCapsule(t.in());
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(0);
        expected.write(payload);
        check(Arrays.equals(back, expected.toByteArray()), "no DATAGRAM capsule echo (context 0 + payload)");
        log.add("DATAGRAM capsule echoed on the stream");
        t.write(new byte[0], true);
    }

    /** The next DATAGRAM capsule's value (context id + payload); other capsule types are skipped (RFC 9297 §3.2). */
    static byte[] datagramCapsule(InputStream in) throws IOException {
        while (true) {
            long type = readVarint(in);
            byte[] value = Streams.readExactly(in, (int) readVarint(in), T);
            if (type == 0) {
                return value;
            }
        }
    }

    private static long readVarint(InputStream in) throws IOException {
        byte[] first = Streams.readExactly(in, 1, T);
        int len = 1 << ((first[0] & 0xff) >> 6);
        long v = first[0] & 0x3f;
        if (len > 1) {
            for (byte b : Streams.readExactly(in, len - 1, T)) {
                v = (v << 8) | (b & 0xff);
            }
        }
        return v;
    }
}
