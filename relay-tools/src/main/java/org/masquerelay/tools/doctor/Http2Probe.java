package org.masquerelay.tools.doctor;

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
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.util.ReferenceCountUtil;
import org.masquerelay.wire.CapsuleWriter;
import org.masquerelay.wire.UdpPayload;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The relay's TCP listener as Apple's client uses its {@code HTTP2RelayURL}: TLS with ALPN h2 to the same host and
 * port, then classic CONNECT over HTTP/2 (RFC 9113 §8.5) with optimistic data, and connect-udp by extended CONNECT. Netty's HTTP/2 client, because the
 * JDK's cannot send a CONNECT without :scheme and :path.
 */
final class Http2Probe implements AutoCloseable {
    /** {@code SETTINGS_ENABLE_CONNECT_PROTOCOL} (RFC 8441 §3): needed for connect-udp over HTTP/2. */
    static final char SETTINGS_ENABLE_CONNECT_PROTOCOL = 0x8;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final CompletableFuture<Http2Settings> settings = new CompletableFuture<>();
    private final Duration timeout;
    private Channel connection;

    /**
     * What a CONNECT got: a status (with Proxy-Status and capsule-protocol), or the reason there was none; the first
     * bytes back through the tunnel.
     */
    record Answer(Integer status, String proxyStatus, String capsuleProtocol, String failure, Optional<byte[]> firstBytes) {
    }

    Http2Probe(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * Connects and completes the TLS handshake; returns the negotiated ALPN protocol (null when none).
     *
     * @throws Exception a refused connection, a TLS failure or a timeout, with its cause
     */
    String connect(String host, int port, X509Certificate root) throws Exception {
        SslContext tls = SslContextBuilder.forClient().trustManager(root == null ? null : new X509Certificate[] {root})
                .endpointIdentificationAlgorithm("HTTPS")
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2))
                .build();
        CompletableFuture<String> negotiated = new CompletableFuture<>();
        connection = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc(), host, port), new AlpnSwitch(negotiated));
                    }
                }).connect(new InetSocketAddress(host, port)).sync().channel();
        String alpn;
        try {
            alpn = negotiated.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        return alpn;
    }

    /** The relay's first SETTINGS, or empty when none came in time. */
    Optional<Http2Settings> settings() {
        try {
            return Optional.of(settings.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException | TimeoutException e) {
            return Optional.empty();
        }
    }

    /** Classic CONNECT to {@code authority} as Apple sends it, optimistic data right behind the HEADERS. */
    Answer connectTcp(String authority, Map<String, String> extraHeaders, byte[] optimisticData) {
        Http2Headers request = new DefaultHttp2Headers().method("CONNECT").authority(authority).add("priority", "i");
        extraHeaders.forEach(request::add);
        return exchange(request, optimisticData, Duration.ofSeconds(1));
    }

    /**
     * connect-udp by extended CONNECT (RFC 8441 §4, RFC 9298 §3.4) to the default template, as Apple's client sends it
     * over HTTP/2, with one UDP payload in a DATAGRAM capsule (RFC 9297 §3.5) right behind the HEADERS: UDP has no
     * other way over HTTP/2.
     */
    Answer connectUdp(String relayAuthority, String targetHost, int targetPort, Map<String, String> extraHeaders, byte[] udpPayload) {
        String host = targetHost.contains(":") ? targetHost.replace(":", "%3A") : targetHost;
        Http2Headers request = new DefaultHttp2Headers().method("CONNECT").authority(relayAuthority).scheme("https")
                .path("/.well-known/masque/udp/" + host + "/" + targetPort + "/").add("capsule-protocol", "?1");
        request.set(Http2Headers.PseudoHeaderName.PROTOCOL.value(), "connect-udp");
        extraHeaders.forEach(request::add);
        return exchange(request, CapsuleWriter.datagramCapsule(UdpPayload.CONTEXT_UDP, udpPayload, 0, udpPayload.length),
                Duration.ofSeconds(2));
    }

    /** Opens a stream, sends the request and its first DATA, and waits for the response and the first DATA back. */
    private Answer exchange(Http2Headers request, byte[] firstData, Duration waitForData) {
        StreamCatcher stream = new StreamCatcher();
        Http2StreamChannel channel;
        try {
            channel = new Http2StreamChannelBootstrap(connection).handler(stream).open().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            channel.write(new DefaultHttp2HeadersFrame(request, false));
            channel.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(firstData), false));
        } catch (Exception e) {
            return new Answer(null, null, null, "cannot open a stream: " + e, Optional.empty());
        }
        try {
            Http2Headers response = stream.response.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            int status = Integer.parseInt(String.valueOf(response.status()));
            Optional<byte[]> first = Optional.empty();
            if (status >= 200 && status < 300) {
                try {
                    first = Optional.of(stream.firstData.get(waitForData.toMillis(), TimeUnit.MILLISECONDS));
                } catch (TimeoutException | ExecutionException quiet) {
                    // The target sent nothing in time, or ended: the tunnel was still opened.
                }
            }
            return new Answer(status, text(response.get("proxy-status")), text(response.get("capsule-protocol")), null, first);
        } catch (TimeoutException e) {
            return new Answer(null, null, null, "no response within " + timeout.toSeconds() + " s", Optional.empty());
        } catch (ExecutionException e) {
            return new Answer(null, null, null, e.getCause().getMessage(), Optional.empty());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(null, null, null, "interrupted", Optional.empty());
        } finally {
            // Closing a child channel that is still open resets its stream (CANCEL), as Apple's client does.
            channel.close();
        }
    }

    private static String text(CharSequence value) {
        return value == null ? null : value.toString();
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close().awaitUninterruptibly(timeout.toMillis());
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(timeout.toMillis());
    }

    /**
     * Adds the HTTP/2 codec on the event loop once ALPN picked h2 (Netty's negotiation handler holds back what arrives
     * meanwhile, so the relay's SETTINGS are not lost), and never sends a preface to a listener without h2.
     */
    private final class AlpnSwitch extends ApplicationProtocolNegotiationHandler {
        private final CompletableFuture<String> negotiated;

        AlpnSwitch(CompletableFuture<String> negotiated) {
            super("");
            this.negotiated = negotiated;
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                ctx.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                        new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()), new SettingsCatcher());
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
            negotiated.completeExceptionally(new java.io.IOException("the relay closed the TCP connection during the TLS handshake"));
            super.channelInactive(ctx);
        }
    }

    private final class SettingsCatcher extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2SettingsFrame frame) {
                settings.complete(frame.settings());
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            settings.completeExceptionally(new IllegalStateException("connection closed"));
        }
    }

    private static final class StreamCatcher extends ChannelInboundHandlerAdapter {
        final CompletableFuture<Http2Headers> response = new CompletableFuture<>();
        final CompletableFuture<byte[]> firstData = new CompletableFuture<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame headers && !response.isDone()) {
                    response.complete(headers.headers());
                } else if (msg instanceof Http2DataFrame data && data.content().isReadable()) {
                    byte[] bytes = new byte[data.content().readableBytes()];
                    data.content().readBytes(bytes);
                    firstData.complete(bytes);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof Http2ResetFrame reset) {
                IllegalStateException e = new IllegalStateException("stream reset (RST_STREAM " + reset.errorCode() + ")");
                response.completeExceptionally(e);
                firstData.completeExceptionally(e);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            IllegalStateException e = new IllegalStateException("the stream or connection closed without a response");
            response.completeExceptionally(e);
            firstData.completeExceptionally(e);
        }
    }
}
