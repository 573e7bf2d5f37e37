package org.masquerelay.testpeers;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.http3.DefaultHttp3DataFrame;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicDatagramExtensionEvent;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.util.Map;

import static org.masquerelay.testpeers.ByteBufVarInts.readVarint;
import static org.masquerelay.testpeers.ByteBufVarInts.varintLength;
import static org.masquerelay.testpeers.ByteBufVarInts.writeVarint;

/**
 * {@link NettyRelay}'s connect-udp: one connected UDP socket per tunnel; HTTP datagrams carry context id 0 only
 * (RFC 9298 §4).
 */
final class NettyRelayUdpTunnel {
    /** Per connection: open connect-udp tunnels by stream id, to route incoming QUIC datagrams. */
    static final AttributeKey<Map<Long, NettyRelayUdpTunnel>> UDP_TUNNELS = AttributeKey.valueOf("udpTunnels");
    /** Per connection: the largest QUIC DATAGRAM payload, set once the client negotiated the extension. */
    static final AttributeKey<Integer> DATAGRAM_MAX = AttributeKey.valueOf("datagramMax");

    final QuicStreamChannel stream;
    final QuicChannel quic;
    Channel target;
    /** Capsule bytes not yet parsed: a capsule may be split across DATA frames. */
    private final ByteBuf capsules = Unpooled.buffer();
    private boolean closed;

    NettyRelayUdpTunnel(QuicStreamChannel stream, InetSocketAddress address) {
        this.stream = stream;
        this.quic = (QuicChannel) stream.parent();
        ChannelFuture connecting = new Bootstrap().group(stream.eventLoop()).channel(NioDatagramChannel.class)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        try {
                            toClient(((DatagramPacket) msg).content());
                        } finally {
                            ReferenceCountUtil.release(msg);
                        }
                    }
                })
                .connect(address, new InetSocketAddress(address.getAddress(), 0));
        target = connecting.channel();
        connecting.addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                NettyRelay.respond(stream, "502", "destination_unavailable", true);
                return;
            }
            quic.attr(UDP_TUNNELS).get().put(stream.streamId(), this);
            Http3HeadersFrame ok = new DefaultHttp3HeadersFrame();
            ok.headers().status("200").add("capsule-protocol", "?1");
            stream.writeAndFlush(ok);
        });
    }

    void fromClient(ByteBuf payload) {
        if (!closed && target.isActive()) {
            target.writeAndFlush(payload.retain());
        }
    }

    /** DATAGRAM capsules (type 0x00) from the request stream; other capsule types are skipped (RFC 9297 §3.2). */
    void fromCapsules(ByteBuf data) {
        if (closed) {
            return;
        }
        capsules.writeBytes(data);
        while (true) {
            int start = capsules.readerIndex();
            long type = readVarint(capsules);
            long length = type < 0 ? -1 : readVarint(capsules);
            if (length < 0 || capsules.readableBytes() < length) {
                capsules.readerIndex(start); // incomplete: wait for more
                break;
            }
            ByteBuf value = capsules.readSlice((int) length);
            if (type == 0x00 && readVarint(value) == 0) {
                fromClient(value);
            }
        }
        capsules.discardReadBytes();
    }

    /** As a QUIC DATAGRAM when negotiated and it fits, else as a DATAGRAM capsule on the stream. */
    void toClient(ByteBuf payload) {
        Integer max = quic.attr(DATAGRAM_MAX).get();
        int prefix = varintLength(stream.streamId() / 4) + 1;
        if (max != null && prefix + payload.readableBytes() <= max) {
            ByteBuf datagram = quic.alloc().buffer(prefix + payload.readableBytes());
            writeVarint(datagram, stream.streamId() / 4); // quarter stream id, RFC 9297 §2.1
            writeVarint(datagram, 0);                     // context id 0: UDP payload, RFC 9298 §4
            datagram.writeBytes(payload);
            quic.writeAndFlush(datagram);
        } else {
            ByteBuf capsule = ByteBufAllocator.DEFAULT.buffer();
            writeVarint(capsule, 0x00);                   // DATAGRAM capsule
            writeVarint(capsule, 1 + payload.readableBytes());
            writeVarint(capsule, 0);
            capsule.writeBytes(payload);
            stream.writeAndFlush(new DefaultHttp3DataFrame(capsule));
        }
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        quic.attr(UDP_TUNNELS).get().remove(stream.streamId());
        target.close();
        capsules.release();
        if (stream.isActive()) {
            stream.shutdownOutput();
        }
    }

    /** After Netty's HTTP/3 handler on the connection: QUIC datagrams to their tunnel by quarter stream id. */
    static final class DatagramRouter extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf datagram)) {
                ctx.fireChannelRead(msg); // stream channels must reach the tail, where Netty registers them
                return;
            }
            try {
                long quarter = readVarint(datagram);
                long context = quarter < 0 ? -1 : readVarint(datagram);
                NettyRelayUdpTunnel tunnel = ctx.channel().attr(UDP_TUNNELS).get().get(quarter * 4);
                if (tunnel != null && context == 0) { // unknown streams and contexts are dropped (RFC 9297 §2.1)
                    tunnel.fromClient(datagram);
                }
            } finally {
                datagram.release();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof QuicDatagramExtensionEvent e && e.maxLength() > 0) {
                ctx.channel().attr(DATAGRAM_MAX).set(e.maxLength());
            }
            ctx.fireUserEventTriggered(evt);
        }
    }
}
