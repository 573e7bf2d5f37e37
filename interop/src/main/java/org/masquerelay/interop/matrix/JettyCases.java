package org.masquerelay.interop.matrix;

import org.eclipse.jetty.http.MetaData;
import org.masquerelay.testpeers.TcpSinkServer;
import org.masquerelay.tools.apple.Streams;
import org.masquerelay.wire.CapsuleWriter;

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
 * The cases as Jetty's two clients run them, HTTP/3 ({@link JettyClientPeer}) and HTTP/2 ({@link JettyH2ClientPeer}):
 * the same requests and checks over either client's tunnels. What differs between the two (how a connection is made
 * and checked, how a CONNECT is cancelled, how connect-udp is requested) stays in each peer.
 */
final class JettyCases {
    static final Duration T = Duration.ofSeconds(10);

    private JettyCases() {}

    /** A CONNECT (or connect-udp) stream of either Jetty client: the response, the bytes each way. */
    interface Tunnel {
        MetaData.Response awaitResponse() throws Exception;

        InputStream in();

        /** Sends {@code bytes}; {@code last} ends our side (END_STREAM / FIN). */
        void write(byte[] bytes, boolean last) throws Exception;

        /** Everything until the peer's end; a stall fails with what arrived (and what the client knows of it). */
        default byte[] readToEnd(Duration timeout) throws Exception {
            return Streams.readToEnd(in(), timeout);
        }

        /** The stream's failure if Jetty reports one within {@code wait} after its end was read; else empty. */
        default java.util.Optional<Throwable> failureAfterEnd(Duration wait) throws InterruptedException {
            return java.util.Optional.empty();
        }
    }

    /** Opens a classic CONNECT to {@code authority} with these request header fields. */
    interface Connector {
        Tunnel connect(String authority, Map<String, String> headers) throws Exception;
    }

    /** A CONNECT that must succeed. */
    static Tunnel open(Connector client, String authority, Map<String, String> creds, CellLog log) throws Exception {
        Tunnel t = client.connect(authority, creds);
        int status = t.awaitResponse().getStatus();
        log.add("CONNECT " + authority + " → " + status);
        check(status / 100 == 2, "CONNECT " + authority + " → " + status + " " + t.awaitResponse().getHttpFields().get("proxy-status"));
        return t;
    }

    static void echo(Tunnel t, String text) throws Exception {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        t.write(payload, false);
        check(Arrays.equals(Streams.readExactly(t.in(), payload.length, T), payload), "echo differs");
    }

    /** T: a tunnel to the echo target. */
    static void tunnel(Connector client, InteropEnv env, Map<String, String> creds, CellLog log) throws Exception {
        Tunnel t = open(client, env.tcpEcho.authority(), creds, log);
        echo(t, "after the 2xx");
        t.write(new byte[0], true);
    }

    /** O: bytes sent before the CONNECT's response come back through the tunnel. */
    static void optimistic(Connector client, InteropEnv env, Map<String, String> creds, CellLog log) throws Exception {
        Tunnel t = client.connect(env.tcpEcho.authority(), creds);
        byte[] early = "optimistic bytes".getBytes(StandardCharsets.UTF_8);
        t.write(early, false); // before the response has arrived
        check(t.awaitResponse().getStatus() / 100 == 2, "CONNECT → " + t.awaitResponse().getStatus());
        check(Arrays.equals(Streams.readExactly(t.in(), early.length, T), early), "optimistic bytes did not come back");
        log.add("optimistic bytes echoed");
        t.write(new byte[0], true);
    }

    /** F: our end after the payload; the echo, then the relay's end. */
    static void halfClose(Connector client, InteropEnv env, Map<String, String> creds, CellLog log) throws Exception {
        Tunnel t = open(client, env.tcpEcho.authority(), creds, log);
        byte[] payload = "half-close: then the end of the stream".getBytes(StandardCharsets.UTF_8);
        t.write(payload, true);
        check(Arrays.equals(Streams.readToEnd(t.in(), T), payload), "expected the echo then the end of the stream");
    }

    /** P: eight tunnels at once on one connection. */
    static void parallel(Connector client, InteropEnv env, Map<String, String> creds, CellLog log) throws Exception {
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
    }

    /** R, A, E: a CONNECT the relay refuses with a status in {@code min..max} and Proxy-Status (but on 401/407). */
    static MetaData.Response refused(Connector client, String authority, Map<String, String> creds, CellLog log,
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
        return r;
    }

    /** S: 1 KB echoed, 1 MiB down and 1 MiB up, each checked by SHA-256. */
    static void transfers(Connector client, InteropEnv env, Map<String, String> creds, CellLog log) throws Exception {
        byte[] kb = new byte[1024];
        new Random(1).nextBytes(kb);
        Tunnel t = open(client, env.tcpEcho.authority(), creds, log);
        t.write(kb, false);
        check(Arrays.equals(Streams.readExactly(t.in(), kb.length, T), kb), "1 KB echo differs");
        t.write(new byte[0], true);
        Tunnel down = open(client, env.source.authority(), creds, log);
        byte[] got = down.readToEnd(Duration.ofSeconds(30));
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

    /** L: the large download, whole. */
    static void large(Connector client, InteropEnv env, Map<String, String> creds, CellLog log) throws Exception {
        Tunnel down = open(client, env.largeSource.authority(), creds, log);
        long t0 = System.nanoTime();
        Transfers.checkLarge(Transfers.drain(down.in()), env, t0, log);
        down.write(new byte[0], true);
    }

    /** K: part of a large download, then the relay is killed: the client must see a failure, not a clean end. */
    static void killed(Connector client, InteropEnv env, ServerPeer.Running relay, CellLog log) throws Exception {
        Tunnel down = open(client, env.largeSource.authority(), relay.target().credentials(), log);
        Streams.readExactly(down.in(), Transfers.BEFORE_KILL, T);
        log.add(Transfers.BEFORE_KILL + " bytes of the download received");
        Transfers.killAndExpectFailure(relay, () -> {
            long n = Transfers.drain(down.in()).bytes();
            // Jetty 12.1.5 can read a RESET_STREAM it has already consumed as a clean end of stream and report the
            // stream's failure only after that (docs/upstream.md, "Jetty 12.1.5"): the relay's reset did reach the
            // client, and the cell says what Jetty did rather than blame the relay. A failure that never comes fails.
            Throwable late = down.failureAfterEnd(LATE_FAILURE).orElse(null);
            if (late != null) {
                throw new IOException("Jetty read a clean end of stream first, then reported the stream's failure (its"
                        + " defect, docs/upstream.md): " + late, late);
            }
            return n;
        }, log);
    }

    /** How long after a clean end Jetty's late report of the stream's failure is waited for (case K). */
    private static final Duration LATE_FAILURE = Duration.ofSeconds(2);

    /** C, once connect-udp is open: a DATAGRAM capsule out, its echo back as a DATAGRAM capsule on the stream. */
    static void capsuleEcho(Tunnel t, String what, CellLog log) throws Exception {
        MetaData.Response r = t.awaitResponse();
        log.add(what + " → " + r.getStatus() + ", capsule-protocol " + r.getHttpFields().get("capsule-protocol"));
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

    /**
     * The next DATAGRAM capsule's value (context id + payload); other capsule types are skipped (RFC 9297 §3.2).
     * Read with a timeout on every read: a Jetty stream has none of its own.
     */
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
