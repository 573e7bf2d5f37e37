package org.masquerelay.testpeers;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http3.DefaultHttp3DataFrame;
import io.netty.handler.codec.quic.QuicStreamChannel;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;

/** {@link NettyRelay}'s classic CONNECT: bytes both ways, and a FIN on one side becomes a half-close on the other. */
final class NettyRelayTcpTunnel {
    private final Duration connectTimeout;
    final QuicStreamChannel stream;
    final Channel target;
    /** Client bytes that came before the target connection was up (optimistic data). */
    private final java.util.ArrayDeque<ByteBuf> early = new java.util.ArrayDeque<>();
    private boolean connected;
    private boolean clientFinPending;
    private ChannelFuture lastToTarget;
    private ChannelFuture lastToClient;

    NettyRelayTcpTunnel(QuicStreamChannel stream, InetSocketAddress address, Duration connectTimeout) {
        this.stream = stream;
        this.connectTimeout = connectTimeout;
        ChannelFuture connecting = new Bootstrap().group(stream.eventLoop()).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true) // the target's FIN must not close our side
                .handler(new TargetHandler())
                .connect(address);
        target = connecting.channel();
        connecting.addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                early.forEach(ByteBuf::release);
                early.clear();
                boolean timeout = f.cause() instanceof ConnectTimeoutException;
                boolean refused = f.cause() instanceof ConnectException;
                NettyRelay.respond(stream, timeout ? "504" : "502",
                        timeout ? "connection_timeout" : refused ? "connection_refused" : "destination_unavailable",
                        true);
                return;
            }
            connected = true;
            NettyRelay.respond(stream, "200", null, false);
            while (!early.isEmpty()) {
                lastToTarget = target.write(early.poll());
            }
            target.flush();
            if (clientFinPending) {
                clientFin();
            }
        });
    }

    void fromClient(ByteBuf bytes) {
        if (!connected) {
            early.add(bytes);
            return;
        }
        lastToTarget = target.writeAndFlush(bytes);
        if (!target.isWritable()) {
            stream.config().setAutoRead(false); // resumed by TargetHandler.channelWritabilityChanged
        }
    }

    void clientFin() {
        if (!connected) {
            clientFinPending = true;
            return;
        }
        // After the last write: shutting down output fails writes still queued.
        if (lastToTarget == null) {
            ((NioSocketChannel) target).shutdownOutput();
        } else {
            lastToTarget.addListener(f -> ((NioSocketChannel) target).shutdownOutput());
        }
    }

    /** Sends the client a FIN once everything before it was written. */
    private void finToClient() {
        if (lastToClient == null) {
            stream.shutdownOutput();
        } else {
            lastToClient.addListener(QuicStreamChannel.SHUTDOWN_OUTPUT);
        }
    }

    private final class TargetHandler extends ChannelInboundHandlerAdapter {
        private boolean finSent;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            lastToClient = stream.writeAndFlush(new DefaultHttp3DataFrame((ByteBuf) msg));
            if (!stream.isWritable()) {
                ctx.channel().config().setAutoRead(false); // resumed by NettyRelay's RequestHandler
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ChannelInputShutdownReadComplete.INSTANCE && !finSent) {
                finSent = true;
                finToClient();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            stream.config().setAutoRead(ctx.channel().isWritable());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (connected && !finSent) {
                finSent = true;
                finToClient();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // The target reset the connection: abort the stream rather than pretend a clean end.
            finSent = true;
            stream.shutdown(NettyRelay.H3_CONNECT_ERROR);
            ctx.close();
        }
    }
}
