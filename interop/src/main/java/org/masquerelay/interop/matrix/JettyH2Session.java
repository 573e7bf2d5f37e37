package org.masquerelay.interop.matrix;

import org.eclipse.jetty.http.HostPortHttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpScheme;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.DataFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.http2.frames.SettingsFrame;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/2 connection through Jetty 12.1.5's {@code HTTP2Client} (TLS with ALPN h2 from the JDK), trusting the
 * server's root: classic CONNECT (RFC 9113 §8.5) and connect-udp by extended CONNECT (RFC 8441) streams, each read
 * as a blocking InputStream on Jetty's demand model (HTTP/2 flow control is the back-pressure).
 */
final class JettyH2Session implements AutoCloseable {
    static final Duration T = Duration.ofSeconds(10);
    final HTTP2Client client;
    final Session session;
    final CompletableFuture<Map<Integer, Integer>> serverSettings = new CompletableFuture<>();

    JettyH2Session(ServerUnderTest server) throws Exception {
        SslContextFactory.Client ssl = new SslContextFactory.Client();
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("root", server.root());
        ssl.setTrustStore(trust);
        client = new HTTP2Client();
        client.addBean(ssl);
        client.start();
        try {
            InetSocketAddress relay = new InetSocketAddress(server.address().getAddress(), server.tcpPort());
            session = client.connect(ssl, relay, new Session.Listener() {
                @Override
                public void onSettings(Session s, SettingsFrame frame) {
                    serverSettings.complete(frame.getSettings());
                }
            }).get(T.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            client.stop();
            throw e;
        }
    }

    /** Classic CONNECT with {@code headers} (the relay's credential, priority), HEADERS without END_STREAM. */
    Tunnel connect(String authority, Map<String, String> headers) throws Exception {
        HttpFields.Mutable fields = HttpFields.build();
        headers.forEach(fields::add);
        return open(new MetaData.ConnectRequest((HttpScheme) null, new HostPortHttpField(authority), null, fields, null));
    }

    /** connect-udp by extended CONNECT to the relay's own authority, announcing the capsule protocol. */
    Tunnel connectUdp(String relayAuthority, String path, Map<String, String> headers) throws Exception {
        HttpFields.Mutable fields = HttpFields.build();
        headers.forEach(fields::add);
        fields.add("capsule-protocol", "?1");
        return open(new MetaData.ConnectRequest(HttpScheme.HTTPS, new HostPortHttpField(relayAuthority), path, fields, "connect-udp"));
    }

    private Tunnel open(MetaData.Request request) throws Exception {
        Tunnel t = new Tunnel();
        t.stream = session.newStream(new HeadersFrame(request, null, false), t).get(T.toMillis(), TimeUnit.MILLISECONDS);
        return t;
    }

    boolean isClosed() {
        return session.isClosed();
    }

    @Override
    public void close() throws Exception {
        client.stop();
    }

    /** One stream: the response, the body as a blocking InputStream, writes, reset. */
    static final class Tunnel implements Stream.Listener, JettyCases.Tunnel {
        private static final byte[] EOF = new byte[0];
        private static final Object AVAILABLE = new Object();
        private static final Object CLOSED = new Object();
        volatile Stream stream;
        final CompletableFuture<MetaData.Response> response = new CompletableFuture<>();
        private final BlockingQueue<Object> chunks = new LinkedBlockingQueue<>();
        private final InputStream in = new In();

        @Override
        public void onHeaders(Stream s, HeadersFrame frame) {
            if (frame.getMetaData() instanceof MetaData.Response r) {
                response.complete(r);
            }
            if (frame.isEndStream()) {
                chunks.add(EOF);
            }
        }

        /** Jetty's pull model: the reader takes data with readData() and demands more when there is none. */
        @Override
        public void onDataAvailable(Stream s) {
            chunks.add(AVAILABLE);
        }

        @Override
        public void onReset(Stream s, ResetFrame frame, Callback callback) {
            IOException e = new IOException("stream reset by the relay (RST_STREAM " + ErrorCode.toString(frame.getError(), "?") + ")");
            response.completeExceptionally(e);
            chunks.add(e);
            callback.succeeded();
        }

        @Override
        public void onFailure(Stream s, int error, String reason, Throwable failure, Callback callback) {
            IOException e = new IOException("stream failed: " + reason, failure);
            response.completeExceptionally(e);
            chunks.add(e);
            callback.succeeded();
        }

        /** A stream closed without END_STREAM from the peer (the connection went away): never a clean end. */
        @Override
        public void onClosed(Stream s) {
            response.completeExceptionally(new IOException("stream closed before a response"));
            chunks.add(CLOSED);
        }

        @Override
        public MetaData.Response awaitResponse() throws Exception {
            return response.get(T.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void write(byte[] bytes, boolean last) throws Exception {
            stream.data(new DataFrame(stream.getId(), ByteBuffer.wrap(bytes), last)).get(T.toMillis(), TimeUnit.MILLISECONDS);
        }

        void reset() throws Exception {
            stream.reset(new ResetFrame(stream.getId(), ErrorCode.CANCEL_STREAM_ERROR.code)).get(T.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public InputStream in() {
            return in;
        }

        /** Takes what Jetty holds for this stream into the queue; false when there was nothing. */
        private boolean pull() {
            Stream.Data data = stream.readData();
            if (data == null) {
                return false;
            }
            ByteBuffer buffer = data.frame().getByteBuffer();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            boolean last = data.frame().isEndStream();
            data.release();
            if (bytes.length > 0) {
                chunks.add(bytes);
            }
            if (last) {
                chunks.add(EOF);
            }
            return true;
        }

        private final class In extends InputStream {
            private byte[] current = EOF;
            private int position;
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
                while (position >= current.length) {
                    if (eof) {
                        return -1;
                    }
                    Object next = chunks.poll();
                    if (next == null && (!response.isDone() || !pull())) {
                        stream.demand();
                    }
                    try {
                        next = next != null ? next : chunks.poll(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted", e);
                    }
                    if (next == null) {
                        throw new java.net.SocketTimeoutException("no data within 30 s");
                    }
                    if (next instanceof IOException e) {
                        throw e;
                    }
                    if (next == CLOSED) {
                        // Data and END_STREAM queued before the close are read first (pull() above), so this is a cut.
                        if (pull()) {
                            chunks.add(CLOSED);
                            continue;
                        }
                        throw new IOException("stream closed without END_STREAM (the connection went away)");
                    }
                    if (next == AVAILABLE) {
                        pull();
                        continue;
                    }
                    if (next == EOF) {
                        eof = true;
                        continue;
                    }
                    current = (byte[]) next;
                    position = 0;
                }
                int n = Math.min(len, current.length - position);
                System.arraycopy(current, position, b, off, n);
                position += n;
                return n;
            }
        }
    }
}
