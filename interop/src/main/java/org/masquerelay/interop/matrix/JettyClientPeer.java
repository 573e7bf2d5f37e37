package org.masquerelay.interop.matrix;

import org.masquerelay.testpeers.FullListener;
import org.eclipse.jetty.http.HostPortHttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpScheme;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http3.api.Session;
import org.eclipse.jetty.http3.api.Stream;
import org.eclipse.jetty.http3.client.HTTP3Client;
import org.eclipse.jetty.http3.client.HTTP3ClientQuicConfiguration;
import org.eclipse.jetty.http3.frames.DataFrame;
import org.eclipse.jetty.http3.frames.HeadersFrame;
import org.eclipse.jetty.http3.frames.SettingsFrame;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.quic.quiche.client.QuicheClientQuicConfiguration;
import org.eclipse.jetty.quic.quiche.client.QuicheTransport;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.masquerelay.tools.apple.Streams;
import org.masquerelay.wire.ConnectUdpTemplate;
import org.masquerelay.wire.H3;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.masquerelay.interop.matrix.CaseFailure.check;

/**
 * Jetty 12.1.5's HTTP/3 client (quiche through Java's FFM API) as a client peer. Jetty has no QUIC DATAGRAM
 * support, so its connect-udp goes over DATAGRAM capsules only (case C); U is unsupported. When quiche's native library
 * does not load here every case reports "unsupported" with the reason (which InteropMatrixTest does not accept).
 */
public final class JettyClientPeer implements ClientPeer {
    static final Duration T = Duration.ofSeconds(10);
    private static final long SETTINGS_ENABLE_CONNECT_PROTOCOL = 0x08;
    private static final long SETTINGS_H3_DATAGRAM = 0x33;
    private static volatile String nativeProblem;
    /**
     * Jetty's UDP receive buffer: 4 MiB instead of the kernel's 208 KiB default. Jetty's quiche acknowledges only when
     * Jetty reads or writes a stream, so a client whose receive buffer overflowed twice in a row (a burst, then its
     * retransmission) holds data after a gap, never reads, never acknowledges, and quiche's probes resend data it already
     * has: the download stalls (docs/upstream.md, 5 of 24 large downloads under CPU load before, 0 of 24 after).
     */
    static final int RECEIVE_BUFFER = 4 << 20;
    private final Path workDir;

    /** @param workDir where Jetty's quiche writes the trusted root as PEM */
    public JettyClientPeer(Path workDir) {
        this.workDir = workDir;
    }

    @Override
    public String name() {
        return "jetty-http3";
    }

    @Override
    public String unsupported(Case c) {
        String problem = nativeProblem();
        if (problem != null) {
            return "Jetty's quiche native library does not load here: " + problem;
        }
        return switch (c) {
            case U -> "Jetty 12.1 has no QUIC DATAGRAM support: its connect-udp uses DATAGRAM capsules (case C)";
            default -> null;
        };
    }

    /**
     * Null when Jetty's quiche loads; otherwise why not. Loaded once, here, into a directory of this JVM's own: Jetty
     * 12.1.5's Foreign (FFM) binding, which it prefers on JDK 22+, extracts libquiche.so to the one path
     * {@code ${java.io.tmpdir}/linux-x86-64/libquiche.so} for every JVM and rewrites it in place, so a JVM starting
     * Jetty killed every other JVM that had it mapped (SIGBUS in libquiche: 2 of 8 runs of the Jetty cells here while
     * other worktrees' tests ran). Jetty reads java.io.tmpdir only while extracting, so it points at a fresh private
     * directory for that moment. (The JNA binding extracts to files of its own, but its calls made the 50 MiB case
     * twice as slow: 14 s against 6-8 s.)
     */
    static synchronized String nativeProblem() {
        if (nativeProblem == null) {
            String tmpdir = System.getProperty("java.io.tmpdir");
            try {
                Path own = Files.createTempDirectory("jetty-quiche-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(own), "jetty-quiche-cleanup"));
                System.setProperty("java.io.tmpdir", own.toString());
                // Jetty picks its quiche binding, and loads the library through it, when Quiche is first used.
                Class.forName("org.eclipse.jetty.quic.quiche.Quiche", true, JettyClientPeer.class.getClassLoader());
                nativeProblem = "";
            } catch (Throwable t) {
                nativeProblem = t.toString();
            } finally {
                System.setProperty("java.io.tmpdir", tmpdir);
            }
        }
        return nativeProblem.isEmpty() ? null : nativeProblem;
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // Best effort at exit: a leftover is an empty directory and one library in the temporary directory.
        }
    }

