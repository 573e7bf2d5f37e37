package org.masquerelay.testpeers;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Sits before Netty's connection handler and puts a tap at the head of every unidirectional stream the peer
 * opens. Netty validates SETTINGS (dropping unknown ids, closing on HTTP/2 ones) and hides control frames it
 * handles itself, so tests read the peer's control stream here, byte for byte, instead.
 */
final class PeerUniStreamTap extends ChannelInboundHandlerAdapter {
    private final NettyH3ClientState state;

    PeerUniStreamTap(NettyH3ClientState state) {
        this.state = state;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof QuicStreamChannel stream && stream.type() == QuicStreamType.UNIDIRECTIONAL) {
            stream.pipeline().addFirst(new ControlStreamReader(state));
        }
        ctx.fireChannelRead(msg);
    }

    /** Copies (does not consume) the bytes of one peer unidirectional stream and parses its control frames. */
    private static final class ControlStreamReader extends ChannelInboundHandlerAdapter {
        private final NettyH3ClientState state;
        private byte[] pending = new byte[0];
        private long streamType = -1;
        private boolean sawFirstFrame;

        ControlStreamReader(NettyH3ClientState state) {
            this.state = state;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf data = msg instanceof ByteBuf b ? b
                    : msg instanceof io.netty.buffer.ByteBufHolder h ? h.content() : null;
            if (data != null && data.isReadable()) {
                byte[] copy = ByteBufUtil.getBytes(data, data.readerIndex(), data.readableBytes(), true);
                byte[] joined = Arrays.copyOf(pending, pending.length + copy.length);
                System.arraycopy(copy, 0, joined, pending.length, copy.length);
                pending = joined;
                parse(ctx);
            }
            ctx.fireChannelRead(msg);
        }

        private void parse(ChannelHandlerContext ctx) {
            int p = 0;
            if (streamType < 0) {
                if (!complete(p, 1) || !complete(p, RawH3.varintLength(pending[p]))) {
                    return;
                }
                streamType = RawH3.readVarint(pending, p);
                p += RawH3.varintLength(pending[p]);
                state.peerUniStreamTypes.add(streamType);
                if (streamType != 0) {
                    pending = new byte[0];
                    ctx.pipeline().remove(this); // not a control stream: nothing more to learn
                    return;
                }
            }
            while (complete(p, 1) && complete(p + RawH3.varintLength(pending[p]), 1)) {
                int typeLength = RawH3.varintLength(pending[p]);
                int lengthAt = p + typeLength;
                int lengthLength = RawH3.varintLength(pending[lengthAt]);
                if (!complete(lengthAt, lengthLength)) {
                    break;
                }
                long length = RawH3.readVarint(pending, lengthAt);
                int payloadAt = lengthAt + lengthLength;
                if (!complete(payloadAt, length)) {
                    break;
                }
                long type = RawH3.readVarint(pending, p);
                byte[] payload = Arrays.copyOfRange(pending, payloadAt, payloadAt + (int) length);
                p = payloadAt + (int) length;
                onFrame(type, payload);
            }
            pending = Arrays.copyOfRange(pending, p, pending.length);
        }

        private boolean complete(int at, long n) {
            return at < pending.length && pending.length - at >= n;
        }

        private void onFrame(long type, byte[] payload) {
            if (sawFirstFrame) {
                state.peerControlFrames.add(new NettyH3Client.Frame(type, payload));
                return;
            }
            sawFirstFrame = true;
            if (type != RawH3.SETTINGS) {
                state.peerSettings.completeExceptionally(new IllegalStateException(
                        "first frame on the peer's control stream has type 0x" + Long.toHexString(type)));
                state.peerControlFrames.add(new NettyH3Client.Frame(type, payload));
                return;
            }
            List<Map.Entry<Long, Long>> settings = new ArrayList<>();
            int p = 0;
            while (p < payload.length) {
                int idLength = RawH3.varintLength(payload[p]);
                if (p + idLength >= payload.length
                        || p + idLength + RawH3.varintLength(payload[p + idLength]) > payload.length) {
                    state.peerSettings.completeExceptionally(new IllegalStateException("truncated SETTINGS"));
                    return;
                }
                long id = RawH3.readVarint(payload, p);
                p += idLength;
                long value = RawH3.readVarint(payload, p);
                p += RawH3.varintLength(payload[p]);
                settings.add(Map.entry(id, value));
            }
            state.peerSettings.complete(List.copyOf(settings));
        }
    }
}
