package org.masquerelay.engine.quiche;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamResetException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import org.masquerelay.engine.TunnelMeter;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.H3StreamException;
import org.masquerelay.wire.VarInt;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One classic CONNECT tunnel on the event loop: the request stream's DATA payloads go to the target's TCP channel as
 * slices of the buffers quiche handed us, and the target's bytes come back as DATA frames (a small header buffer and
 * the buffers of one read loop, one write, no copy). Every method runs on the one event loop both channels share, so
 * there is no locking.
 *
 * <p>Backpressure: while the target cannot take more, the stream stops reading (quiche then stops extending the
 * client's flow-control window); while the stream cannot take more, the target stops reading (TCP pushes back on the
 * target). Memory per tunnel is bounded by one read of the client's side and one read loop of the target's
 * (at most {@link #BATCH} bytes, framed together). Endings mirror the blocking tunnel: the client's FIN
 * becomes a TCP half-close and the target's FIN our FIN; a target reset becomes RESET_STREAM and STOP_SENDING with
 * H3_CONNECT_ERROR; a reset stream, a framing error, the connection's end or the idle timeout abort the TCP
 * connection with an RST.
 */
final class TcpSplice {
    private final QuicStreamChannel stream;
    private final Channel tcp;
    private final DataFrameDecoder decoder;
    private final Duration idleTimeout;
    private final TunnelMeter meter;
    private final CompletableFuture<Void> over;
    private boolean clientFinished;
    private boolean targetFinished;

    TcpSplice(QuicStreamChannel stream, Channel tcp, long maxDataFrameSize, Duration idleTimeout, TunnelMeter meter,
              CompletableFuture<Void> over) {
        this.stream = stream;
        this.tcp = tcp;
        this.decoder = new DataFrameDecoder(maxDataFrameSize);
        this.idleTimeout = idleTimeout;
        this.meter = meter;
        this.over = over;
    }

    /** On the event loop: takes over both channels, forwards what arrived before the 200, starts reading. */
    void start(StreamBridge.Leftover early) {
        stream.pipeline().addLast(new ClientSide());
        EarlyTarget held = tcp.pipeline().get(EarlyTarget.class);
        List<ByteBuf> targetBytes = held == null ? List.of() : held.take();
        if (held != null) {
            tcp.pipeline().remove(held);
        }
        tcp.pipeline().addLast(new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS), new TargetSide());
        // What the target sent between the connect and now goes first, then what it did (FIN, reset).
        for (ByteBuf data : targetBytes) {
            fromTarget(data);
        }
        sendPending();
        stream.flush();
        if (held != null && held.failure != null) {
            targetFailed(held.failure);
            return;
        }
        if (held != null && held.inputShutdown) {
            targetFinished();
        } else if (held != null && held.inactive || !tcp.isActive()) {
            targetFailed(new java.io.IOException("connection closed before the tunnel started"));
            return;
        }
        for (byte[] chunk : early.bytes()) {
            if (!fromClient(Unpooled.wrappedBuffer(chunk))) {
                return;
            }
        }
        tcp.flush();
        if (early.failure() != null) {
            clientFailed("client ended the stream: " + early.failure().getMessage());
            return;
        }
        if (early.eof()) {
            clientFinished();
        } else if (!stream.isActive()) {
            clientFailed("client ended the stream: stream closed before its end");
            return;
        }
        resume(stream);
        if (!targetFinished) {
            resume(tcp);
        }
    }

    // ------------------------------------------------------------------------------------------ client to target

    /** Decodes one received buffer and writes its DATA payloads to the target; false once the tunnel is over. */
    private boolean fromClient(ByteBuf received) {
        try {
            decoder.decode(received, payload -> {
                meter.up(payload.readableBytes());
                tcp.write(payload, tcp.voidPromise());
            });
        } catch (H3StreamException e) {
            // A DATA frame over the cap, a forbidden frame type: that code, on this stream only (RFC 9114 §8).
            endWith("client ended the stream: " + e.getMessage());
            abortStream(e.errorCode());
            abortTarget();
            return false;
        } finally {
            received.release();
        }
        if (!tcp.isWritable()) {
            stream.config().setAutoRead(false);
        }
        return true;
    }

    private void clientFinished() {
        if (!decoder.atFrameBoundary()) {
            endWith("client ended the stream inside a frame");
            abortStream(H3.H3_FRAME_ERROR);
            abortTarget();
            return;
        }
        clientFinished = true;
        // Half-close towards the target once everything before the FIN is written (shutdownOutput would fail writes
        // still queued), and keep reading its answer.
        tcp.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
            if (tcp.isActive()) {
                ((DuplexChannel) tcp).shutdownOutput();
            }
            endIfBothFinished();
        });
    }

    private void clientFailed(String why) {
        endWith(why);
        abortTarget();
    }

    // ------------------------------------------------------------------------------------------ target to client

    /**
     * Most target bytes framed at once, and the largest read of a target ({@link EventLoopSplicer}). Netty reads up to
     * 16 times per wake-up; past this the frame goes out, and reading stops there if the stream cannot take more.
     */
    static final int BATCH = 256 * 1024;

    /** Target bytes read in this read loop, not yet framed: one DATA frame per loop (or per {@link #BATCH}). */
    private CompositeByteBuf pending;

    private void fromTarget(ByteBuf data) {
        int n = data.readableBytes();
        if (n == 0) {
            data.release();
            return;
        }
        meter.down(n);
        if (pending == null) {
            pending = stream.alloc().compositeDirectBuffer(64);
        }
        pending.addComponent(true, data);
        if (pending.readableBytes() >= BATCH) {
            sendPending();
        }
    }

    /**
     * Writes what the target sent as one DATA frame, header and payload in one write: Netty's stream channel passes
     * every write to quiche and builds and sends packets at once (quiche_conn_send), so a header written on its own
     * went out as a packet of its own, and each 64 KiB read ended in a part-filled packet.
     */
    private void sendPending() {
        CompositeByteBuf frame = pending;
        if (frame == null) {
            return;
        }
        pending = null;
        int n = frame.readableBytes();
        ByteBuf header = stream.alloc().directBuffer(VarInt.length(H3.FRAME_DATA) + VarInt.length(n));
        writeVarInt(header, H3.FRAME_DATA);
        writeVarInt(header, n);
        frame.addComponent(true, 0, header);
        stream.write(frame, stream.voidPromise());
        if (!stream.isWritable()) {
            tcp.config().setAutoRead(false);
        }
    }

    private void targetFinished() {
        if (targetFinished) {
            return;
        }
        targetFinished = true;
        sendPending(); // what the target sent before its FIN goes first
        meter.ended("target closed");
        stream.writeAndFlush(EndOfStream.frame(stream)).addListener(sent -> endIfBothFinished());
    }

    private void targetFailed(Throwable cause) {
        if (targetFinished) {
            // The target already sent everything and its FIN, which is queued behind that data: a RESET_STREAM now
            // would throw away what it sent. Only the client's direction is broken: stop it.
            endWith("target closed; then failed: " + cause.getMessage());
            if (stream.isActive()) {
                stream.shutdownInput((int) H3.H3_CONNECT_ERROR);
            }
            abortTarget();
            return;
        }
        endWith("target reset: " + cause.getMessage());
        abortStream(H3.H3_CONNECT_ERROR);
        abortTarget();
    }

    // ------------------------------------------------------------------------------------------ endings

    private void endIfBothFinished() {
        if (clientFinished && targetFinished && !over.isDone()) {
            tcp.close();
            releasePending();
            over.complete(null);
        }
    }

    private void endWith(String why) {
        meter.ended(why);
        releasePending();
        over.complete(null);
    }

    private void releasePending() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }

    /** STOP_SENDING and RESET_STREAM with one code, unless the stream is gone already. */
    private void abortStream(long code) {
        if (stream.isActive()) {
            stream.shutdownInput((int) code);
            stream.shutdownOutput((int) code);
        }
    }

    /** An RST to the target, as a reset stream means the byte stream is broken. */
    private void abortTarget() {
        if (tcp.isOpen()) {
            tcp.config().setOption(ChannelOption.SO_LINGER, 0);
            tcp.close();
        }
    }

    private static void resume(Channel channel) {
        channel.config().setAutoRead(true);
        channel.read();
    }

    private static void writeVarInt(ByteBuf out, long value) {
        int length = VarInt.length(value);
        switch (length) {
            case 1 -> out.writeByte((int) value);
            case 2 -> out.writeShort((int) (0x4000 | value));
            case 4 -> out.writeInt((int) (0x80000000L | value));
            default -> out.writeLong(0xC000000000000000L | value);
        }
    }

    /** On the request stream's pipeline. */
    private final class ClientSide extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (over.isDone() || !(msg instanceof ByteBuf data)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            fromClient(data);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            tcp.flush();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownReadComplete && !over.isDone() && !clientFinished) {
                clientFinished();
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (stream.isWritable() && !over.isDone() && !targetFinished) {
                resume(tcp); // never after the target's FIN: epoll fails a read on a shut input
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (over.isDone()) {
                return;
            }
            clientFailed(cause instanceof QuicStreamResetException reset
                    ? "client ended the stream: reset (" + H3.errorName(reset.applicationProtocolCode()) + ")"
                    : "client ended the stream: " + cause);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!over.isDone()) {
                clientFailed("client ended the stream: stream closed before its end (connection closed or stream reset)");
            }
            ctx.fireChannelInactive();
        }
    }

    /** On the target connection's pipeline. */
    private final class TargetSide extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (over.isDone() || !(msg instanceof ByteBuf data)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            fromTarget(data);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (!over.isDone()) {
                sendPending();
            }
            stream.flush();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (over.isDone()) {
                return;
            }
            if (evt instanceof ChannelInputShutdownEvent) {
                targetFinished();
            } else if (evt instanceof IdleStateEvent) {
                endWith("idle for " + idleTimeout.toSeconds() + " s");
                if (stream.isActive()) {
                    stream.shutdownInput((int) H3.H3_NO_ERROR);
                    stream.shutdownOutput((int) H3.H3_CONNECT_ERROR);
                }
                abortTarget();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (tcp.isWritable() && !over.isDone()) {
                resume(stream);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!over.isDone()) {
                targetFailed(cause);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!over.isDone() && !targetFinished) {
                targetFailed(new java.io.IOException("connection closed"));
            } else if (!over.isDone()) {
                // The target closed completely after its FIN: its half is done; ours may still be sending.
                endIfBothFinished();
            }
        }
    }
}
