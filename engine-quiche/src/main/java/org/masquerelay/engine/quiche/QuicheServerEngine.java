package org.masquerelay.engine.quiche;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.handler.codec.quic.QuicCodecDispatcher;
import io.netty.handler.codec.quic.QuicConnectionIdGenerator;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicChannelOption;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicStreamChannel;
import org.masquerelay.engine.ConnectionHandler;
import org.masquerelay.engine.EngineSettings;
import org.masquerelay.engine.ServerEngine;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.QuicLbConnectionId;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * An HTTP/3 listener on Netty's QUIC codec (quiche + BoringSSL): one UDP socket, ALPN "h3", QUIC DATAGRAM enabled, no
 * Retry only under load (RetryUnderLoad), no 0-RTT, optionally mutual TLS. One event loop per core (SO_REUSEPORT sockets on one address) does all QUIC
 * work and carries the tunnels' bytes; request set-up runs on virtual threads through {@link StreamBridge}.
 */
public final class QuicheServerEngine implements ServerEngine {
    private static final System.Logger LOG = System.getLogger(QuicheServerEngine.class.getName());

    private final EventLoopGroup group;
    private final List<Channel> sockets;
    private final Set<QuicChannel> connections;
    private final InetSocketAddress localAddress;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicBoolean draining;
    private final RotatingKeyManager keys;

    private QuicheServerEngine(EventLoopGroup group, List<Channel> sockets, Set<QuicChannel> connections,
                               java.util.concurrent.atomic.AtomicBoolean draining, RotatingKeyManager keys) {
        this.keys = keys;
        this.group = group;
        this.sockets = sockets;
        this.connections = connections;
        this.draining = draining;
        this.localAddress = (InetSocketAddress) sockets.get(0).localAddress();
    }

