package org.masquerelay.engine.quiche;

import org.masquerelay.engine.h3.ClientRequestStream;

import io.netty.channel.Channel;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.util.concurrent.Future;
import org.masquerelay.engine.ClientStream;
import org.masquerelay.engine.ClientConnection;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.HttpFields;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The client end of an HTTP/3 connection on quiche: it opens request streams; the relay may open none. */
final class QuicheClientConnection extends QuicheConnection implements ClientConnection {
    static final int MAX_FIELD_SECTION_SIZE = 64 * 1024;
    static final long MAX_DATA_FRAME_SIZE = 16 * 1024 * 1024;

    private final Channel udp;
    private final Duration timeout;
    private final Object streamCredit = new Object();

    QuicheClientConnection(QuicChannel quic, Channel udp, Duration timeout) {
        super(quic, MAX_FIELD_SECTION_SIZE, MAX_DATA_FRAME_SIZE, DEFAULT_PENDING_DATAGRAMS);
        this.udp = udp;
        this.timeout = timeout;
        // Each client connection has its own UDP socket: it goes with the connection.
        quic.closeFuture().addListener(f -> udp.close());
    }

    @Override
    void bidirectionalStreamOpened(StreamBridge bridge) {
        // RFC 9114 §6.1: a server must not open bidirectional streams.
        bridge.channel().shutdownInput((int) H3.H3_STREAM_CREATION_ERROR);
        bridge.channel().shutdownOutput((int) H3.H3_STREAM_CREATION_ERROR);
    }

    /** The client end: the relay's GOAWAY is kept (acceptsNewStreams, onGoAway). */
    @Override
    protected boolean isClient() {
        return true;
    }

    @Override
    public ClientStream openRequest(HttpFields requestHeaders) throws IOException {
        checkAcceptsNewRequests();
        if (!isOpen()) {
            throw new IOException("the connection to the relay is closed" + (closeDetail() == null ? "" : ": " + closeDetail()));
        }
        awaitStreamCredit();
        StreamBridge[] holder = new StreamBridge[1];
        Future<QuicStreamChannel> created = quic.newStreamBootstrap()
                .type(QuicStreamType.BIDIRECTIONAL)
                .handler(new io.netty.channel.ChannelInitializer<QuicStreamChannel>() {
                    @Override
                    protected void initChannel(QuicStreamChannel stream) {
                        holder[0] = new StreamBridge(stream);
                        stream.pipeline().addLast(holder[0]);
                    }
                })
                .create();
        try {
            if (!created.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException("cannot open a request stream within " + timeout.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while opening a request stream");
        }
        if (!created.isSuccess()) {
            throw new IOException("cannot open a request stream: " + created.cause(), created.cause());
        }
        ClientRequestStream stream = new ClientRequestStream(holder[0], this, qpack, maxFieldSectionSize, maxDataFrameSize, this::closeDetail);
        stream.sendRequest(requestHeaders);
        return stream;
    }

    /**
     * Waits, up to the timeout, until the relay allows one more request stream: quiche refuses to open a stream past
     * the peer's MAX_STREAMS at once, while a relay returns credit only as earlier streams finish (Kwik's client
     * waits the same way).
     */
    private void awaitStreamCredit() throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        // The event loop is asked outside the monitor: it takes the monitor itself (streamLimitChanged, also when the
        // connection ends), and one event loop serves every connection of the JVM -- asking it while holding the
        // monitor stalled all of them for the request timeout when a relay went away (the fleet lab's relay kill).
        while (streamsAllowed() == 0) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (!isOpen()) {
                throw new IOException("the connection to the relay is closed" + (closeDetail() == null ? "" : ": " + closeDetail()));
            }
            if (left <= 0) {
                throw new IOException("the relay allowed no further request stream within " + timeout.toMillis() + " ms");
            }
            synchronized (streamCredit) {
                try {
                    streamCredit.wait(Math.min(left, 100)); // also polled: a limit change may come before we wait
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for the relay to allow a request stream");
                }
            }
        }
    }

    /** quiche's connection is the event loop's alone: asked there. */
    private long streamsAllowed() throws IOException {
        try {
            return quic.eventLoop().submit(() -> quic.peerAllowedStreams(QuicStreamType.BIDIRECTIONAL)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while opening a request stream");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                 | java.util.concurrent.RejectedExecutionException e) {
            throw new IOException("cannot open a request stream: " + e, e);
        }
    }

    @Override
    void streamLimitChanged() {
        synchronized (streamCredit) {
            streamCredit.notifyAll();
        }
    }

    @Override
    public void sendControlFrame(long type, byte[] payload) throws IOException {
        writeControl(org.masquerelay.wire.FrameWriter.encodeFrame(type, payload, 0, payload.length));
    }

    /** The client's own UDP socket: its port is what a load balancer sees of this connection. */
    @Override
    public java.net.InetSocketAddress localAddress() {
        return (java.net.InetSocketAddress) udp.localAddress();
    }

    Channel udp() {
        return udp;
    }
}
