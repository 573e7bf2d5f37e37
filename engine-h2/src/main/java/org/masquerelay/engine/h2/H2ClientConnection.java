package org.masquerelay.engine.h2;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import org.masquerelay.engine.ClientStream;
import org.masquerelay.wire.HttpFields;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A client's HTTP/2 connection to a relay (Netty's frame codec, a child channel per stream): every tunnel of this
 * client to that relay is a stream of this one TCP+TLS connection. Extended CONNECT (connect-udp) is only sent once
 * the relay's SETTINGS allowed it (RFC 8441 §3); after the relay's GOAWAY no new stream is opened here, so the caller
 * makes a new connection for its next tunnel.
 */
final class H2ClientConnection extends ChannelInboundHandlerAdapter implements TlsClientConnection {
    /** SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441 §3). */
    static final long ENABLE_CONNECT_PROTOCOL = 0x8;
    /** HTTP/2's default connection window (RFC 9113 §6.9.2), raised at once like the relay's. */
    private static final int DEFAULT_WINDOW = 65_535;
    private static final int CONNECTION_WINDOW = 16 * 1024 * 1024;
    private static final int STREAM_WINDOW = 1024 * 1024;

    private final Channel channel;
    private final Duration timeout;
    private final CompletableFuture<Map<Long, Long>> settings = new CompletableFuture<>();
    private volatile String closeReason;
    private volatile boolean goAway;

    private H2ClientConnection(Channel channel, Duration timeout) {
        this.channel = channel;
        this.timeout = timeout;
        channel.closeFuture().addListener(f -> {
            if (closeReason == null) {
                closeReason = "the HTTP/2 connection to the relay closed";
            }
            settings.complete(Map.of());
        });
    }

    /** Event loop, once ALPN chose h2: Netty's HTTP/2 codec and stream multiplexer, then our connection frames. */
    static H2ClientConnection install(Channel channel, Duration timeout) {
        H2ClientConnection connection = new H2ClientConnection(channel, timeout);
        channel.pipeline().addLast(
                ConnectAnswerReader.codec(Http2Settings.defaultSettings().initialWindowSize(STREAM_WINDOW).pushEnabled(false)),
                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()),
                connection);
        channel.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - DEFAULT_WINDOW));
        return connection;
    }

    /** The relay's SETTINGS (what a live relay sends first), or the connection's end, within the timeout. */
    void awaitSettings() throws IOException {
        try {
            settings.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            channel.close();
            throw new IOException("no HTTP/2 SETTINGS from the relay within " + timeout.toMillis() + " ms");
        } catch (ExecutionException | InterruptedException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (!channel.isActive()) {
            throw new IOException(closeReason + " before its SETTINGS arrived (a client certificate refused?)");
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof Http2SettingsFrame frame && !settings.isDone()) {
                Map<Long, Long> values = new TreeMap<>();
                frame.settings().forEach((id, value) -> values.put((long) (char) id, value));
                settings.complete(Map.copyOf(values));
            } else if (msg instanceof Http2GoAwayFrame frame) {
                goAway = true;
                closeReason = "the relay sent GOAWAY (" + frame.errorCode() + ", last stream " + frame.lastStreamId() + ")";
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closeReason == null) {
            closeReason = "the HTTP/2 connection to the relay failed: " + cause.getMessage();
        }
        ctx.close();
    }

    @Override
    public ClientStream openRequest(HttpFields request) throws IOException {
        if (goAway || !channel.isActive()) {
            throw new IOException(closeReason != null ? closeReason : "the HTTP/2 connection to the relay is closed");
        }
        if (request.contains(":protocol") && peerSettings(0).getOrDefault(ENABLE_CONNECT_PROTOCOL, 0L) != 1L) {
            throw new IOException("the relay's HTTP/2 SETTINGS do not enable extended CONNECT"
                    + " (SETTINGS_ENABLE_CONNECT_PROTOCOL, RFC 8441): it cannot take connect-udp over HTTP/2");
        }
        H2ClientStream stream = new H2ClientStream(this);
        Future<Http2StreamChannel> opening = new Http2StreamChannelBootstrap(channel).handler(stream).open();
        if (!opening.awaitUninterruptibly(timeout.toMillis()) || !opening.isSuccess()) {
            throw new IOException("cannot open an HTTP/2 stream to the relay: "
                    + (opening.cause() == null ? "no answer" : opening.cause().getMessage()), opening.cause());
        }
        stream.start(opening.getNow(), request);
        return stream;
    }

    @Override
    public Map<Long, Long> peerSettings(long waitMillis) {
        try {
            return settings.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }

    @Override
    public String protocol() {
        return "h2";
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) channel.remoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public boolean datagramsEnabled() {
        return false;
    }

    @Override
    public int maxDatagramSize() {
        return 0;
    }

    @Override
    public void onClose(Consumer<String> listener) {
        channel.closeFuture().addListener(f -> listener.accept(closeReason));
    }

    /** Netty's codec sends GOAWAY as the connection closes. */
    @Override
    public void close(long h3ErrorCode, String reason) {
        if (closeReason == null) {
            closeReason = "closed by the client: " + reason;
        }
        channel.close();
    }

    /** Open, and no GOAWAY from the relay: new tunnels may go here. */
    @Override
    public boolean isOpen() {
        return channel.isActive() && !goAway;
    }

    @Override
    public Optional<String> closeReason() {
        return channel.isActive() && !goAway ? Optional.empty() : Optional.ofNullable(closeReason);
    }
}
