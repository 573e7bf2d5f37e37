package org.masquerelay.tools.apple.h2;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ReferenceCountUtil;
import org.masquerelay.engine.ClientStream;
import org.masquerelay.engine.H3ClientConnection;
import org.masquerelay.wire.HttpFields;

import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The client end of an HTTP/2 connection over TLS (Netty's codec), behind the engine's client interface so the Apple
 * profile runs the same flows over it as over HTTP/3: Apple's {@code HTTP2RelayURL}. Requests are streams of Netty's
 * multiplexer; {@link #peerSettings} gives the relay's HTTP/2 SETTINGS by id. There are no QUIC datagrams: a
 * connect-udp stream carries its HTTP Datagrams as DATAGRAM capsules ({@link H2ClientStream#sendDatagram}).
 */
public final class H2ClientConnection implements H3ClientConnection {
    /** SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441 §3): the relay accepts extended CONNECT (connect-udp). */
    public static final long SETTINGS_ENABLE_CONNECT_PROTOCOL = 0x8;

    private final EventLoopGroup group;
    private final Channel channel;
    private final Duration timeout;
    private final CompletableFuture<Map<Long, Long>> settings;
    private final CompletableFuture<String> closed;
    private final List<Consumer<String>> closeListeners = new CopyOnWriteArrayList<>();

    private H2ClientConnection(EventLoopGroup group, Channel channel, Duration timeout,
                               CompletableFuture<Map<Long, Long>> settings, CompletableFuture<String> closed) {
        this.group = group;
        this.channel = channel;
        this.timeout = timeout;
        this.settings = settings;
        this.closed = closed;
        closed.thenAccept(reason -> closeListeners.forEach(l -> l.accept(reason)));
    }

    /**
     * TCP, TLS 1.3 with ALPN h2 only, the server checked by {@code trust} for {@code host}, then the HTTP/2 preface.
     *
     * @throws IOException the connection refused or timed out, the handshake failed (the trust manager's reason in
     *                     the cause), or the relay did not select h2
     */
    public static H2ClientConnection connect(String host, int port, X509TrustManager trust, Duration timeout) throws IOException {
        SslContext tls = SslContextBuilder.forClient().trustManager(trust).protocols("TLSv1.3")
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2))
                .build();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        CompletableFuture<String> negotiated = new CompletableFuture<>();
        CompletableFuture<Map<Long, Long>> settings = new CompletableFuture<>();
        CompletableFuture<String> closed = new CompletableFuture<>();
        try {
            Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis())
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), host, port),
                                    new AlpnSwitch(negotiated, settings, closed));
                        }
                    }).connect(new InetSocketAddress(host, port)).sync().channel();
            String alpn = negotiated.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!ApplicationProtocolNames.HTTP_2.equals(alpn)) {
                channel.close();
                throw new IOException("the relay did not select ALPN h2 (" + (alpn == null ? "no ALPN" : alpn) + ")");
            }
            return new H2ClientConnection(group, channel, timeout, settings, closed);
        } catch (ExecutionException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IOException("TLS handshake failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IOException("no TLS handshake within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IOException("interrupted", e);
        } catch (IOException | RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        } catch (Exception e) { // Netty's sync() rethrows a connect failure (ConnectException) undeclared
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public ClientStream openRequest(HttpFields requestHeaders) throws IOException {
        if (!isOpen()) {
            throw new IOException("the connection to the relay is closed");
        }
        Http2Headers headers = new DefaultHttp2Headers();
        for (HttpFields.Field f : requestHeaders) {
            headers.add(f.name(), f.value());
        }
        boolean capsules = requestHeaders.contains(":protocol");
        H2ClientStream stream = new H2ClientStream(this, capsules, timeout);
        Http2StreamChannel child;
        try {
            child = new Http2StreamChannelBootstrap(channel).handler(stream.inbound()).open()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException("cannot open a stream: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException | InterruptedException e) {
            throw new IOException("cannot open a stream: " + e, e);
        }
        stream.start(child, headers);
        return stream;
    }

    @Override
    public Map<Long, Long> peerSettings(long waitMillis) {
        try {
            return settings.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        } catch (ExecutionException | TimeoutException e) {
            return Map.of();
        }
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
        closeListeners.add(listener);
        if (closed.isDone()) {
            listener.accept(closed.getNow("closed"));
        }
    }

    @Override
    public Optional<String> closeReason() {
        return Optional.ofNullable(closed.getNow(null));
    }

    /** GOAWAY (NO_ERROR for {@code H3_NO_ERROR}, else INTERNAL_ERROR), then the TCP connection closes. */
    @Override
    public void close(long h3ErrorCode, String reason) {
        if (channel.isActive()) {
            Http2Error error = h3ErrorCode == org.masquerelay.wire.H3.H3_NO_ERROR ? Http2Error.NO_ERROR : Http2Error.INTERNAL_ERROR;
            channel.writeAndFlush(new DefaultHttp2GoAwayFrame(error, Unpooled.copiedBuffer(reason, java.nio.charset.StandardCharsets.UTF_8)))
                    .addListener(f -> channel.close());
            channel.closeFuture().awaitUninterruptibly(timeout.toMillis());
        }
        channel.close().awaitUninterruptibly(timeout.toMillis());
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Override
    public boolean isOpen() {
        return channel.isActive() && !closed.isDone();
    }

    /**
     * Adds the HTTP/2 codec on the event loop once ALPN picked h2 (Netty's negotiation handler holds back what arrives
     * meanwhile, so the relay's SETTINGS are not lost), and never sends a preface to a listener without h2.
     */
    private static final class AlpnSwitch extends ApplicationProtocolNegotiationHandler {
        private final CompletableFuture<String> negotiated;
        private final CompletableFuture<Map<Long, Long>> settings;
        private final CompletableFuture<String> closed;

        AlpnSwitch(CompletableFuture<String> negotiated, CompletableFuture<Map<Long, Long>> settings, CompletableFuture<String> closed) {
            super("");
            this.negotiated = negotiated;
            this.settings = settings;
            this.closed = closed;
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                ctx.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                        new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()), new ConnectionEvents(settings, closed));
            }
            negotiated.complete(protocol.isEmpty() ? null : protocol);
        }

        @Override
        protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
            negotiated.completeExceptionally(cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            negotiated.completeExceptionally(new IOException("the relay closed the TCP connection during the TLS handshake"));
            closed.complete("the relay closed the TCP connection");
            super.channelInactive(ctx);
        }
    }

    /** The relay's first SETTINGS, by id; GOAWAY and the end of the connection, with a reason. */
    private static final class ConnectionEvents extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Map<Long, Long>> settings;
        private final CompletableFuture<String> closed;

        ConnectionEvents(CompletableFuture<Map<Long, Long>> settings, CompletableFuture<String> closed) {
            this.settings = settings;
            this.closed = closed;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2SettingsFrame frame) {
                    Http2Settings s = frame.settings();
                    Map<Long, Long> byId = new TreeMap<>();
                    s.forEach((id, value) -> byId.put((long) id, value));
                    settings.complete(byId);
                } else if (msg instanceof io.netty.handler.codec.http2.Http2GoAwayFrame goAway) {
                    closed.complete("GOAWAY " + Http2Error.valueOf(goAway.errorCode()) + " "
                            + goAway.content().toString(java.nio.charset.StandardCharsets.UTF_8));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            settings.complete(Map.of());
            closed.complete("the relay closed the TCP connection");
        }

        /** A reset connection or a TLS alert ends this connection; its streams see it, nothing is logged. */
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            closed.complete("connection failed: " + cause.getMessage());
            ctx.close();
        }
    }
}
