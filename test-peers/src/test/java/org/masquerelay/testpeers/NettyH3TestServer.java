package org.masquerelay.testpeers;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.http3.DefaultHttp3DataFrame;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.DefaultHttp3SettingsFrame;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.http3.Http3ServerConnectionHandler;
import io.netty.handler.codec.http3.Http3Settings;
import io.netty.handler.codec.http3.Http3SettingsFrame;
import io.netty.handler.codec.http3.Http3UnknownFrame;
import io.netty.handler.codec.quic.InsecureQuicTokenHandler;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamResetException;
import io.netty.util.ReferenceCountUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A small HTTP/3 server on Netty, only to prove {@link NettyH3Client} in this module's tests. It records what it
 * receives and behaves by {@code :authority} host:
 * <ul>
 * <li>{@code reset.test:N} — resets the request stream with error code N (RESET_STREAM + STOP_SENDING)</li>
 * <li>{@code fin.test:1} — 200, then "bye" and FIN</li>
 * <li>{@code status.test:N} — status N with a {@code proxy-status} header, then FIN</li>
 * <li>anything else with CONNECT — 200 and an echo of every DATA payload (capsules included, frame by frame), FIN
 * answered by FIN; QUIC datagrams are echoed unchanged on the connection</li>
 * </ul>
 */
final class NettyH3TestServer implements AutoCloseable {
    /** A decoded request HEADERS: field lines in Netty's order (pseudo-headers first). */
    record Request(long streamId, List<Map.Entry<String, String>> fields) {
        String get(String name) {
            return fields.stream().filter(e -> e.getKey().equals(name)).map(Map.Entry::getValue).findFirst()
                    .orElse(null);
        }

        boolean has(String name) {
            return get(name) != null;
        }
    }

    static final long GREASE_SETTING = RawH3.grease(3);

    final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    final BlockingQueue<Long> unknownRequestFrameTypes = new LinkedBlockingQueue<>();
    final BlockingQueue<Long> unknownControlFrameTypes = new LinkedBlockingQueue<>();
    final BlockingQueue<Long> unknownStreamTypes = new LinkedBlockingQueue<>();
    final BlockingQueue<Long> resetsReceived = new LinkedBlockingQueue<>();
    final BlockingQueue<Map<Long, Long>> clientSettings = new LinkedBlockingQueue<>();

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final TestCertificate certificate;
    private final Channel channel;

