package org.masquerelay.engine.h2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2ConnectionDecoder;
import io.netty.handler.codec.http2.DefaultHttp2ConnectionEncoder;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2FrameReader;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2PromisedRequestVerifier;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * Netty's HTTP/2 frame reader with one leniency for a client that only sends CONNECT: a {@code content-length} on a
 * 2xx answer is dropped before Netty's decoder sees it. RFC 9110 §9.3.6 forbids that field on a 2xx to CONNECT, and a
 * tunnel has no content length; but Jetty 12.1.5's ConnectHandler sends {@code content-length: 0} on its HTTP/2
 * CONNECT answers, and Netty's decoder, which always checks DATA against it (RFC 9113 §8.1.1), then resets the
 * tunnel's stream at its first byte. curl and Jetty's own client ignore the field there; so do we.
 */
final class ConnectAnswerReader implements Http2FrameReader {
    private final Http2FrameReader reader = new DefaultHttp2FrameReader(true);

    /** Netty's client frame codec, reading through this reader; otherwise as {@link Http2FrameCodecBuilder} builds it. */
    static Http2FrameCodec codec(Http2Settings settings) {
        return new Builder().initialSettings(settings).build();
    }

    @Override
    public void readFrame(ChannelHandlerContext ctx, ByteBuf input, Http2FrameListener listener) throws Http2Exception {
        reader.readFrame(ctx, input, new Http2FrameListenerDecorator(listener) {
            @Override
            public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                                      boolean endStream) throws Http2Exception {
                super.onHeadersRead(ctx, streamId, withoutTunnelLength(headers), padding, endStream);
            }

            @Override
            public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                                      short weight, boolean exclusive, int padding, boolean endStream) throws Http2Exception {
                super.onHeadersRead(ctx, streamId, withoutTunnelLength(headers), streamDependency, weight, exclusive,
                        padding, endStream);
            }
        });
    }

    private static Http2Headers withoutTunnelLength(Http2Headers headers) {
        CharSequence status = headers.status();
        if (status != null && status.length() == 3 && status.charAt(0) == '2') {
            headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        }
        return headers;
    }

    @Override
    public Configuration configuration() {
        return reader.configuration();
    }

    @Override
    public void close() {
        reader.close();
    }

    /** The builder's codec hook is protected: this subclass hands it a decoder reading through our reader. */
    private static final class Builder extends Http2FrameCodecBuilder {
        Builder() {
            DefaultHttp2Connection connection = new DefaultHttp2Connection(false);
            DefaultHttp2ConnectionEncoder encoder = new DefaultHttp2ConnectionEncoder(connection, new DefaultHttp2FrameWriter());
            DefaultHttp2ConnectionDecoder decoder = new DefaultHttp2ConnectionDecoder(connection, encoder,
                    new ConnectAnswerReader(), Http2PromisedRequestVerifier.ALWAYS_VERIFY, true, true, true);
            codec(decoder, encoder);
        }
    }
}
