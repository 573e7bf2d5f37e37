package org.masquerelay.engine.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandler;
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
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One tunnel over HTTP/1.1, on a TLS connection of its own: a classic CONNECT becomes {@code CONNECT host:port}
 * (RFC 9110 §9.3.6), connect-udp becomes {@code GET path} with {@code Upgrade: connect-udp} (RFC 9298 §3.2), written
 * and answered through Netty's HTTP/1.1 client codec. After a 2xx (or the 101) the connection carries the tunnel's
 * bytes as they are: the codec's decoder passes them on and its encoder leaves the pipeline. Unlike HTTP/2 and
 * HTTP/3, no byte goes before the answer — the relay would read it as the next request. Our end of the tunnel is a TLS
 * close_notify (the relay's last bytes can still arrive), an abort a TCP reset.
 */
final class H1ClientStream extends ChannelInboundHandlerAdapter implements ClientStream {
    private final Channel channel;
    private final H1ClientConnection connection;
    private final boolean upgradeUdp;
    private final HttpClientCodec codec = new HttpClientCodec();
    private final CompletableFuture<HttpFields> response = new CompletableFuture<>();
    private final Inbound inbound;
    private final Outbound outbound;
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile boolean established;
    /** The relay ended its side (close_notify or FIN). */
    private volatile boolean relayEnded;

    private H1ClientStream(Channel channel, H1ClientConnection connection, boolean upgradeUdp) {
        this.channel = channel;
        this.connection = connection;
        this.upgradeUdp = upgradeUdp;
        this.inbound = new Inbound(channel);
        this.outbound = new Outbound(channel, bytes -> bytes, "HTTP/1.1 tunnel", false);
        outbound.onClose(this::finish);
    }

    /** Installs the codec on a fresh TLS connection and sends the request, written in HTTP/1.1's terms. */
    static H1ClientStream start(Channel channel, H1ClientConnection connection, HttpFields request) throws IOException {
        boolean upgradeUdp = "connect-udp".equals(request.getOrNull(":protocol"));
        H1ClientStream stream = new H1ClientStream(channel, connection, upgradeUdp);
        FullHttpRequest http1 = upgradeUdp
                ? new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, request.getOrNull(":path"), Unpooled.EMPTY_BUFFER)
                : new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.CONNECT, request.getOrNull(":authority"), Unpooled.EMPTY_BUFFER);
        http1.headers().set("host", request.getOrNull(":authority"));
        if (upgradeUdp) {
            http1.headers().set("connection", "Upgrade").set("upgrade", "connect-udp");
        }
        for (HttpFields.Field field : request) {
            if (!field.isPseudo()) {
                http1.headers().add(field.name(), field.value());
            }
        }
        channel.pipeline().addLast(stream.codec, stream);
        var written = channel.writeAndFlush(http1).awaitUninterruptibly();
        if (!written.isSuccess()) {
            channel.close();
            throw new IOException("cannot send the HTTP/1.1 request to the relay: " + written.cause().getMessage(), written.cause());
        }
        return stream;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpResponse answer && !response.isDone()) {
                answer(answer);
            } else if (msg instanceof ByteBuf bytes && established) {
                inbound.data(bytes);
            }
            // Anything else: the body of a refusal (its status and Proxy-Status say it all), or the codec's empty end.
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void answer(HttpResponse answer) {
        int status = answer.status().code();
        if (status / 100 == 1 && status != 101) {
            return; // interim
        }
        boolean success = upgradeUdp ? status == 101 : status / 100 == 2;
        // In HTTP/2's terms, as the relay client reads every answer: an accepted upgrade is the tunnel's 2xx.
        HttpFields.Builder fields = HttpFields.builder().add(":status", success ? "200" : Integer.toString(status));
        for (Map.Entry<String, String> field : answer.headers()) {
            fields.add(field.getKey().toLowerCase(Locale.ROOT), field.getValue());
        }
        if (success) {
            established = true;
            // From here on raw bytes: the decoder passes them through, the encoder goes.
            codec.removeOutboundHandler();
            outbound.open();
        } else {
            outbound.fail(new IOException("the relay refused the tunnel (" + status + ")"));
        }
        response.complete(fields.build());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if ((event instanceof SslCloseCompletionEvent || event instanceof ChannelInputShutdownEvent) && established) {
            inbound.end();
            relayEnded = true;
            closeWhenBothEnded();
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        outbound.wake();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        IOException closed = new IOException("the relay closed the HTTP/1.1 connection");
        response.completeExceptionally(closed);
        if (established) {
            inbound.end(); // a reset was reported first, by exceptionCaught
        } else {
            inbound.fail(closed);
        }
        outbound.fail(closed);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        IOException failed = new IOException("the HTTP/1.1 connection to the relay failed: " + cause.getMessage(), cause);
        response.completeExceptionally(failed);
        inbound.fail(failed);
        outbound.fail(failed);
        ctx.close();
    }

    @Override
    public HttpFields awaitResponse(Duration timeout) throws IOException {
        try {
            return response.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new SocketTimeoutException("no HTTP/1.1 answer from the relay within " + timeout.toMillis() + " ms");
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

    /** One tunnel per connection: the connection's only request. */
    @Override
    public long streamId() {
        return 1;
    }

    @Override
    public InputStream body() {
        return inbound;
    }

    @Override
    public OutputStream bodyOut() {
        return outbound;
    }

    /**
     * TLS close_notify once the tunnel is established (bytes written before it go first: both are queued on the
     * event loop in order); asked before the answer, it waits for it, as the bytes do.
     */
    @Override
    public void finish() throws IOException {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        outbound.finished();
        response.whenComplete((fields, failure) -> {
            if (failure == null && established) {
                SslHandler ssl = channel.pipeline().get(SslHandler.class);
                channel.eventLoop().execute(() -> {
                    if (ssl != null && channel.isActive()) {
                        ssl.closeOutbound();
                    }
                    closeWhenBothEnded();
                });
            }
        });
    }

    /**
     * Event loop: both sides have ended, so the connection has nothing left to carry (the relay's last bytes are in
     * {@link Inbound} already) and is closed rather than left for the relay to close.
     */
    private void closeWhenBothEnded() {
        if (relayEnded && finished.get() && channel.isOpen()) {
            channel.close();
        }
    }

    /** A TCP reset: HTTP/1.1's only abort. */
    @Override
    public void reset(long h3ErrorCode) {
        IOException e = new IOException("the HTTP/1.1 tunnel was aborted by us");
        inbound.fail(e);
        outbound.fail(e);
        channel.eventLoop().execute(() -> {
            if (channel.isOpen()) {
                channel.config().setOption(ChannelOption.SO_LINGER, 0);
                channel.close();
            }
        });
    }

    /** Our reader stops; once both sides are done with it, the connection ends. */
    @Override
    public void stopSending(long h3ErrorCode) {
        boolean endedCleanly = inbound.ended();
        inbound.fail(new IOException("HTTP/1.1 tunnel: we stopped reading"));
        if (finished.get() || endedCleanly || !established) {
            channel.close();
        }
    }

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
