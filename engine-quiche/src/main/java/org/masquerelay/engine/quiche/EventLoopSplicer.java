package org.masquerelay.engine.quiche;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.quic.QuicStreamChannel;
import org.masquerelay.engine.TcpSplicer;
import org.masquerelay.engine.TcpTarget;
import org.masquerelay.engine.TunnelMeter;

import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The quiche engine's data plane for classic CONNECT: the target's TCP connection is a Netty channel (epoll where it
 * loads) on the event loop that owns the QUIC connection, and once the tunnel is spliced ({@link TcpSplice}) its bytes
 * never leave that loop: no thread hand-off, no byte[] copy, backpressure through channel writability and autoRead.
 * Only the request's set-up (parsing, policy, DNS) ran on the stream's virtual thread, which now just waits.
 */
final class EventLoopSplicer implements TcpSplicer {
    private final StreamBridge bridge;
    private final long maxDataFrameSize;

    EventLoopSplicer(StreamBridge bridge, long maxDataFrameSize) {
        this.bridge = bridge;
        this.maxDataFrameSize = maxDataFrameSize;
    }

    @Override
    public CompletableFuture<TcpTarget> connect(InetSocketAddress address, Duration timeout) {
        QuicStreamChannel stream = bridge.channel();
        CompletableFuture<TcpTarget> attempt = new CompletableFuture<>();
        ChannelFuture connecting = new Bootstrap()
                .group(stream.eventLoop())
                .channel(Transport.best().socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())))
                .option(ChannelOption.TCP_NODELAY, true)
                // Reads of up to one frame batch (Netty's default stops at 64 KiB): a fast download needs a quarter of
                // the reads, and of the window updates each read sends the target.
                .option(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(64, 2048, TcpSplice.BATCH))
                // A target's FIN is a half-close to pass on, not the end of the tunnel.
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                // What the target sends before the splice is held until then: the client has not had its 200 yet.
                .handler(new EarlyTarget())
                .connect(address);
        connecting.addListener(done -> {
            if (done.isSuccess()) {
                if (!attempt.complete(new ChannelTarget(connecting.channel()))) {
                    connecting.channel().close();
                }
            } else {
                Throwable cause = done.cause();
                // Happy Eyeballs tells a timeout from a refusal by type; Netty's is a ConnectException.
                attempt.completeExceptionally(cause instanceof ConnectTimeoutException
                        ? new SocketTimeoutException(cause.getMessage()) : cause);
            }
        });
        attempt.whenComplete((target, failure) -> {
            if (attempt.isCancelled()) {
                connecting.cancel(false);
                connecting.channel().close();
            }
        });
        return attempt;
    }

    @Override
    public void splice(TcpTarget target, Duration idleTimeout, TunnelMeter meter) {
        Channel tcp = ((ChannelTarget) target).channel();
        CompletableFuture<Void> over = new CompletableFuture<>();
        QuicStreamChannel stream = bridge.channel();
        stream.eventLoop().execute(() -> new TcpSplice(stream, tcp, maxDataFrameSize, idleTimeout, meter, over)
                .start(bridge.detach()));
        over.join();
    }

    private record ChannelTarget(Channel channel) implements TcpTarget {
        @Override
        public InetSocketAddress remoteAddress() {
            return (InetSocketAddress) channel.remoteAddress();
        }

        @Override
        public void close() {
            channel.close(); // its EarlyTarget releases what it held as the pipeline is torn down
        }
    }
}
