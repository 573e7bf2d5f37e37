package org.masquerelay.tools.apple.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import org.masquerelay.engine.ClientStream;
import org.masquerelay.engine.DatagramReceiver;
import org.masquerelay.engine.H3Connection;
import org.masquerelay.wire.Capsule;
import org.masquerelay.wire.CapsuleReader;
import org.masquerelay.wire.CapsuleWriter;
import org.masquerelay.wire.HttpFields;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One request stream of an {@link H2ClientConnection}: HEADERS sent at once, DATA may follow before the response
 * (optimistic data), the body read as a blocking stream. Back-pressure both ways: a write waits until the frame went
 * out (HTTP/2 flow control holds it until the relay's window allows), and reading stops (so the window closes)
 * while more than {@link #HIGH_WATER} bytes wait for the reader. A connect-udp stream sends and receives its HTTP
 * Datagrams as DATAGRAM capsules on the stream (RFC 9297 §3.5).
 */
final class H2ClientStream implements ClientStream {
    private static final int HIGH_WATER = 1 << 20;
    private static final int MAX_FRAME = 16 * 1024;
    private static final byte[] EOF = new byte[0];
    private final H2ClientConnection connection;
    private final boolean capsules;
    private final Duration timeout;
    private final CompletableFuture<HttpFields> response = new CompletableFuture<>();
    private final BlockingQueue<Object> chunks = new LinkedBlockingQueue<>();
    private final AtomicLong buffered = new AtomicLong();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicBoolean reset = new AtomicBoolean();
    private final InputStream in = new In();
    private final OutputStream out = new Out();
    private volatile Http2StreamChannel channel;
    private volatile boolean receiving;

    H2ClientStream(H2ClientConnection connection, boolean capsules, Duration timeout) {
        this.connection = connection;
        this.capsules = capsules;
        this.timeout = timeout;
    }

    ChannelInboundHandlerAdapter inbound() {
        return new Inbound();
    }

    void start(Http2StreamChannel child, Http2Headers headers) throws IOException {
        this.channel = child;
        await(child.writeAndFlush(new DefaultHttp2HeadersFrame(headers, false)), "send the request HEADERS");
    }

    @Override
    public HttpFields awaitResponse(Duration wait) throws IOException {
        try {
            return response.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new SocketTimeoutException("no response within " + wait.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public H3Connection connection() {
        return connection;
    }

    @Override
    public long streamId() {
        return channel.stream().id();
    }

    @Override
    public InputStream body() {
        return in;
    }

    @Override
    public OutputStream bodyOut() {
        return out;
    }

    @Override
    public void finish() throws IOException {
        if (finished.compareAndSet(false, true) && !reset.get()) {
            await(channel.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true)), "send END_STREAM");
        }
    }

    /** RST_STREAM CANCEL: HTTP/2 has one way to abandon a stream, whatever the HTTP/3 code asked for. */
    @Override
    public void reset(long h3ErrorCode) {
        if (reset.compareAndSet(false, true) && channel.isActive()) {
            channel.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL));
        }
    }

    /** HTTP/2 has no STOP_SENDING: the stream is reset. */
    @Override
    public void stopSending(long h3ErrorCode) {
        reset(h3ErrorCode);
    }

    @Override
    public int maxDatagramPayload() {
        return 0;
    }

    /** A DATAGRAM capsule on the stream, written without waiting (UDP semantics: false only when it cannot go). */
    @Override
    public boolean sendDatagram(long contextId, byte[] data, int offset, int length) {
        if (!capsules || reset.get() || finished.get() || !channel.isActive()) {
            return false;
        }
        channel.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(CapsuleWriter.datagramCapsule(contextId, data, offset, length))));
        return true;
    }

    /** Reads the stream's DATAGRAM capsules on a thread of its own and hands each value to {@code receiver}. */
    @Override
    public void receiveDatagrams(DatagramReceiver receiver) {
        if (receiver == null || !capsules) {
            receiving = false;
            return;
        }
        receiving = true;
        Thread.startVirtualThread(() -> {
            CapsuleReader reader = new CapsuleReader(in, 64 * 1024);
            try {
                for (Capsule c; receiving && (c = reader.read()) != null; ) {
                    if (c.type() == 0 && receiving) {
                        receiver.datagram(c.value(), 0, c.value().length);
                    }
                }
            } catch (IOException e) {
                // The stream ended or was reset: no more datagrams, as when a QUIC stream ends.
            }
        });
    }

    private void await(ChannelFuture write, String what) throws IOException {
        try {
            if (!write.await(Math.max(timeout.toMillis(), 30_000))) {
                throw new SocketTimeoutException("could not " + what + " within the timeout (flow control?)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (!write.isSuccess()) {
            throw new IOException("could not " + what + ": " + write.cause(), write.cause());
        }
    }

    private final class Inbound extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame frame) {
                    CharSequence status = frame.headers().status();
                    if (!response.isDone() && status != null && status.charAt(0) != '1') {
                        HttpFields.Builder fields = HttpFields.builder();
                        for (Map.Entry<CharSequence, CharSequence> h : frame.headers()) {
                            fields.add(h.getKey().toString(), h.getValue().toString());
                        }
                        response.complete(fields.build());
                    }
                    if (frame.isEndStream()) {
                        chunks.add(EOF);
                    }
                } else if (msg instanceof Http2DataFrame frame) {
                    ByteBuf content = frame.content();
                    if (content.isReadable()) {
                        byte[] bytes = new byte[content.readableBytes()];
                        content.readBytes(bytes);
                        chunks.add(bytes);
                        if (buffered.addAndGet(bytes.length) > HIGH_WATER) {
                            ctx.channel().config().setAutoRead(false);
                        }
                    }
                    if (frame.isEndStream()) {
                        chunks.add(EOF);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof Http2ResetFrame r) {
                fail(new IOException("stream reset by the relay (RST_STREAM " + Http2Error.valueOf(r.errorCode()) + ")"));
            }
            ReferenceCountUtil.release(event);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            fail(new IOException(connection.isOpen() ? "the stream closed before its end"
                    : "the connection closed: " + connection.closeReason().orElse("")));
        }

        private void fail(IOException e) {
            response.completeExceptionally(e);
            chunks.add(e);
        }
    }

    private final class In extends InputStream {
        private byte[] current = EOF;
        private int position;
        private boolean eof;
        private IOException failure;

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
                if (failure != null) {
                    throw failure;
                }
                Object next;
                try {
                    next = chunks.poll(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
                if (next == null) {
                    throw new SocketTimeoutException("nothing from the relay within 60 s");
                }
                if (next instanceof IOException e) {
                    failure = e;
                    continue;
                }
                if (next == EOF) {
                    eof = true;
                    continue;
                }
                current = (byte[]) next;
                position = 0;
                if (buffered.addAndGet(-current.length) <= HIGH_WATER / 2 && !channel.config().isAutoRead()) {
                    channel.config().setAutoRead(true);
                }
            }
            int n = Math.min(len, current.length - position);
            System.arraycopy(current, position, b, off, n);
            position += n;
            return n;
        }
    }

    private final class Out extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            if (finished.get() || reset.get()) {
                throw new IOException("the stream's sending side has ended");
            }
            ChannelFuture last = null;
            for (int at = off; at < off + len; at += MAX_FRAME) {
                int n = Math.min(MAX_FRAME, off + len - at);
                last = channel.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer(b, at, n)));
            }
            if (last != null) {
                await(last, "send DATA");
            }
        }

        @Override
        public void close() throws IOException {
            finish();
        }
    }
}
