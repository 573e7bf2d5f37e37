package org.masquerelay.engine.h2;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.util.AttributeKey;
import org.masquerelay.engine.ConnectionHandler;
import org.masquerelay.engine.EngineSettings;
import org.masquerelay.engine.RequestHandler;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.lang.System.Logger.Level.DEBUG;

/**
 * After the TLS handshake, the protocol ALPN chose: {@code h2} gets Netty's HTTP/2 codec with a child channel per
 * stream (ENABLE_CONNECT_PROTOCOL on, for RFC 8441 extended CONNECT); {@code http/1.1}, or no ALPN at all (what a
 * plain {@code curl -x https://relay} offers), gets the HTTP/1.1 decoder and encoder.
 */
final class ProtocolSwitch extends ApplicationProtocolNegotiationHandler {
    private static final System.Logger LOG = System.getLogger(ProtocolSwitch.class.getName());
    /** The HTTP/2 default connection window (RFC 9113 §6.9.2), before our WINDOW_UPDATE raises it. */
    private static final int DEFAULT_WINDOW = 65_535;
    /** Netty's own header-list limit, past the configured one: above it Netty answers a bare 431 itself. */
    private static final int HARD_HEADER_FACTOR = 4;

    /** The protocol a connection speaks once its TLS handshake is done ("h2", "http/1.1"); unset before. */
    static final AttributeKey<String> PROTOCOL = AttributeKey.valueOf("masque-relay-protocol");
    private static final AttributeKey<H1Handler> HTTP1 = AttributeKey.valueOf("masque-relay-http1");

    private final EngineSettings settings;
    private final ListenerOptions options;
    private final ConnectionHandler connections;
    private final AtomicBoolean draining;

    ProtocolSwitch(EngineSettings settings, ListenerOptions options, ConnectionHandler connections,
                   AtomicBoolean draining) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.settings = settings;
        this.options = options;
        this.connections = connections;
        this.draining = draining;
    }

    /**
     * Event loop, once the listener drains: HTTP/2 gets GOAWAY, an HTTP/1.1 connection without its request yet is
     * closed (one with a request runs on); one still in its TLS handshake is closed by {@link #configurePipeline}.
     */
    static void drain(Channel channel) {
        String protocol = channel.attr(PROTOCOL).get();
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            // Netty's codec fills in the last stream id it accepted and refuses the client's later streams.
            channel.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
        } else if (ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
            H1Handler h1 = channel.attr(HTTP1).get();
            if (h1 != null && !h1.hasRequest()) {
                channel.close();
            }
        }
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        ChannelPipeline pipeline = ctx.pipeline();
        // Read on the event loop, as drain() runs: either this sees the flag or drain() sees the protocol.
        if (draining.get()) {
            LOG.log(DEBUG, "TCP connection from {0} closed after its handshake: the relay is shutting down",
                    ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            ctx.channel().attr(PROTOCOL).set(protocol);
            TlsConnection connection = new TlsConnection(ctx.channel(), protocol);
            RequestHandler requests = connections.connected(connection);
            Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                    .initialSettings(Http2Settings.defaultSettings()
                            .maxConcurrentStreams(settings.maxStreamsPerConnection())
                            .initialWindowSize((int) Math.min(Integer.MAX_VALUE, settings.streamWindow()))
                            .maxHeaderListSize((long) HARD_HEADER_FACTOR * settings.maxFieldSectionSize())
                            .connectProtocolEnabled(true))
                    .build();
            pipeline.addLast(codec, new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                @Override
                protected void initChannel(Http2StreamChannel stream) {
                    stream.pipeline().addLast(new H2StreamHandler(connection, requests,
                            settings.maxFieldSectionSize(), options.altSvc()));
                }
            }), new ConnectionFrames());
            // The connection's window as large as QUIC's (engine-quiche: initial_max_data), so several tunnels can
            // each fill their stream window.
            int connectionWindow = (int) Math.min(Integer.MAX_VALUE - DEFAULT_WINDOW,
                    Math.max(16L * 1024 * 1024, 4 * settings.streamWindow()));
            ctx.channel().writeAndFlush(new DefaultHttp2WindowUpdateFrame(connectionWindow - DEFAULT_WINDOW));
            LOG.log(DEBUG, "HTTP/2 connection from {0}", ctx.channel().remoteAddress());
        } else if (ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
            TlsConnection connection = new TlsConnection(ctx.channel(), protocol);
            RequestHandler requests = connections.connected(connection);
            H1Handler h1 = new H1Handler(connection, requests, settings.maxFieldSectionSize(), options);
            ctx.channel().attr(HTTP1).set(h1);
            ctx.channel().attr(PROTOCOL).set(protocol);
            pipeline.addLast(new HttpRequestDecoder(8192, settings.maxFieldSectionSize(), 16 * 1024),
                    new HttpResponseEncoder(), h1);
            // A client that never completes its request (slowloris) holds a connection; the relay's header timeout
            // (limits.request-header-timeout), as for an HTTP/3 request stream, ends it with a 408.
            Duration timeout = settings.unfinishedRequests().headerTimeout();
            ctx.executor().schedule(h1::headerTimeout, timeout.toMillis(), TimeUnit.MILLISECONDS);
            LOG.log(DEBUG, "HTTP/1.1 connection from {0}", ctx.channel().remoteAddress());
        } else {
            ctx.close();
        }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(DEBUG, "TLS handshake with {0} failed: {1}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