    NettyH3TestServer(InetAddress bind, boolean datagrams, TestCertificate certificate) throws Exception {
        this.certificate = certificate;
        var codec = Http3.newQuicServerCodecBuilder()
                .sslContext(QuicSslContextBuilder.forServer(certificate.key(), null, certificate.certificate())
                        .applicationProtocols("h3").build())
                .maxIdleTimeout(60, TimeUnit.SECONDS)
                .initialMaxData(64L << 20)
                .initialMaxStreamDataBidirectionalLocal(16L << 20)
                .initialMaxStreamDataBidirectionalRemote(16L << 20)
                .initialMaxStreamDataUnidirectional(1L << 20)
                .initialMaxStreamsBidirectional(100)
                .initialMaxStreamsUnidirectional(100)
                .tokenHandler(InsecureQuicTokenHandler.INSTANCE)
                .handler(new ChannelInitializer<QuicChannel>() {
                    @Override
                    protected void initChannel(QuicChannel ch) {
                        Http3Settings settings = new Http3Settings((id, value) -> true)
                                .enableConnectProtocol(true).enableH3Datagram(datagrams);
                        settings.put(GREASE_SETTING, 5L);
                        ch.pipeline().addLast(new Http3ServerConnectionHandler(
                                new ChannelInitializer<QuicStreamChannel>() {
                                    @Override
                                    protected void initChannel(QuicStreamChannel stream) {
                                        stream.pipeline().addLast(new RequestHandler());
                                    }
                                },
                                new ControlFrameRecorder(),
                                type -> {
                                    unknownStreamTypes.add(type);
                                    return new Discard();
                                },
                                new DefaultHttp3SettingsFrame(settings), true, (id, value) -> true));
                        ch.pipeline().addLast(new DatagramEcho());
                    }
                });
        if (datagrams) {
            codec.datagram(4096, 4096);
        }
        channel = new Bootstrap().group(group).channel(NioDatagramChannel.class).handler(codec.build())
                .bind(new InetSocketAddress(bind, 0)).sync().channel();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    Path certificatePem() {
        return certificate.pem();
    }

    static <T> T poll(BlockingQueue<T> queue, Duration timeout) throws InterruptedException {
        return queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private final class RequestHandler extends ChannelInboundHandlerAdapter {
        private boolean echo;
        private ChannelFuture lastEcho;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http3HeadersFrame headers) {
                    onRequest(ctx, headers);
                } else if (msg instanceof Http3DataFrame data && echo) {
                    lastEcho = ctx.writeAndFlush(new DefaultHttp3DataFrame(data.content().retain()));
                } else if (msg instanceof Http3UnknownFrame unknown) {
                    unknownRequestFrameTypes.add(unknown.type());
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void onRequest(ChannelHandlerContext ctx, Http3HeadersFrame frame) {
            QuicStreamChannel stream = (QuicStreamChannel) ctx.channel();
            List<Map.Entry<String, String>> fields = new ArrayList<>();
            frame.headers().forEach(e -> fields.add(Map.entry(e.getKey().toString(), e.getValue().toString())));
            requests.add(new Request(stream.streamId(), fields));

            String authority = String.valueOf(frame.headers().authority());
            String host = authority.substring(0, Math.max(0, authority.lastIndexOf(':')));
            String port = authority.substring(authority.lastIndexOf(':') + 1);
            switch (host) {
                case "reset.test" -> stream.shutdown(Integer.parseInt(port));
                case "fin.test" -> {
                    ctx.write(response("200"));
                    ctx.writeAndFlush(new DefaultHttp3DataFrame(Unpooled.copiedBuffer("bye", StandardCharsets.US_ASCII)))
                            .addListener(QuicStreamChannel.SHUTDOWN_OUTPUT);
                }
                case "status.test" -> {
                    Http3HeadersFrame response = response(port);
                    response.headers().add("proxy-status", "test; error=destination_unavailable");
                    ctx.writeAndFlush(response).addListener(QuicStreamChannel.SHUTDOWN_OUTPUT);
                }
                default -> {
                    Http3HeadersFrame response = response("200");
                    if (frame.headers().protocol() != null) {
                        response.headers().add("capsule-protocol", "?1");
                    }
                    echo = true;
                    ctx.writeAndFlush(response);
                }
            }
        }

        private static Http3HeadersFrame response(String status) {
            Http3HeadersFrame response = new DefaultHttp3HeadersFrame();
            response.headers().status(status);
            return response;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ChannelInputShutdownReadComplete.INSTANCE && echo) {
                // FIN answers FIN, after the echo: a FIN while writes still wait for flow control would close the
                // stream and fail them.
                if (lastEcho == null) {
                    ((QuicStreamChannel) ctx.channel()).shutdownOutput();
                } else {
                    lastEcho.addListener(QuicStreamChannel.SHUTDOWN_OUTPUT);
                }
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof QuicStreamResetException reset) {
                resetsReceived.add(reset.applicationProtocolCode());
            }
            // Nothing else: Netty has already reset a stream it found malformed; closing would add a FIN.
        }
    }

    private final class ControlFrameRecorder extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http3SettingsFrame settings) {
                    Map<Long, Long> map = new java.util.LinkedHashMap<>();
                    settings.forEach(e -> map.put(e.getKey(), e.getValue()));
                    clientSettings.add(map);
                } else if (msg instanceof Http3UnknownFrame unknown) {
                    unknownControlFrameTypes.add(unknown.type());
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    private static final class Discard extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Echoes QUIC datagrams unchanged: same quarter stream id and context id, so they return to the tunnel. */
    private static final class DatagramEcho extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf datagram) {
                ctx.channel().writeAndFlush(datagram);
            } else {
                ctx.fireChannelRead(msg); // stream channels: Netty registers them at the tail
            }
        }
    }
}
