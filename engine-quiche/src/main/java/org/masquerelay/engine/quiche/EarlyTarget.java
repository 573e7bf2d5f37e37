package org.masquerelay.engine.quiche;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayList;
import java.util.List;

/**
 * A target connection's first handler, from the connect until the tunnel is spliced: it keeps what the target sends
 * in that short window (a banner, even a FIN) for the splice to forward after the 200. Reading stays on — turning it
 * off before anything was read made epoll lose a target's early FIN — and stops only past {@link #LIMIT} held bytes.
 */
final class EarlyTarget extends ChannelInboundHandlerAdapter {
    static final int LIMIT = 64 * 1024;

    final List<ByteBuf> held = new ArrayList<>();
    private int heldBytes;
    boolean inputShutdown;
    Throwable failure;
    boolean inactive;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf data) {
            held.add(data);
            heldBytes += data.readableBytes();
            if (heldBytes > LIMIT) {
                ctx.channel().config().setAutoRead(false);
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        inactive = true;
    }

    /** A connection that was never spliced (a Happy Eyeballs loser, a cancelled request) lets go of what it held. */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // The splice takes the buffers before removing this handler; anything still here is released.
        held.forEach(ReferenceCountUtil::release);
        held.clear();
    }

    /** Hands the held buffers over (the caller owns them now). */
    List<ByteBuf> take() {
        List<ByteBuf> taken = new ArrayList<>(held);
        held.clear();
        return taken;
    }
}
