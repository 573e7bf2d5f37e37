package org.masquerelay.server.tcp;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.masquerelay.server.tcp.TcpRelay.T;

/**
 * Netty's HTTP/2 client (its frame codec and per-stream child channels; a peer whose HTTP/2 we did not write), for
 * what Jetty's low-level client does not show us: extended CONNECT (RFC 8441) and data read while the client's side
 * is still open.
 */
final class NettyH2 implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel connection;
    /** The last stream id of the relay's GOAWAY, once one arrives. */
    final CompletableFuture<Integer> goAway = new CompletableFuture<>();

    NettyH2(InetSocketAddress relay, Path caCertificate) throws Exception {
        SslContext tls = SslContextBuilder.forClient().trustManager(caCertificate.toFile())
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2))
                .build();
        connection = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc(), "127.0.0.1", relay.getPort()),
                                Http2FrameCodecBuilder.forClient().build(),
                                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()),
                                new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        if (msg instanceof Http2GoAwayFrame frame) {
                                            goAway.complete(frame.lastStreamId());
                                        }
                                        ReferenceCountUtil.release(msg);
                                    }
                                });
                    }
                }).connect(relay).sync().channel();
    }

    /** Opens a stream and sends the request's HEADERS (END_STREAM not set). */
    Stream open(Http2Headers request) throws Exception {
        Stream stream = new Stream();
        Http2StreamChannel channel = new Http2StreamChannelBootstrap(connection).handler(stream).open()
                .get(T.toMillis(), TimeUnit.MILLISECONDS);
        stream.channel = channel;
        channel.writeAndFlush(new DefaultHttp2HeadersFrame(request, false)).sync();
        return stream;
    }

    /** Whether the relay ended the connection within {@code T}. */
    boolean closedByRelay() {
        return connection.closeFuture().awaitUninterruptibly(T.toMillis());
    }

    static Http2Headers connectUdp(String authority, String path) {
        return new DefaultHttp2Headers().method("CONNECT").add(":protocol", "connect-udp").scheme("https")
                .authority(authority).path(path).add("capsule-protocol", "?1");
    }

    static Http2Headers connect(String authority) {
        return new DefaultHttp2Headers().method("CONNECT").authority(authority);
    }

    @Override
    public void close() {
        connection.close().awaitUninterruptibly(T.toMillis());
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(T.toMillis());
    }

    /** One stream: its response headers, its DATA as a blocking InputStream, writes. */
    static final class Stream extends ChannelInboundHandlerAdapter {
        private static final Object EOF = new Object();
        volatile Http2StreamChannel channel;
        final CompletableFuture<Http2Headers> response = new CompletableFuture<>();
        private final BlockingQueue<Object> chunks = new LinkedBlockingQueue<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame headers) {
                    response.complete(headers.headers());
                    if (headers.isEndStream()) {
                        chunks.add(EOF);
                    }
                } else if (msg instanceof Http2DataFrame data) {
                    byte[] bytes = new byte[data.content().readableBytes()];
                    data.content().readBytes(bytes);
                    chunks.add(bytes);
                    if (data.isEndStream()) {
                        chunks.add(EOF);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof Http2ResetFrame reset) {
                chunks.add(new IOException("stream reset: " + reset.errorCode()));
            }
        }

        int status() throws Exception {
            return Integer.parseInt(response.get(T.toMillis(), TimeUnit.MILLISECONDS).status().toString());
        }

        void write(byte[] bytes, boolean last) throws Exception {
            ByteBuf buffer = Unpooled.wrappedBuffer(bytes);
            channel.writeAndFlush(new DefaultHttp2DataFrame(buffer, last)).sync();
        }

        final InputStream in = new InputStream() {
            private byte[] current = new byte[0];
            private int position;
            private boolean eof;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                while (position >= current.length) {
                    if (eof) {
                        return -1;
                    }
                    Object next;
                    try {
                        next = chunks.poll(T.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                    if (next == null) {
                        throw new java.net.SocketTimeoutException("no data within " + T);
                    }
                    if (next instanceof IOException e) {
                        throw e;
                    }
                    if (next == EOF) {
                        eof = true;
                        continue;
                    }
                    current = (byte[]) next;
                    position = 0;
                }
                int n = Math.min(len, current.length - position);
                System.arraycopy(current, position, b, off, n);
                position += n;
                return n;
            }
        };
    }
}
