package org.masquerelay.engine.h2;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.masquerelay.engine.ClientEngineSettings;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Opens a client's connections to a relay's TCP listener (TLS, then HTTP/2 or HTTP/1.1 as ALPN decides) with
 * Netty's codecs, for networks where QUIC cannot get through — Apple's {@code HTTP2RelayURL} path. Offering h2, a
 * relay that only speaks HTTP/1.1 is still used (as curl's {@code --proxy-http2} does). One event-loop thread,
 * shared by every such connection of the JVM.
 */
public final class H2ClientEngine {
    private static final Object GROUP_LOCK = new Object();
    private static EventLoopGroup sharedGroup;

    private H2ClientEngine() {}

    /**
     * Connects (TCP, TLS with ALPN) and readies the protocol: HTTP/2 waits for the relay's SETTINGS, HTTP/1.1 keeps
     * this first TLS connection for the first tunnel (each HTTP/1.1 tunnel has a connection of its own).
     *
     * @param offerH2 offer {@code h2} before {@code http/1.1}; false: HTTP/1.1 only
     * @throws IOException whose message says what failed (name, refused, timeout, TLS, certificate)
     */
    public static TlsClientConnection connect(ClientEngineSettings settings, boolean offerH2) throws IOException {
        SslContext tls = ClientTls.context(settings, offerH2);
        Dialed dialed = dial(settings, tls, offerH2);
        if (dialed.protocol().equals(ApplicationProtocolNames.HTTP_2)) {
            H2ClientConnection h2 = dialed.h2();
            h2.awaitSettings();
            return h2;
        }
        return new H1ClientConnection(settings, tls, dialed.channel());
    }

    /**
     * Does now the one-time work of a first {@link #connect} (the JDK's TLS context, the event loop), so that a race
     * with HTTP/3 (the client's auto mode) times handshakes, not class loading. Never connects.
     */
    public static void prepare(ClientEngineSettings settings) throws IOException {
        ClientTls.context(settings, true).newEngine(io.netty.buffer.ByteBufAllocator.DEFAULT).closeOutbound();
        group();
    }

    /** A TLS connection ready for its protocol: for h2 with Netty's HTTP/2 codec installed. */
    record Dialed(Channel channel, String protocol, H2ClientConnection h2) {}

    static Dialed dial(ClientEngineSettings settings, SslContext tls, boolean offerH2) throws IOException {
        String where = settings.host() + ":" + settings.port();
        InetSocketAddress remote;
        try {
            remote = new InetSocketAddress(InetAddress.getByName(settings.host()), settings.port());
        } catch (UnknownHostException e) {
            throw new IOException("cannot resolve the relay's host name " + settings.host() + ": " + e.getMessage(), e);
        }
        long timeoutMillis = settings.connectTimeout().toMillis();
        CompletableFuture<Dialed> ready = new CompletableFuture<>();
        ChannelFuture connecting = new Bootstrap().group(group()).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
                .option(ChannelOption.TCP_NODELAY, true)
                // The relay's FIN (or close_notify) ends its side of an HTTP/1.1 tunnel; ours may still have bytes.
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SslHandler ssl = tls.newHandler(ch.alloc(), settings.host(), settings.port());
                        ssl.setHandshakeTimeoutMillis(timeoutMillis);
                        ch.pipeline().addLast(ssl, new Negotiated(ready, settings, offerH2));
                    }
                })
                .connect(remote);
        connecting.addListener(f -> {
            if (!f.isSuccess()) {
                ready.completeExceptionally(f.cause());
            }
        });
        try {
            return ready.get(timeoutMillis + 1000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            connecting.channel().close();
            throw new IOException("cannot connect to the relay at " + where + " over TCP: timed out after "
                    + timeoutMillis + " ms");
        } catch (ExecutionException e) {
            connecting.channel().close();
            Throwable cause = e.getCause();
            throw new IOException("cannot connect to the relay at " + where + " over TCP: " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            connecting.channel().close();
            throw new IOException("interrupted while connecting to " + where);
        }
    }

    /** After the TLS handshake: the protocol ALPN chose (none: HTTP/1.1, as curl assumes). */
    private static final class Negotiated extends ApplicationProtocolNegotiationHandler {
        private final CompletableFuture<Dialed> ready;
        private final ClientEngineSettings settings;
        private final boolean offerH2;

        Negotiated(CompletableFuture<Dialed> ready, ClientEngineSettings settings, boolean offerH2) {
            super(ApplicationProtocolNames.HTTP_1_1);
            this.ready = ready;
            this.settings = settings;
            this.offerH2 = offerH2;
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            if (offerH2 && ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                ready.complete(new Dialed(ctx.channel(), protocol, H2ClientConnection.install(ctx.channel(), settings.connectTimeout())));
            } else if (ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
                ready.complete(new Dialed(ctx.channel(), protocol, null));
            } else {
                ready.completeExceptionally(new IOException("the relay chose ALPN '" + protocol + "', which was not offered"));
                ctx.close();
            }
        }

        @Override
        protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
            ready.completeExceptionally(cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            ready.completeExceptionally(new IOException("the relay closed the TCP connection during the TLS handshake"));
            super.channelInactive(ctx);
        }
    }

    static EventLoopGroup group() {
        synchronized (GROUP_LOCK) {
            if (sharedGroup == null) {
                sharedGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("h2-client", true),
                        NioIoHandler.newFactory());
            }
            return sharedGroup;
        }
    }

    /**
     * Ends the shared event loop now (the next connection starts a new one): a command-line tool calls it once its
     * connections are closed, so that the JVM's exit does not wait for the thread's quiet period.
     */
    public static void releaseThreads() {
        EventLoopGroup group;
        synchronized (GROUP_LOCK) {
            group = sharedGroup;
            sharedGroup = null;
        }
        if (group != null) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
    }
}
