package org.masquerelay.engine.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import org.masquerelay.engine.RequestHandler;
import org.masquerelay.wire.HttpFields;
import org.masquerelay.wire.ProxyError;
import org.masquerelay.wire.ProxyStatus;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An HTTP/1.1 connection to the relay: one request, written in HTTP/2's terms for the relay's handler.
 * {@code CONNECT host:port} (RFC 9110 §9.3.6, what {@code curl -x https://relay -p} sends) becomes a classic CONNECT;
 * {@code GET} with {@code Upgrade: connect-udp} (RFC 9298 §3.2) an extended CONNECT with :protocol connect-udp; any
 * other request goes to the handler as it is (the well-known paths, 404). Once a tunnel request is read the HTTP
 * decoder leaves the pipeline, so bytes the client sent right behind it (optimistic data) are the tunnel's first.
 */
final class H1Handler extends ChannelInboundHandlerAdapter {
    /** Hop-by-hop fields (RFC 9110 §7.6.1) and those HTTP/2 forbids: the relay's handler never sees them. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "transfer-encoding", "upgrade", "te", "host");

    private final TlsConnection connection;
    private final RequestHandler handler;
    private final int maxFieldSectionSize;
    private final ListenerOptions options;
    private H1Stream stream;
    /** The listener answered (400, 408) without a request for the relay: nothing more is read. */
    private boolean answered;

    H1Handler(TlsConnection connection, RequestHandler handler, int maxFieldSectionSize, ListenerOptions options) {
        this.connection = connection;
        this.handler = handler;
        this.maxFieldSectionSize = maxFieldSectionSize;
        this.options = options;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest request && stream == null && !answered) {
                request(ctx, request);
            } else if (msg instanceof ByteBuf bytes && stream != null) {
                stream.inbound.data(bytes);
            } else if (msg instanceof HttpContent) {
                // The body of a request that is not a tunnel (answered 404 and closed): nothing to keep.
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void request(ChannelHandlerContext ctx, HttpRequest request) {
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            if (cause instanceof TooLongHttpHeaderException) {
                stream = new H1Stream(ctx.channel(), connection, null, false, options.altSvc());
                stopDecoding(ctx);
                Dispatch.start(handler, stream, maxFieldSectionSize, () -> ctx.channel().close());
            } else {
                badRequest(ctx, cause instanceof TooLongFrameException
                        ? "request line too long" : "malformed HTTP/1.1 request: " + cause.getMessage());
            }
            return;
        }
        boolean upgradeUdp = isConnectUdpUpgrade(request.headers());
        boolean tunnel = upgradeUdp || request.method().equals(HttpMethod.CONNECT);
        // The stream first: removing the decoder hands on the bytes it holds past the request (optimistic data).
        stream = new H1Stream(ctx.channel(), connection, fields(request, upgradeUdp), upgradeUdp, options.altSvc());
        if (tunnel) {
            stopDecoding(ctx);
        }
        Dispatch.start(handler, stream, 0, () -> ctx.channel().close());
    }

    /** The rest of the connection is the tunnel's: bytes already buffered by the decoder come next as they are. */
    private static void stopDecoding(ChannelHandlerContext ctx) {
        if (ctx.pipeline().get(HttpRequestDecoder.class) != null) {
            ctx.pipeline().remove(HttpRequestDecoder.class);
        }
    }

    /** RFC 9298 §3.2: {@code Upgrade: connect-udp} with {@code Connection: Upgrade}. */
    private static boolean isConnectUdpUpgrade(HttpHeaders headers) {
        boolean upgrade = false;
        for (String value : headers.getAll("upgrade")) {
            for (String token : value.split(",")) {
                upgrade |= token.trim().equalsIgnoreCase("connect-udp");
            }
        }
        return upgrade && headers.containsValue("connection", "upgrade", true);
    }

    /** The request as the relay's handler reads requests: HTTP/2 pseudo-header fields, then the end-to-end fields. */
    static HttpFields fields(HttpRequest request, boolean upgradeUdp) {
        HttpFields.Builder fields = HttpFields.builder();
        String host = request.headers().get("host");
        if (upgradeUdp) {
            fields.add(":method", "CONNECT").add(":protocol", "connect-udp").add(":scheme", "https");
            if (host != null) {
                fields.add(":authority", host);
            }
            fields.add(":path", request.uri());
        } else if (request.method().equals(HttpMethod.CONNECT)) {
            fields.add(":method", "CONNECT").add(":authority", request.uri());
        } else {
            fields.add(":method", request.method().name()).add(":scheme", "https");
            if (host != null) {
                fields.add(":authority", host);
            }
            fields.add(":path", request.uri());
        }
        for (Map.Entry<String, String> field : request.headers()) {
            String name = field.getKey().toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(name)) {
                fields.add(name, field.getValue());
            }
        }
        return fields.build();
    }

    /** Event loop, the header timeout after the connection began: no complete request yet is a 408, then the end. */
    void headerTimeout() {
        if (stream == null && connection.channel().isActive()) {
            answer(connection.channel(), HttpResponseStatus.REQUEST_TIMEOUT, "no complete request within the header timeout");
        }
    }

    /** A request the decoder could not read: 400 with Proxy-Status, then the end of the connection. */
    private void badRequest(ChannelHandlerContext ctx, String details) {
        answer(ctx.channel(), HttpResponseStatus.BAD_REQUEST, details);
    }

    private void answer(io.netty.channel.Channel channel, HttpResponseStatus status, String details) {
        answered = true;
        byte[] body = (details + "\n").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body));
        response.headers()
                .set("proxy-status", ProxyStatus.of(options.proxyName(), ProxyError.HTTP_REQUEST_ERROR, details).toHeaderValue())
                .set("content-type", "text/plain; charset=utf-8")
                .set("content-length", body.length)
                .set("connection", "close");
        if (options.altSvc() != null) {
            response.headers().set("alt-svc", options.altSvc());
        }
        channel.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    /** Whether the connection's one request has been read (from then on it is that request's, e.g. a tunnel). */
    boolean hasRequest() {
        return stream != null || answered;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if ((event instanceof SslCloseCompletionEvent || event instanceof ChannelInputShutdownEvent) && stream != null) {
            stream.inbound.end();
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (stream != null) {
            stream.wakeWriters();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (stream != null) {
            stream.inbound.end();
            stream.closed("connection closed");
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (stream != null) {
            stream.closed("connection failed: " + cause.getMessage());
        }
        ctx.close();
    }
}
