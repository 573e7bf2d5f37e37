package org.masquerelay.engine.h2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamChannel;
import org.masquerelay.wire.HttpFields;

/**
 * One HTTP/2 request stream (Netty's child channel of the connection): HEADERS, DATA and RST_STREAM frames. HTTP/2
 * flow control is the backpressure: a write waits while the stream or the connection has no window, and the client's
 * window is opened again only as the relay reads.
 */
final class H2Stream extends TlsStream {
    private final String altSvc;

    H2Stream(Http2StreamChannel channel, TlsConnection connection, HttpFields request, String altSvc) {
        super(channel, connection, channel.stream().id(), request);
        this.altSvc = altSvc;
    }

    @Override
    protected ChannelFuture writeResponse(HttpFields responseHeaders, long bodyLength, boolean last) {
        Http2Headers headers = new DefaultHttp2Headers();
        for (HttpFields.Field field : responseHeaders) {
            headers.add(field.name(), field.value());
        }
        if (altSvc != null) {
            headers.set("alt-svc", altSvc);
        }
        return channel.writeAndFlush(new DefaultHttp2HeadersFrame(headers, last));
    }

    @Override
    protected ChannelFuture writeBody(ByteBuf bytes, boolean last) {
        return channel.writeAndFlush(new DefaultHttp2DataFrame(bytes, last));
    }

    @Override
    protected void writeEnd() {
        channel.writeAndFlush(new DefaultHttp2DataFrame(true));
    }

    @Override
    protected void writeAbort(long h3ErrorCode) {
        if (channel.isActive()) {
            channel.writeAndFlush(new DefaultHttp2ResetFrame(ErrorCodes.toHttp2(h3ErrorCode)));
        }
    }

    @Override
    protected void stopAfterFinish(long h3ErrorCode) {
        writeAbort(h3ErrorCode);
    }
}