    /** One HTTP/3 connection through Jetty. */
    static final class Client implements AutoCloseable {
        final HTTP3Client h3;
        final Session.Client session;
        final CompletableFuture<Map<Long, Long>> peerSettings = new CompletableFuture<>();

        Client(ServerUnderTest server, Path workDir) throws Exception {
            String problem = nativeProblem(); // loads quiche where it must, before anything of Jetty's QUIC runs
            if (problem != null) {
                throw new IllegalStateException("Jetty's quiche native library does not load here: " + problem);
            }
            SslContextFactory.Client ssl = new SslContextFactory.Client();
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("root", server.root());
            ssl.setTrustStore(trust);
            ClientConnector connector = new ClientConnector();
            connector.setSslContextFactory(ssl);
            connector.setReceiveBufferSize(RECEIVE_BUFFER);
            QuicheClientQuicConfiguration quic = HTTP3ClientQuicConfiguration.configure(
                    new QuicheClientQuicConfiguration(Files.createDirectories(workDir)));
            h3 = new HTTP3Client(quic, connector);
            h3.start();
            CompletableFuture<Session.Client> connected = new CompletableFuture<>();
            try {
                // quiche (BoringSSL) checks the SNI name against DNS SANs only, so an IP literal never verifies:
                // connect to the same address under the name "localhost", which the dev certificate carries.
                java.net.InetSocketAddress named = new java.net.InetSocketAddress(
                        java.net.InetAddress.getByAddress("localhost", server.address().getAddress().getAddress()), server.port());
                h3.connect(new QuicheTransport(quic), named, new Session.Client.Listener() {
                    @Override
                    public Map<Long, Long> onPreface(Session s) {
                        return Map.of(SETTINGS_ENABLE_CONNECT_PROTOCOL, 1L, SETTINGS_H3_DATAGRAM, 1L);
                    }

                    @Override
                    public void onSettings(Session s, SettingsFrame frame) {
                        peerSettings.complete(frame.getSettings());
                    }
                }, Promise.Invocable.toPromise(connected));
                session = connected.get(T.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                h3.stop();
                throw e;
            }
        }

        /** A classic CONNECT. */
        Tunnel connect(String authority, Map<String, String> headers) throws Exception {
            return connect(authority, headers, null);
        }

        Tunnel connect(String authority, Map<String, String> headers, String protocolPath) throws Exception {
            HttpFields.Mutable fields = HttpFields.build();
            headers.forEach(fields::add);
            fields.add("priority", "i");
            MetaData.ConnectRequest request;
            if (protocolPath == null) {
                request = new MetaData.ConnectRequest((String) null, new HostPortHttpField(authority), null, fields, null);
            } else {
                fields.add("capsule-protocol", "?1");
                request = new MetaData.ConnectRequest(HttpScheme.HTTPS, new HostPortHttpField(authority), protocolPath, fields, "connect-udp");
            }
            Tunnel t = new Tunnel();
            CompletableFuture<Stream> opened = new CompletableFuture<>();
            session.newRequest(new HeadersFrame(request, false), t, Promise.Invocable.toPromise(opened));
            t.stream = opened.get(T.toMillis(), TimeUnit.MILLISECONDS);
            return t;
        }

        @Override
        public void close() throws Exception {
            h3.stop();
        }
    }

    /** A CONNECT stream as a response future, a blocking InputStream (read on demand: back-pressure) and writes. */
    static final class Tunnel implements Stream.Client.Listener, JettyCases.Tunnel {
        volatile Stream stream;
        final CompletableFuture<MetaData.Response> response = new CompletableFuture<>();
        private final Semaphore available = new Semaphore(0);
        private final java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();
        private volatile boolean ended;
        private volatile boolean collected;
        private volatile Throwable failure;
        /** Counted down when Jetty fails the stream (onFailure), however it then ends. */
        private final java.util.concurrent.CountDownLatch failed = new java.util.concurrent.CountDownLatch(1);
        private final InputStream in = new In();

        @Override
        public void onResponse(Stream.Client s, HeadersFrame frame) {
            response.complete((MetaData.Response) frame.getMetaData());
        }

