package org.masquerelay.interop.variants;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ReferenceCountUtil;

import javax.net.ssl.KeyManagerFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;

/**
 * A deliberately small HTTP/2 relay on Netty's HTTP/2 codec (TLS, ALPN h2), independent of our engine-h2, so that each
 * HTTP/2 faulty relay gets exactly one thing wrong: whether its SETTINGS enable extended CONNECT, and what it does
 * with a classic CONNECT or a connect-udp ({@link Fault}). It serves no real tunnels: an accepted CONNECT echoes the
 * stream's DATA (for connect-udp, the DATAGRAM capsules come back as they went), which is all a probe needs.
 */
public final class MiniH2Server implements AutoCloseable {

    /** The one mistake, or none. */
    public enum Fault {
        NONE, NO_CONNECT_PROTOCOL, CONNECT_501, RESET_CONNECT, REJECTS_OPTIMISTIC_DATA, FIN_AFTER_200, CUSTOM_TEMPLATE_404,
        CUSTOM_TEMPLATE_RESET
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel listener;

    private MiniH2Server(InetSocketAddress bind, SslContext tls, Fault fault) throws IOException {
        Http2Settings settings = Http2Settings.defaultSettings();
        if (fault != Fault.NO_CONNECT_PROTOCOL) {
            settings.connectProtocolEnabled(true);
        }
        try {
            listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()),
                                    Http2FrameCodecBuilder.forServer().initialSettings(settings).build(),
                                    new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
                                        @Override
                                        protected void initChannel(Channel stream) {
                                            stream.pipeline().addLast(new FaultyStream(fault));
                                        }
                                    }),
                                    new ChannelInboundHandlerAdapter() {
                                        @Override
                                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                            // A client that refuses our certificate or goes away: that connection ends, quietly.
                                            ctx.close();
                                        }
                                    });
                        }
                    }).bind(bind).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IOException("interrupted", e);
        }
    }

    public static MiniH2Server start(InetSocketAddress bind, KeyStore keyStore, String alias, char[] password, Fault fault) throws IOException {
        try {
            KeyStore only = KeyStore.getInstance("PKCS12");
            only.load(null, null);
            only.setEntry(alias, keyStore.getEntry(alias, new KeyStore.PasswordProtection(password)), new KeyStore.PasswordProtection(password));
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(only, password);
            SslContext tls = SslContextBuilder.forServer(keys).protocols("TLSv1.3")
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2))
                    .build();
            return new MiniH2Server(bind, tls, fault);
        } catch (GeneralSecurityException e) {
            throw new IOException("the test identity does not load: " + e, e);
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    @Override
    public void close() {
        listener.close().awaitUninterruptibly(5000);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5000);
    }

    /** One request stream: answers it as the fault says, then echoes its DATA while the stream lasts. */
    private static final class FaultyStream extends ChannelInboundHandlerAdapter {
        private final Fault fault;
        private boolean echo;
        private boolean awaitingEarlyData;

        FaultyStream(Fault fault) {
            this.fault = fault;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame h) {
                    request(ctx, h.headers(), h.isEndStream());
                } else if (msg instanceof Http2DataFrame d) {
                    if (awaitingEarlyData && d.content().isReadable()) {
                        // The mistake: DATA before the 2xx is taken for a protocol error.
                        awaitingEarlyData = false;
                        ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR));
                    } else if (echo) {
                        ctx.writeAndFlush(new DefaultHttp2DataFrame(d.content().retain(), d.isEndStream()));
                    } else if (awaitingEarlyData && d.isEndStream()) {
                        respond(ctx, "200", true);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void request(ChannelHandlerContext ctx, Http2Headers headers, boolean endStream) {
            boolean connect = "CONNECT".contentEquals(headers.method());
            CharSequence protocol = headers.get(":protocol");
            if (connect && protocol == null) {
                switch (fault) {
                    case CONNECT_501 -> respond(ctx, "501", true);
                    case RESET_CONNECT -> ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
                    case FIN_AFTER_200 -> respond(ctx, "200", true);
                    case REJECTS_OPTIMISTIC_DATA -> awaitingEarlyData = true;
                    default -> {
                        respond(ctx, "200", false);
                        echo = true;
                    }
                }
            } else if (connect && "connect-udp".contentEquals(protocol)) {
                String path = String.valueOf(headers.path());
                boolean customOnly = fault == Fault.CUSTOM_TEMPLATE_404 || fault == Fault.CUSTOM_TEMPLATE_RESET;
                boolean served = path.startsWith(customOnly ? Behaviours.CUSTOM_UDP_PREFIX : Behaviours.DEFAULT_UDP_PREFIX);
                if (served) {
                    ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200").add("capsule-protocol", "?1"), false));
                    ctx.flush();
                    echo = true;
                } else if (fault == Fault.CUSTOM_TEMPLATE_RESET) {
                    ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
                } else {
                    respond(ctx, "404", true);
                }
            } else {
                respond(ctx, "404", true);
            }
        }

        private static void respond(ChannelHandlerContext ctx, String status, boolean endStream) {
            ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status(status), endStream));
        }
    }
}
