package org.masquerelay.engine.h2;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.masquerelay.engine.ConnectionHandler;
import org.masquerelay.engine.EngineSettings;
import org.masquerelay.engine.ServerEngine;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.INFO;

/**
 * The relay's listener over TLS on TCP, for clients that cannot reach it over UDP (Apple's {@code HTTP2RelayURL}):
 * HTTP/2 (ALPN {@code h2}) and HTTP/1.1 (ALPN {@code http/1.1} or none) with Netty's codecs, epoll where it loads.
 * Requests reach the same {@link ConnectionHandler} as HTTP/3 ones, so policy, auth, limits, answers and tunnel logs
 * are the relay's, whatever the transport.
 */
public final class H2ServerEngine implements ServerEngine {
    private static final System.Logger LOG = System.getLogger(H2ServerEngine.class.getName());

    private final EventLoopGroup group;
    private final Channel server;
    private final Set<Channel> connections;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean draining;
    private final EngineSettings settings;
    /** What new connections' TLS handshakes present: swapped whole by {@link #replaceIdentity}. */
    private final AtomicReference<SslContext> tls;

    private H2ServerEngine(EventLoopGroup group, Channel server, Set<Channel> connections, AtomicBoolean draining,
                           EngineSettings settings, AtomicReference<SslContext> tls) {
        this.group = group;
        this.server = server;
        this.connections = connections;
        this.draining = draining;
        this.settings = settings;
        this.tls = tls;
    }

    public static H2ServerEngine start(InetSocketAddress bind, EngineSettings settings, ListenerOptions options,
                                       ConnectionHandler handler) throws IOException {
        AtomicReference<SslContext> tls = new AtomicReference<>(ServerTls.context(settings));
        AtomicBoolean draining = new AtomicBoolean();
        boolean epoll = epollAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(settings.eventLoopThreads(),
                new DefaultThreadFactory("h2-server", true), epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Set<Channel> connections = ConcurrentHashMap.newKeySet();
        AtomicInteger admitted = new AtomicInteger();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // A client's TCP FIN is the end of its side of an HTTP/1.1 tunnel, not of the connection.
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        if (draining.get()) {
                            LOG.log(DEBUG, "TCP connection from {0} refused: the relay is shutting down",
                                    channel.remoteAddress());
                            channel.close();
                            return;
                        }
                        if (admitted.incrementAndGet() > settings.maxConnections()) {
                            admitted.decrementAndGet();
                            LOG.log(DEBUG, "TCP connection from {0} refused: {1} connections open already",
                                    channel.remoteAddress(), settings.maxConnections());
                            channel.close();
                            return;
                        }
                        // The same per-address admission as the QUIC listener's (one instance: the limit spans both).
                        InetAddress client = channel.remoteAddress().getAddress();
                        Optional<String> refusal = settings.clientAdmission().admit(client);
                        if (refusal.isPresent()) {
                            admitted.decrementAndGet();
                            LOG.log(DEBUG, "TCP connection from {0} refused: {1}", channel.remoteAddress(), refusal.get());
                            channel.close();
                            return;
                        }
                        connections.add(channel);
                        channel.closeFuture().addListener(f -> {
                            connections.remove(channel);
                            admitted.decrementAndGet();
                            settings.clientAdmission().released(client);
                        });
                        channel.pipeline().addLast(
                                tls.get().newHandler(channel.alloc()),
                                new IdleStateHandler(0, 0, settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS),
                                new IdleConnectionCloser(),
                                new ProtocolSwitch(settings, options, handler, draining));
                    }
                });
        try {
            Channel server = bootstrap.bind(bind).sync().channel();
            LOG.log(INFO, "TLS/TCP listener on {0} (HTTP/2 and HTTP/1.1, {1}{2})", server.localAddress(),
                    epoll ? "epoll" : "NIO", settings.requiresClientCertificates() ? ", client certificates required" : "");
            return new H2ServerEngine(group, server, connections, draining, settings, tls);
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            Throwable cause = e;
            if (String.valueOf(e.getMessage()).contains("Address already in use")) {
                cause = new BindException("Address already in use");
                cause.addSuppressed(e);
            }
            throw new IOException("cannot start the TCP listener on " + bind + ": " + e.getMessage(), cause);
        }
    }

    private static boolean epollAvailable() {
        try {
            return Epoll.isAvailable();
        } catch (LinkageError e) {
            return false;
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) server.localAddress();
    }

    @Override
    public String transport() {
        return "h2";
    }

    /** Connections past their TLS handshake, with HTTP/2 or HTTP/1.1 chosen. */
    @Override
    public int openConnections() {
        return (int) connections.stream().filter(c -> c.attr(ProtocolSwitch.PROTOCOL).get() != null).count();
    }

    /**
     * New connections are refused from now on (closed at accept; one in its TLS handshake is closed once the handshake
     * ends). On each open one, on its event loop so that no request can slip in between: HTTP/2 gets GOAWAY (RFC 9113
     * §6.8; Netty names the last stream it accepted and refuses later ones), its open streams run on; HTTP/1.1 has no
     * GOAWAY and one request per connection here, so a connection that has sent its request (a tunnel) runs to the
     * tunnel's end and then closes as always, and one that has not yet is closed.
     */
    @Override
    public int drain() {
        if (!draining.compareAndSet(false, true)) {
            return 0;
        }
        int told = 0;
        for (Channel connection : connections) {
            if (connection.attr(ProtocolSwitch.PROTOCOL).get() != null) {
                told++;
            }
            connection.eventLoop().execute(() -> ProtocolSwitch.drain(connection));
        }
        return told;
    }

    /** New TLS handshakes present the new identity; open connections keep theirs. */
    @Override
    public boolean replaceIdentity(KeyStore keyStore, String alias, char[] password) throws IOException {
        tls.set(ServerTls.context(settings.newBuilder().identity(keyStore, alias, password).build()));
        return true;
    }

    /**
     * Stops accepting, closes every connection (HTTP/2 ones with GOAWAY; HTTP/1.1 ones reset, see {@link #cut}),
     * releases the threads. Once.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            for (Channel connection : connections) {
                if (connection.pipeline().get(io.netty.handler.codec.http2.Http2FrameCodec.class) != null) {
                    connection.close();
                } else {
                    cut(connection);
                }
            }
            for (Channel connection : connections) {
                connection.closeFuture().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
    }

    /**
     * An HTTP/1.1 connection ends with a TCP reset and no TLS close_notify. Its tunnel has no end-of-stream of its own:
     * close_notify and FIN are how the target's end reads, so a clean close here made a tunnel cut by the relay's
     * closing look finished to the client (interop case K, relay-client over HTTP/1.1: "the stream ended cleanly").
     * HTTP/2 needs none of this: a stream without END_STREAM when its connection goes is cut.
     */
    private static void cut(Channel connection) {
        connection.eventLoop().execute(() -> {
            io.netty.handler.ssl.SslHandler tls = connection.pipeline().get(io.netty.handler.ssl.SslHandler.class);
            if (tls != null) {
                connection.pipeline().remove(tls);
            }
            if (connection.isOpen()) {
                connection.config().setOption(ChannelOption.SO_LINGER, 0);
            }
            connection.close();
        });
    }
}
