package org.masquerelay.engine.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import org.masquerelay.engine.DatagramReceiver;
import org.masquerelay.engine.HttpConnection;
import org.masquerelay.engine.ServerStream;
import org.masquerelay.engine.TcpSplicer;
import org.masquerelay.engine.h3.SocketSplicer;
import org.masquerelay.wire.HttpFields;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A request over TLS on TCP as the relay sees it ({@link ServerStream}): an HTTP/2 stream or the one request of an
 * HTTP/1.1 connection. The body is read through {@link Inbound}; writes wait while the channel is not writable (for
 * an HTTP/2 stream that includes its flow-control window), which is how a slow client holds back the target.
 * Subclasses say how a response, body bytes, the end and an abort look in their protocol.
 */
abstract class TlsStream implements ServerStream {
    /** A write that cannot complete in this time means the client stopped reading altogether. */
    private static final long WRITE_WAIT_SLICE_MILLIS = 100;

    protected final Channel channel;
    protected final TlsConnection connection;
    protected final Inbound inbound;
    private final long streamId;
    private final HttpFields request;
    private final AtomicBoolean responded = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicBoolean aborted = new AtomicBoolean();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Condition writable = writeLock.newCondition();
    private final OutputStream bodyOut = new BodyOut();
    private volatile IOException writeFailure;

    TlsStream(Channel channel, TlsConnection connection, long streamId, HttpFields request) {
        this.channel = channel;
        this.connection = connection;
        this.streamId = streamId;
        this.request = request;
        this.inbound = new Inbound(channel);
    }

    /**
     * Writes and flushes the response header section; {@code bodyLength}: the length of the body that follows when
     * known (-1 otherwise); {@code last}: nothing follows.
     */
    protected abstract ChannelFuture writeResponse(HttpFields responseHeaders, long bodyLength, boolean last);

    /** Writes and flushes body bytes (takes ownership of the buffer); {@code last}: they end our side. */
    protected abstract ChannelFuture writeBody(ByteBuf bytes, boolean last);

    /** Ends our sending side cleanly when no body write carried the end. */
    protected abstract void writeEnd();

    /** Aborts the exchange in both directions (RST_STREAM, or a TCP reset for HTTP/1.1). */
    protected abstract void writeAbort(long h3ErrorCode);

    /** Called once our side has ended and the client was asked to stop sending. */
    protected abstract void stopAfterFinish(long h3ErrorCode);

    @Override
    public HttpConnection connection() {
        return connection;
    }

    @Override
    public long streamId() {
        return streamId;
    }

    @Override
    public HttpFields requestHeaders() {
        return request;
    }

    @Override
    public InputStream body() {
        return inbound;
    }

    @Override
    public OutputStream bodyOut() {
        return bodyOut;
    }

    /**
     * No HTTP Datagrams outside the stream on TCP: connect-udp's DATAGRAM capsules travel in {@link #body()} and
     * {@link #bodyOut()}, where the relay's UDP tunnel reads and writes them (RFC 9297 §3.5).
     */
    @Override
    public int maxDatagramPayload() {
        return 0;
    }

    @Override
    public boolean sendDatagram(long contextId, byte[] data, int offset, int length) {
        return false;
    }

    /** Nothing arrives outside the stream on TCP. */
    @Override
    public void receiveDatagrams(DatagramReceiver receiver) {
    }

    /** Blocking connects and a virtual thread per direction, over {@link #body()} and {@link #bodyOut()}. */
    @Override
    public TcpSplicer tcp() {
        return new SocketSplicer(this);
    }

    @Override
    public void respond(HttpFields responseHeaders) throws IOException {
        if (!responded.compareAndSet(false, true)) {
            throw new IllegalStateException("response already sent on stream " + streamId);
        }
        await(writeResponse(responseHeaders, -1, false));
    }

    @Override
    public void respondAndFinish(HttpFields responseHeaders, byte[] body) throws IOException {
        if (!responded.compareAndSet(false, true)) {
            throw new IllegalStateException("response already sent on stream " + streamId);
        }
        finished.set(true);
        if (body.length == 0) {
            await(writeResponse(responseHeaders, 0, true));
        } else {
            writeResponse(responseHeaders, body.length, false);
            await(writeBody(Unpooled.wrappedBuffer(body), true));
        }
    }

    @Override
    public void finish() throws IOException {
        if (finished.compareAndSet(false, true) && !aborted.get()) {
            if (!channel.isActive()) {
                throw new IOException("stream " + streamId + " is closed");
            }
            writeEnd();
        }
    }

    @Override
    public void reset(long h3ErrorCode) {
        if (aborted.compareAndSet(false, true)) {
            inbound.fail(new IOException("stream " + streamId + " was reset by the relay"));
            writeAbort(h3ErrorCode);
            wakeWriters();
        }
    }

    /**
     * HTTP/2 and HTTP/1.1 have no STOP_SENDING. Once our side has ended, the stream is aborted with the code
     * (RST_STREAM NO_ERROR after a complete response is how RFC 9113 §8.1 tells a client to stop sending); before that,
     * our reader stops and whatever else the client sends is discarded.
     */
    @Override
    public void stopSending(long h3ErrorCode) {
        inbound.fail(new IOException("stream " + streamId + ": the relay stopped reading"));
        if (finished.get() && aborted.compareAndSet(false, true)) {
            stopAfterFinish(h3ErrorCode);
            wakeWriters();
        }
    }

    boolean responded() {
        return responded.get();
    }

    boolean finished() {
        return finished.get();
    }

    boolean aborted() {
        return aborted.get();
    }

    /** Event loop: the channel's writability or life changed. */
    void wakeWriters() {
        writeLock.lock();
        try {
            writable.signalAll();
        } finally {
            writeLock.unlock();
        }
    }

    /** Event loop: the channel is gone (stream closed or reset, connection closed). */
    void closed(String why) {
        inbound.fail(new IOException(why));
        if (writeFailure == null) {
            writeFailure = new IOException(why);
        }
        wakeWriters();
    }

    private static void await(ChannelFuture write) throws IOException {
        write.awaitUninterruptibly();
        if (!write.isSuccess()) {
            throw new IOException("write failed: " + write.cause(), write.cause());
        }
    }

    private final class BodyOut extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (length == 0) {
                return;
            }
            waitWritable();
            ByteBuf copy = Unpooled.copiedBuffer(bytes, offset, length);
            ChannelFuture write = writeBody(copy, false);
            write.addListener(f -> {
                if (!f.isSuccess() && writeFailure == null) {
                    writeFailure = new IOException("stream " + streamId + ": " + f.cause(), f.cause());
                    wakeWriters();
                }
            });
        }

        private void waitWritable() throws IOException {
            writeLock.lock();
            try {
                while (true) {
                    if (writeFailure != null) {
                        throw writeFailure;
                    }
                    if (aborted.get() || finished.get()) {
                        throw new IOException("stream " + streamId + " has ended");
                    }
                    if (!channel.isActive()) {
                        throw new IOException("stream " + streamId + " is closed");
                    }
                    if (channel.isWritable()) {
                        return;
                    }
                    // Signalled on writability changes; the slice only guards against a lost signal.
                    writable.await(WRITE_WAIT_SLICE_MILLIS, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting to write on stream " + streamId);
            } finally {
                writeLock.unlock();
            }
        }

        @Override
        public void close() throws IOException {
            finish();
        }
    }
}
