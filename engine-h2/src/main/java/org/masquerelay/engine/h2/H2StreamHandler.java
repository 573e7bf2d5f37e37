package org.masquerelay.engine.h2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import org.masquerelay.engine.RequestHandler;
import org.masquerelay.wire.HttpFields;

import java.util.Map;

import static java.lang.System.Logger.Level.DEBUG;

/**
 * The pipeline of one HTTP/2 stream: its first HEADERS frame becomes a request for the relay's handler, its DATA
 * frames the request body, RST_STREAM and the stream's end reach the handler as a failed or ended body. The channel
 * stops reading while the relay is behind ({@link Inbound}), which keeps the stream's flow-control window closed.
 */
final class H2StreamHandler extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger(H2StreamHandler.class.getName());

    private final TlsConnection connection;
    private final RequestHandler handler;
    private final int maxFieldSectionSize;
    private final String altSvc;
    private H2Stream stream;

    H2StreamHandler(TlsConnection connection, RequestHandler handler, int maxFieldSectionSize, String altSvc) {
        this.connection = connection;
        this.handler = handler;
        this.maxFieldSectionSize = maxFieldSectionSize;
        this.altSvc = altSvc;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof Http2HeadersFrame headers) {
                headers(ctx, headers);
            } else if (msg instanceof Http2DataFrame data && stream != null) {
                stream.inbound.data(data.content());
                if (data.isEndStream()) {
                    stream.inbound.end();
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void headers(ChannelHandlerContext ctx, Http2HeadersFrame frame) {
        if (stream != null) {
            // Trailers: nothing in them matters to a tunnel; their END_STREAM does.
            if (frame.isEndStream()) {
                stream.inbound.end();
            }
            return;
        }
        HttpFields request = fields(frame.headers());
        stream = new H2Stream((Http2StreamChannel) ctx.channel(), connection, request, altSvc);
        if (frame.isEndStream()) {
            stream.inbound.end();
        }
        int tooLarge = request.fieldSectionSize() > maxFieldSectionSize ? maxFieldSectionSize : 0;
        Dispatch.start(handler, stream, tooLarge, () -> { });
    }

    /** Netty keeps pseudo-header fields first, as HTTP/2 requires. */
    static HttpFields fields(Http2Headers headers) {
        HttpFields.Builder fields = HttpFields.builder();
        for (Map.Entry<CharSequence, CharSequence> field : headers) {
            fields.add(field.getKey().toString(), field.getValue().toString());
        }
        return fields.build();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof Http2ResetFrame reset && stream != null) {
            stream.closed("the client reset stream " + stream.streamId() + " (" + reset.errorCode() + ")");
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
            stream.closed("stream " + stream.streamId() + " closed");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(DEBUG, "HTTP/2 stream error from {0}: {1}", connection.remoteAddress(), cause.toString());
        ctx.close();
    }
}
