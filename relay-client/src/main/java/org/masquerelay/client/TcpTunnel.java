package org.masquerelay.client;

import org.masquerelay.client.internal.RelayAnswer;
import org.masquerelay.engine.ClientStream;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.HttpFields;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A classic CONNECT tunnel (RFC 9114 §4.4), what Apple's client opens for TCP flows. The request goes out at
 * once and bytes may follow it before the relay answers (optimistic data); the first read waits for the answer and
 * throws the typed {@link RelayException} when it is not 2xx.
 */
public final class TcpTunnel implements TcpChannel {
    private final ClientStream stream;
    private final HttpFields request;
    private final String target;
    private final Route route;
    private final RelayAnswer response = new RelayAnswer();
    private final AtomicBoolean outputShut = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean inputEnded;
    private final InputStream in = new In();
    private final OutputStream out = new Out();

    TcpTunnel(ClientStream stream, HttpFields request, String target, Route route, Duration requestTimeout) {
        this.stream = stream;
        this.request = request;
        this.target = target;
        this.route = route;
        Thread.ofVirtual().name("tcp-tunnel-response-" + stream.streamId())
                .start(() -> response.read(stream, requestTimeout, "CONNECT", target, closed::get));
    }

    /** The request section that was sent (for -v). */
    public HttpFields requestHeaders() {
        return request;
    }

    /** The relay's 2xx answer, waiting for it; throws the typed failure otherwise. */
    public HttpFields awaitResponse() throws IOException {
        return response.await();
    }

    @Override
    public void awaitEstablished() throws IOException {
        awaitResponse();
    }

    /** The answer if it has arrived (success or failure headers are in the exception). */
    public Optional<HttpFields> response() {
        return Optional.ofNullable(response.successNow());
    }

    /** The failure, if the tunnel was refused or lost before it was established. */
    public Optional<IOException> failure() {
        return Optional.ofNullable(response.failureNow());
    }

    /** System.nanoTime() when the relay's answer arrived, or 0 (for timings such as -w's time_tunnel). */
    public long answeredAtNanos() {
        return response.answeredAtNanos();
    }

    /**
     * The local address of the connection to the relay that carries this tunnel (after a retry on a new connection,
     * that one's): what a load balancer in front of a fleet sees of it.
     */
    public java.net.InetSocketAddress localAddress() {
        return stream.connection().localAddress();
    }

    /** The QUIC stream of the CONNECT request (for logs). */
    public long streamId() {
        return stream.streamId();
    }

    @Override
    public InputStream inputStream() {
        return in;
    }

    @Override
    public OutputStream outputStream() {
        return out;
    }

    @Override
    public void shutdownOutput() throws IOException {
        if (outputShut.compareAndSet(false, true)) {
            stream.finish();
        }
    }

    @Override
    public Route route() {
        return route;
    }

    /** Ends both directions: FIN if not sent yet, and STOP_SENDING if the relay's side has not ended. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            shutdownOutput();
        } catch (IOException e) {
            stream.reset(H3.H3_REQUEST_CANCELLED);
        }
        if (!inputEnded) {
            stream.stopSending(H3.H3_REQUEST_CANCELLED);
        }
    }

    private IOException lost(IOException e) {
        if (closed.get()) {
            return e;
        }
        Optional<String> connectionEnded = connectionEnded();
        if (connectionEnded.isPresent()) {
            return new RelayException("the tunnel to " + target + " broke off: the connection to the relay ended ("
                    + connectionEnded.get() + "); new tunnels go to a new connection", e);
        }
        return new RelayException("the tunnel to " + target + " was reset (" + e.getMessage()
                + "): the target or the relay ended it abruptly", e);
    }

    /**
     * Why the connection to the relay ended, if it did: a stream can fail a moment before its connection reports the
     * end (quiche closes the stream channels first), so that moment is waited for, briefly, on this error path.
     */
    private Optional<String> connectionEnded() {
        java.util.concurrent.CompletableFuture<String> ended = new java.util.concurrent.CompletableFuture<>();
        stream.connection().onClose(ended::complete);
        try {
            return Optional.of(ended.get(1, java.util.concurrent.TimeUnit.SECONDS));
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return stream.connection().closeReason();
        }
    }

    private final class In extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            awaitResponse();
            try {
                int n = stream.body().read(b, off, len);
                if (n < 0) {
                    inputEnded = true;
                }
                return n;
            } catch (IOException e) {
                throw lost(e);
            }
        }

        @Override
        public void close() {
            TcpTunnel.this.close();
        }
    }

    private final class Out extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (response.failed()) {
                awaitResponse(); // throws the typed failure
            }
            try {
                stream.bodyOut().write(b, off, len);
            } catch (IOException e) {
                throw response.explainWriteFailure(lost(e));
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                stream.bodyOut().flush();
            } catch (IOException e) {
                throw response.explainWriteFailure(lost(e));
            }
        }

        /** Closing the output half-closes the tunnel (FIN), as {@link #shutdownOutput()}. */
        @Override
        public void close() throws IOException {
            shutdownOutput();
        }
    }
}
