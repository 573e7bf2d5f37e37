package org.masquerelay.testpeers;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.quic.QuicConnectionCloseEvent;
import io.netty.handler.codec.quic.QuicDatagramExtensionEvent;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** After Netty's connection handler: QUIC datagrams, the datagram extension, the connection's end. */
final class NettyH3ConnectionEvents extends ChannelInboundHandlerAdapter {
    private final NettyH3ClientState state;

    NettyH3ConnectionEvents(NettyH3ClientState state) {
        this.state = state;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf datagram) {
            try {
                route(ByteBufUtil.getBytes(datagram));
            } finally {
                datagram.release();
            }
        } else {
            // Incoming QuicStreamChannels must reach the pipeline's tail: that is where Netty registers them.
            ctx.fireChannelRead(msg);
        }
    }

    private void route(byte[] datagram) {
        if (datagram.length == 0 || datagram.length < RawH3.varintLength(datagram[0])) {
            state.unroutedDatagrams.incrementAndGet();
            return;
        }
        int p = 0;
        long quarter = RawH3.readVarint(datagram, p);
        p += RawH3.varintLength(datagram[p]);
        if (p >= datagram.length || datagram.length - p < RawH3.varintLength(datagram[p])) {
            state.unroutedDatagrams.incrementAndGet();
            return;
        }
        long context = RawH3.readVarint(datagram, p);
        p += RawH3.varintLength(datagram[p]);
        Tunnel tunnel = state.tunnels.get(quarter * 4);
        if (tunnel == null) {
            state.unroutedDatagrams.incrementAndGet();
            return;
        }
        tunnel.deliverDatagram(context, Arrays.copyOfRange(datagram, p, datagram.length));
    }

    /** Netty 4.2.18's {@code reason()} clones a null array (NPE) when the close carried no reason. */
    private static String reasonOf(QuicConnectionCloseEvent close) {
        try {
            return new String(close.reason(), StandardCharsets.UTF_8);
        } catch (NullPointerException noReason) {
            return "";
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof QuicDatagramExtensionEvent datagrams) {
            state.datagramMaxLength = datagrams.maxLength();
        } else if (evt instanceof QuicConnectionCloseEvent close) {
            state.close = new NettyH3Client.ConnectionClose(close.isApplicationClose(), close.error(), reasonOf(close));
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state.peerSettings.completeExceptionally(new IllegalStateException("connection closed"));
        ctx.fireChannelInactive();
    }
}
