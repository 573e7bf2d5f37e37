package org.masquerelay.engine.h2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import org.masquerelay.engine.ClientStream;
import org.masquerelay.engine.DatagramReceiver;
import org.masquerelay.engine.HttpConnection;
import org.masquerelay.wire.HttpFields;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One tunnel request of a client over HTTP/2 (Netty's child channel for the stream): HEADERS out, then DATA both
 * ways. Flow control is the backpressure in both directions: a write waits for the stream's window
 * ({@link Outbound}), and the relay's window is opened again only as the tunnel's reader takes bytes ({@link Inbound}
 * stops the channel reading above its high-water mark). HTTP/2 has no STOP_SENDING: once our side has ended, a
 * {@link #stopSending} is an RST_STREAM (CANCEL, or NO_ERROR for a graceful end).
 */
final class H2ClientStream extends ChannelInboundHandlerAdapter implements ClientStream {
    private final H2ClientConnection connection;
    private final CompletableFuture<HttpFields> response = new CompletableFuture<>();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicBoolean reset = new AtomicBoolean();
    private volatile Http2StreamChannel channel;
    private volatile Inbound inbound;
    private volatile Outbound outbound;

    H2ClientStream(H2ClientConnection connection) {
        this.connection = connection;
    }

    /** Once the child channel exists: sends the request's HEADERS (END_STREAM not set: the body is the tunnel). */
    void start(Http2StreamChannel channel, HttpFields request) throws IOException {
        this.channel = channel;
        this.inbound = new Inbound(channel);
        this.outbound = new Outbound(channel, DefaultHttp2DataFrame::new, "HTTP/2 stream", true);
        outbound.onClose(this::finish);
        Http2Headers headers = new DefaultHttp2Headers(false);
        for (HttpFields.Field field : request) {
            headers.add(field.name(), field.value());
        }
        var written = channel.writeAndFlush(new DefaultHttp2HeadersFrame(headers, false)).awaitUninterruptibly();
        if (!written.isSuccess()) {
            throw new IOException("cannot send the request on a new HTTP/2 stream: " + written.cause().getMessage(),
                    written.cause());
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof Http2HeadersFrame frame) {
                headers(frame);
            } else if (msg instanceof Http2DataFrame data) {
                inbound.data(data.content());
                if (data.isEndStream()) {
                    inbound.end();
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void headers(Http2HeadersFrame frame) {
        if (!response.isDone()) {
            CharSequence status = frame.headers().status();
            if (status != null && status.length() == 3 && status.charAt(0) == '1') {
                return; // interim (1xx): the answer is still to come
            }
            response.complete(H2StreamHandler.fields(frame.headers()));
        }
        if (frame.isEndStream()) {
            inbound.end();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof Http2ResetFrame frame) {
            ended("the relay reset HTTP/2 stream " + streamId() + " (" + describe(frame.errorCode()) + ")");
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (outbound != null) {
            outbound.wake();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        String reason = connection.closeReason().orElse("HTTP/2 stream " + streamId() + " closed");
        ended(reason);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ended("HTTP/2 stream " + streamId() + " failed: " + cause.getMessage());
        ctx.close();
    }

    /** Event loop: the stream is gone; whatever waits learns why (a clean END_STREAM already read stays clean). */
    private void ended(String why) {
        IOException e = new IOException(why);
        response.completeExceptionally(e);
        if (inbound != null) {
            inbound.fail(e);
        }
        if (outbound != null) {
            outbound.fail(e);
        }
    }

    private static String describe(long code) {
        var error = io.netty.handler.codec.http2.Http2Error.valueOf(code);
        return error == null ? "error code " + code : error.name();
    }

    @Override
    public HttpFields awaitResponse(Duration timeout) throws IOException {
        try {
            return response.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new SocketTimeoutException("no answer on HTTP/2 stream " + streamId() + " within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw (IOException) e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the relay's answer");
        }
    }

    @Override
    public HttpConnection connection() {
        return connection;
    }

    /** The HTTP/2 stream id (odd: opened by the client). */
    @Override
    public long streamId() {
        Http2StreamChannel c = channel;
        return c == null || c.stream() == null ? -1 : c.stream().id();
    }

    @Override
    public InputStream body() {
        return inbound;
    }

    @Override
    public OutputStream bodyOut() {
        return outbound;
    }

    /** END_STREAM: an empty DATA frame behind the bytes written before it. */
    @Override
    public void finish() throws IOException {
        if (finished.compareAndSet(false, true) && !reset.get()) {
            if (!channel.isActive()) {
                throw new IOException("HTTP/2 stream " + streamId() + " is closed");
            }
            outbound.finished();
            channel.writeAndFlush(new DefaultHttp2DataFrame(true));
        }
    }

    @Override
    public void reset(long h3ErrorCode) {
        if (reset.compareAndSet(false, true)) {
            IOException e = new IOException("HTTP/2 stream " + streamId() + " was reset by us");
            inbound.fail(e);
            outbound.fail(e);
            if (channel.isActive()) {
                channel.writeAndFlush(new DefaultHttp2ResetFrame(ErrorCodes.toHttp2(h3ErrorCode)));
            }
        }
    }

    /**
     * Our reader stops; once our side has ended, the stream is reset with the code (RST_STREAM is HTTP/2's only way
     * to tell the relay to stop sending). Before that, later bytes from the relay are dropped here.
     */
    @Override
    public void stopSending(long h3ErrorCode) {
        inbound.fail(new IOException("HTTP/2 stream " + streamId() + ": we stopped reading"));
        if (finished.get() && !inbound.ended()) {
            reset(h3ErrorCode);
        }
    }

    /** No HTTP Datagrams outside the stream over TCP: connect-udp uses DATAGRAM capsules in the body. */
    @Override
    public int maxDatagramPayload() {
        return 0;
    }

    @Override
    public boolean sendDatagram(long contextId, byte[] data, int offset, int length) {
        return false;
    }

    @Override
    public void receiveDatagrams(DatagramReceiver receiver) {
    }
}
