package org.masquerelay.server.tcp;

import org.eclipse.jetty.http.HostPortHttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpScheme;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.masquerelay.server.tcp.TcpRelay.T;

/** Jetty's HTTP/2 client (a peer we did not write) on one connection to the relay, trusting the dev CA. */
final class JettyH2 implements AutoCloseable {
    final HTTP2Client client;
    final Session session;
    final CompletableFuture<Map<Integer, Integer>> serverSettings = new CompletableFuture<>();

    JettyH2(InetSocketAddress relay, Path caCertificate) throws Exception {
        SslContextFactory.Client ssl = new SslContextFactory.Client();
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caCertificate)) {
            trust.setCertificateEntry("ca", (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        ssl.setTrustStore(trust);
        client = new HTTP2Client();
        client.addBean(ssl);
        client.start();
        session = client.connect(ssl, relay, new Session.Listener() {
            @Override
            public void onSettings(Session session, SettingsFrame frame) {
                serverSettings.complete(frame.getSettings());
            }
        }).get(T.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Classic CONNECT (RFC 9113 §8.5). */
    Tunnel connect(String authority) throws Exception {
        return open(new MetaData.ConnectRequest((HttpScheme) null, new HostPortHttpField(authority), null,
                HttpFields.build(), null));
    }

    /** connect-udp by extended CONNECT (RFC 8441, RFC 9298). */
    Tunnel connectUdp(String relayAuthority, String path) throws Exception {
        return open(new MetaData.ConnectRequest(HttpScheme.HTTPS, new HostPortHttpField(relayAuthority), path,
                HttpFields.build().add("capsule-protocol", "?1"), "connect-udp"));
    }

    /** A plain request, e.g. GET /.well-known/pvd. */
    Tunnel get(String authority, String path) throws Exception {
        MetaData.Request request = new MetaData.Request("GET", HttpURI.build().scheme("https").authority(authority).path(path),
                HttpVersion.HTTP_2, HttpFields.EMPTY);
        Tunnel t = new Tunnel();
        t.stream = session.newStream(new HeadersFrame(request, null, true), t).get(T.toMillis(), TimeUnit.MILLISECONDS);
        return t;
    }

    Tunnel open(MetaData.Request request) throws Exception {
        Tunnel t = new Tunnel();
        t.stream = session.newStream(new HeadersFrame(request, null, false), t).get(T.toMillis(), TimeUnit.MILLISECONDS);
        return t;
    }

    @Override
    public void close() throws Exception {
        client.stop();
    }

    /** One stream: the response, the body as a blocking InputStream, writes, reset. */
    static final class Tunnel implements Stream.Listener {
        private static final byte[] EOF = new byte[0];
        private static final Object AVAILABLE = new Object();
        volatile Stream stream;
        final CompletableFuture<MetaData.Response> response = new CompletableFuture<>();
        final CompletableFuture<Integer> reset = new CompletableFuture<>();
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

        @Override
        public void onReset(Stream s, ResetFrame frame, Callback callback) {
            reset.complete(frame.getError());
            response.completeExceptionally(new IOException("stream reset: " + frame.getError()));
            chunks.add(new IOException("stream reset with " + frame.getError()));
            callback.succeeded();
        }

        @Override
        public void onFailure(Stream s, int error, String reason, Throwable failure, Callback callback) {
            response.completeExceptionally(failure);
            chunks.add(new IOException("stream failed: " + reason, failure));
            callback.succeeded();
        }

        MetaData.Response awaitResponse() throws Exception {
            return response.get(T.toMillis(), TimeUnit.MILLISECONDS);
        }

        void write(byte[] bytes, boolean last) throws Exception {
            stream.data(new DataFrame(stream.getId(), ByteBuffer.wrap(bytes), last)).get(T.toMillis(), TimeUnit.MILLISECONDS);
        }

        void reset() throws Exception {
            stream.reset(new ResetFrame(stream.getId(), org.eclipse.jetty.http2.ErrorCode.CANCEL_STREAM_ERROR.code))
                    .get(T.toMillis(), TimeUnit.MILLISECONDS);
        }

        InputStream in() {
            return in;
        }

        byte[] readAll() throws IOException {
            return in.readAllBytes();
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
                    if (next == null) {
                        if (!response.isDone() || !pull()) {
                            stream.demand();
                        }
                    }
                    try {
                        next = next != null ? next : chunks.poll(T.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                    if (next == null) {
                        throw new java.net.SocketTimeoutException("no data within " + T);
                    }
                    if (next instanceof IOException e) {
                        throw e;
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