    /** Binds the socket and starts accepting connections. */
    public static QuicheServerEngine start(InetSocketAddress bind, EngineSettings settings, ConnectionHandler handler) throws IOException {
        NativeQuic.ensureAvailable("listener on " + bind);
        RotatingKeyManager keys = new RotatingKeyManager(Tls.serverIdentity(settings.keyStore(), settings.keyAlias(), settings.keyPassword()));
        QuicSslContext ssl = Tls.server(settings, keys);
        Transport transport = Transport.best();
        Set<QuicChannel> connections = ConcurrentHashMap.newKeySet();
        AtomicInteger admitted = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean draining = new java.util.concurrent.atomic.AtomicBoolean();
        AtomicInteger handshaking = new AtomicInteger();

        QuicServerCodecBuilder codecs = new QuicServerCodecBuilder()
                .sslContext(ssl)
                .maxIdleTimeout(settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .initialMaxData(Math.max(16L * 1024 * 1024, 4 * settings.streamWindow()))
                .initialMaxStreamDataBidirectionalRemote(settings.streamWindow())
                .initialMaxStreamDataBidirectionalLocal(settings.streamWindow())
                .initialMaxStreamDataUnidirectional(64 * 1024)
                .initialMaxStreamsBidirectional(settings.maxStreamsPerConnection())
                // RFC 9114 §6.2 needs 3 (control, QPACK encoder, decoder); room for reserved (GREASE) types besides.
                .initialMaxStreamsUnidirectional(16)
                .datagram(2048, 2048)
                // quiche sends at most 1200-byte UDP payloads by default, which leaves ~1150 bytes per DATAGRAM: too
                // few for a QUIC packet carried in connect-udp (1200 bytes + quarter stream id + context id), so
                // Apple's QUIC-in-MASQUE flows would be dropped. 1350 is what browsers use.
                .maxSendUdpPayloadSize(QuicheConnection.MAX_UDP_PAYLOAD)
                .maxRecvUdpPayloadSize(QuicheConnection.MAX_UDP_PAYLOAD)
                .tokenHandler(new RetryUnderLoad(settings.retryAboveHandshakes(), handshaking))
                .option(QuicChannelOption.SEGMENTED_DATAGRAM_PACKET_ALLOCATOR, transport.segmentedAllocator())
                .flushStrategy(transport.flushStrategy(QuicheConnection.MAX_UDP_PAYLOAD))
                .option(QuicChannelOption.QLOG, QuicheConnection.qlog("relay"))
                .handler(new ChannelInitializer<QuicChannel>() {
                    @Override
                    protected void initChannel(QuicChannel quic) {
                        // In flight from here to the handshake's end (admission) or the connection's: what Retry
                        // under load counts.
                        handshaking.incrementAndGet();
                        java.util.concurrent.atomic.AtomicBoolean inFlight = new java.util.concurrent.atomic.AtomicBoolean(true);
                        Runnable handshakeOver = () -> {
                            if (inFlight.compareAndSet(true, false)) {
                                handshaking.decrementAndGet();
                            }
                        };
                        quic.closeFuture().addListener(f -> handshakeOver.run());
                        QuicheServerConnection connection = new QuicheServerConnection(quic, handler, remote -> {
                            handshakeOver.run();
                            if (admitted.incrementAndGet() > settings.maxConnections()) {
                                admitted.decrementAndGet();
                                return Optional.of(new QuicheServerConnection.Refusal(H3.H3_EXCESSIVE_LOAD,
                                        settings.maxConnections() + " connections open already"));
                            }
                            Optional<String> refusal = settings.clientAdmission().admit(remote.getAddress());
                            if (refusal.isPresent()) {
                                admitted.decrementAndGet();
                                return Optional.of(new QuicheServerConnection.Refusal(H3.H3_EXCESSIVE_LOAD, refusal.get()));
                            }
                            connections.add(quic);
                            quic.closeFuture().addListener(f -> {
                                connections.remove(quic);
                                admitted.decrementAndGet();
                                settings.clientAdmission().released(remote.getAddress());
                            });
                            // Checked after joining the set: either drain() sees this connection or it sees the flag.
                            if (draining.get()) {
                                return Optional.of(new QuicheServerConnection.Refusal(H3.H3_NO_ERROR,
                                        "relay is shutting down"));
                            }
                            return Optional.empty();
                        }, settings.maxFieldSectionSize(), settings.maxDataFrameSize(), settings.pendingDatagrams(),
                                settings.unfinishedRequests());
                        quic.pipeline().addLast(connection.events());
                    }
                })
                .streamHandler(new ChannelInitializer<QuicStreamChannel>() {
                    @Override
                    protected void initChannel(QuicStreamChannel stream) {
                        QuicheConnection connection = stream.parent().attr(QuicheConnection.KEY).get();
                        connection.peerStreamOpened(stream);
                    }
                });

        // One event loop per socket: with SO_REUSEPORT (epoll) every loop binds the same address, the kernel spreads
        // new flows over them, and the dispatcher hands a packet to the loop whose codec issued its connection ID
        // (its index is in the first two bytes, or behind the QUIC-LB server ID), so a connection and its tunnels always stay on one loop.
        int loops = transport.epoll() ? settings.eventLoopThreads() : 1;
        EventLoopGroup group = transport.newGroup(loops, "quiche-server");
        try {
            List<Channel> sockets = new ArrayList<>();
            if (loops == 1) {
                // One loop, no dispatcher: with a server ID, the IDs still carry loop index 0, so they look the same.
                QuicServerCodecBuilder single = settings.routableIds().isEmpty() ? codecs : codecs.clone()
                        .localConnectionIdLength(QuicLbConnectionId.LENGTH)
                        .connectionIdAddressGenerator(new RoutableConnectionIds(settings.routableIds().get(), 0));
                sockets.add(transport.udpOptions(new Bootstrap()).group(group).channel(transport.datagramChannel()).handler(single.build())
                        .bind(bind).sync().channel());
            } else {
                QuicCodecDispatcher dispatcher;
                if (settings.routableIds().isPresent()) {
                    // QUIC-LB and the dispatcher both route by connection ID: RoutableConnectionIds.dispatcher
                    // explains how they share it.
                    dispatcher = RoutableConnectionIds.dispatcher(settings.routableIds().get(), (channel, ids) ->
                            channel.pipeline().addLast(codecs.clone().localConnectionIdLength(QuicLbConnectionId.LENGTH)
                                    .connectionIdAddressGenerator(ids).build()));
                } else {
                    dispatcher = new QuicCodecDispatcher() {
                        @Override
                        protected void initChannel(Channel channel, int connectionIdLength, QuicConnectionIdGenerator ids) {
                            channel.pipeline().addLast(codecs.clone().localConnectionIdLength(connectionIdLength)
                                    .connectionIdAddressGenerator(ids).build());
                        }
                    };
                }
                Bootstrap bootstrap = transport.udpOptions(new Bootstrap()).group(group).channel(transport.datagramChannel())
                        .option(EpollChannelOption.SO_REUSEPORT, true).handler(dispatcher);
                InetSocketAddress address = bind;
                for (int i = 0; i < loops; i++) {
                    Channel socket = bootstrap.bind(address).sync().channel();
                    sockets.add(socket);
                    address = (InetSocketAddress) socket.localAddress(); // port 0: the others take the same port
                }
            }
            Channel udp = sockets.get(0);
            LOG.log(INFO, "quiche engine on {0} ({1}, {2} event loop{3}{4}{5})", udp.localAddress(), transport, loops,
                    loops == 1 ? "" : "s", settings.requiresClientCertificates() ? ", client certificates required" : "",
                    settings.routableIds().map(id -> ", QUIC-LB server ID " + id).orElse(""));
            return new QuicheServerEngine(group, sockets, connections, draining, keys);
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            Throwable cause = e;
            if (String.valueOf(e.getMessage()).contains("Address already in use")) {
                // Netty's epoll error is a plain IOException; callers name a port in use by its BindException.
                cause = new java.net.BindException("Address already in use");
                cause.addSuppressed(e);
            }
            throw new IOException("cannot start the QUIC listener on " + bind + ": " + e.getMessage(), cause);
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** Live: BoringSSL asks the key manager in every handshake, so the next handshake presents the new identity. */
    @Override
    public boolean replaceIdentity(java.security.KeyStore keyStore, String alias, char[] password) throws IOException {
        keys.replace(Tls.serverIdentity(keyStore, alias, password));
        return true;
    }

    @Override
    public int openConnections() {
        return connections.size();
    }

    @Override
    public int drain() {
        if (!draining.compareAndSet(false, true)) {
            return 0;
        }
        int told = 0;
        for (QuicChannel quic : connections) {
            if (quic.attr(QuicheConnection.KEY).get() instanceof QuicheConnection connection && connection.goAway()) {
                told++;
            }
        }
        return told;
    }

    /**
     * Tells every client, then lets go: each connection stops its request streams, lets the peer acknowledge what is
     * in flight and closes with CONNECTION_CLOSE (H3_NO_ERROR; see {@link QuicheConnection#shutdown}), and only then
     * are the sockets flushed and closed. quiche sends a CONNECTION_CLOSE only within the congestion window and Netty
     * frees the connection after one attempt, so closed straight away in the middle of a download the close was never
     * sent and clients waited out their idle timeout. Every step is bounded; a second close does nothing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return; // once: a second close would hand work to event loops that have ended
        }
        try {
            List<CompletableFuture<Void>> closing = new ArrayList<>();
            for (QuicChannel quic : connections) {
                QuicheConnection connection = quic.attr(QuicheConnection.KEY).get();
                if (connection != null) {
                    closing.add(connection.shutdown(H3.H3_NO_ERROR, "relay shutting down"));
                }
            }
            try {
                CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.log(WARNING, "not every connection closed in time: {0}", e.toString());
            }
            // Whatever the codecs still hold (the last close packets) goes out before the sockets close.
            for (Channel udp : sockets) {
                udp.eventLoop().submit(() -> udp.flush()).awaitUninterruptibly(1, TimeUnit.SECONDS);
            }
            for (Channel udp : sockets) {
                udp.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
    }

}
