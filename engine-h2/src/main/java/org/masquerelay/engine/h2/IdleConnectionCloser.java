package org.masquerelay.engine.h2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Ends connections that carry nothing: one silent for the idle timeout with no tunnel (an HTTP/2 connection without
 * open streams, an HTTP/1.1 connection that never sent its request), and one whose client has ended its side when
 * that side was not a tunnel's. The listener allows TCP half-close for HTTP/1.1 tunnels only (the client's FIN is the
 * end of its upload there); for HTTP/2 the client's FIN is the end of the connection. A quiet tunnel is left to the
 * tunnel's own idle timeout (the relay's {@code timeouts.idle}).
 */
final class IdleConnectionCloser extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            Http2FrameCodec h2 = ctx.pipeline().get(Http2FrameCodec.class);
            boolean idle = h2 != null
                    ? h2.connection().numActiveStreams() == 0
                    : !carriesHttp1Request(ctx);
            if (idle) {
                ctx.close();
            }
            return;
        }
        if (event instanceof ChannelInputShutdownEvent && !carriesHttp1Request(ctx)) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    /** An HTTP/1.1 connection whose request has been read: from then on it is that request's (a tunnel's). */
    private static boolean carriesHttp1Request(ChannelHandlerContext ctx) {
        H1Handler h1 = ctx.pipeline().get(H1Handler.class);
        return h1 != null && h1.hasRequest();
    }
}
