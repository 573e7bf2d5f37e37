package org.masquerelay.engine.h2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The end of an HTTP/2 connection's pipeline: connection-level frames that Netty's codec has already acted on
 * (SETTINGS and its ACK, PING, GOAWAY) arrive here and need nothing more from us.
 */
final class ConnectionFrames extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }
}