        @Override
        public void onDataAvailable(Stream.Client s) {
            available.release();
        }

        @Override
        public void onFailure(Stream.Client s, long error, Throwable why) {
            if (response.isDone() && collectedByQuiche(why)) {
                // Jetty read again from a stream its quiche had already collected. quiche collects a stream only once
                // it is complete both ways: the relay's FIN received and read up to, ours acknowledged. So this is the
                // end of the stream, which Jetty reports as a failure (seen 1 run in 6 of case F: echo, then the
                // relay's FIN right behind it; docs/upstream.md).
                collected = true;
                available.release();
                return;
            }
            failure = why == null ? new IOException("stream failed with 0x" + Long.toHexString(error)) : why;
            failed.countDown();
            response.completeExceptionally(failure);
            available.release();
        }

        @Override
        public java.util.Optional<Throwable> failureAfterEnd(Duration wait) throws InterruptedException {
            return failed.await(wait.toMillis(), TimeUnit.MILLISECONDS) ? java.util.Optional.of(failure)
                    : java.util.Optional.empty();
        }

        private static boolean collectedByQuiche(Throwable why) {
            for (Throwable t = why; t != null; t = t.getCause()) {
                if (String.valueOf(t.getMessage()).contains("QUICHE_ERR_INVALID_STREAM_STATE")) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public MetaData.Response awaitResponse() throws Exception {
            return response.get(T.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void write(byte[] bytes, boolean last) throws Exception {
            CompletableFuture<Stream> done = new CompletableFuture<>();
            stream.data(new DataFrame(ByteBuffer.wrap(bytes), last), Promise.Invocable.toPromise(done));
            done.get(T.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public InputStream in() {
            return in;
        }

        /** A stall fails with what arrived and the state of Jetty's stream and session. */
        @Override
        public byte[] readToEnd(Duration timeout) throws Exception {
            try {
                return Streams.readToEnd(in, timeout);
            } catch (java.net.SocketTimeoutException e) {
                throw new CaseFailure(e.getMessage() + ": " + state());
            }
        }

        /**
         * What a stalled read leaves to go on: how much arrived, whether the end did, and Jetty's view of the stream
         * and its QUIC session (state, what quiche holds unread, flow control).
         */
        String state() {
            Stream s = stream;
            return received.get() + " B received, end of stream " + (ended ? "read" : "not read")
                    + (collected ? " (Jetty's quiche had collected the complete stream)" : "")
                    + (failure == null ? "" : ", failed: " + failure)
                    + "; Jetty stream " + s + ", session " + (s == null ? null : s.getSession());
        }

        private final class In extends InputStream {
            private ByteBuffer current;
            private boolean eof;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                while (current == null || !current.hasRemaining()) {
                    if (eof) {
                        return -1;
                    }
                    if (failure != null) {
                        throw new IOException("stream failed: " + failure, failure);
                    }
                    Content.Chunk chunk = stream.read();
                    if (chunk != null && Content.Chunk.isFailure(chunk) && response.isDone() && collectedByQuiche(chunk.getFailure())) {
                        collected = true; // the same end, reported in the read rather than in onFailure
                    }
                    if (collected && (chunk == null || Content.Chunk.isFailure(chunk))) {
                        eof = true; // what Jetty held is read: the collected stream's end (see onFailure)
                        ended = true;
                        continue;
                    }
                    if (chunk == null) {
                        stream.demand();
                        try {
                            if (!available.tryAcquire(30, TimeUnit.SECONDS)) {
                                throw new java.net.SocketTimeoutException("no data within 30 s: " + state());
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IOException("interrupted");
                        }
                        continue;
                    }
                    if (Content.Chunk.isFailure(chunk)) {
                        throw new IOException("stream failed: " + chunk.getFailure(), chunk.getFailure());
                    }
                    ByteBuffer bb = chunk.getByteBuffer();
                    byte[] copy = new byte[bb.remaining()];
                    bb.get(copy);
                    eof = chunk.isLast();
                    ended = eof;
                    received.addAndGet(copy.length);
                    chunk.release();
                    if (eof && failure != null) {
                        // When the peer closes the connection, Jetty first fails the stream (onFailure) and then
                        // disconnects it with no cause, after which read() returns a plain EOF: a truncated tunnel
                        // looked like a clean end to a reader between the two (case K on the quiche engine).
                        throw new IOException("stream failed: " + failure, failure);
                    }
                    current = ByteBuffer.wrap(copy);
                }
                int n = Math.min(len, current.remaining());
                current.get(b, off, n);
                return n;
            }
        }
    }

    @Override
    public void run(Case c, ServerUnderTest server, InteropEnv env, CellLog log) throws Exception {
        if (c == Case.K) {
            try (ServerPeer.Running relay = server.dedicated(null); Client client = new Client(relay.target(), workDir)) {
                JettyCases.killed(client::connect, env, relay, log);
            }
            return;
        }
        if (c == Case.E) {
            try (FullListener full = FullListener.open();
                 ServerPeer.Running relay = server.dedicated(Duration.ofMillis(700));
                 Client client = new Client(relay.target(), workDir)) {
                MetaData.Response r = JettyCases.refused(client::connect, full.authority(), server.credentials(), log, 504, 504);
                check(String.valueOf(r.getHttpFields().get("proxy-status")).contains("connection_timeout"), "Proxy-Status lacks connection_timeout");
            }
        }
        Map<String, String> creds = c == Case.A ? Map.of() : server.credentials();
        try (Client client = new Client(server, workDir)) {
            log.add("connected (Jetty 12.1.5, quiche via JNA, h3)");
            JettyCases.Connector connector = client::connect;
            switch (c) {
                case H -> {
                    Map<Long, Long> s = client.peerSettings.get(T.toMillis(), TimeUnit.MILLISECONDS);
                    log.add("peer SETTINGS " + s);
                    check(s.getOrDefault(SETTINGS_ENABLE_CONNECT_PROTOCOL, 0L) == 1L, "no ENABLE_CONNECT_PROTOCOL=1");
                    check(s.getOrDefault(SETTINGS_H3_DATAGRAM, 0L) == 1L, "no H3_DATAGRAM=1");
                    log.add("(QUIC DATAGRAM not checked: Jetty does not negotiate it)");
                }
                case T -> JettyCases.tunnel(connector, env, creds, log);
                case O -> JettyCases.optimistic(connector, env, creds, log);
                case C -> {
                    String path = ConnectUdpTemplate.defaultTemplate().expand("127.0.0.1", env.udpEcho.port());
                    JettyCases.capsuleEcho(client.connect(server.host() + ":" + server.port(), creds, path), "connect-udp " + path, log);
                }
                case F -> JettyCases.halfClose(connector, env, creds, log);
                case P -> JettyCases.parallel(connector, env, creds, log);
                case X -> {
                    Tunnel a = (Tunnel) JettyCases.open(connector, env.tcpEcho.authority(), creds, log);
                    JettyCases.echo(a, "before");
                    Tunnel b = client.connect(env.tcpEcho.authority(), creds, null);
                    // Stream.disconnect: RESET_STREAM and STOP_SENDING, before the CONNECT's response has come.
                    CompletableFuture<Stream> cancelled = new CompletableFuture<>();
                    b.stream.disconnect(H3.H3_REQUEST_CANCELLED, new java.util.concurrent.CancellationException("cancelled by the test"),
                            Promise.Invocable.toPromise(cancelled));
                    cancelled.get(T.toMillis(), TimeUnit.MILLISECONDS);
                    log.add("a second CONNECT cancelled before its response (H3_REQUEST_CANCELLED)");
                    JettyCases.echo(a, "after the cancel");
                    JettyCases.echo(JettyCases.open(connector, env.tcpEcho.authority(), creds, log), "next tunnel");
                    check(!((org.eclipse.jetty.http3.HTTP3Session) client.session).isClosed(), "connection closed after a cancelled CONNECT");
                }
                case R -> JettyCases.refused(connector, "192.0.2.1:443", creds, log, 400, 599);
                case A -> JettyCases.refused(connector, env.tcpEcho.authority(), creds, log, 401, 407);
                case E -> {
                    MetaData.Response r = JettyCases.refused(connector, "127.0.0.1:" + env.closedPort, creds, log, 500, 599);
                    check(String.valueOf(r.getHttpFields().get("proxy-status")).contains("connection_refused"), "Proxy-Status lacks connection_refused");
                }
                case S -> JettyCases.transfers(connector, env, creds, log);
                case L -> JettyCases.large(connector, env, creds, log);
                default -> throw new CaseFailure("not implemented: " + c);
            }
        }
    }
}
