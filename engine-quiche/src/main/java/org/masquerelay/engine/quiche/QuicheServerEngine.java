package org.masquerelay.engine.quiche;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicChannelOption;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicTokenHandler;
import org.masquerelay.engine.ConnectionHandler;
import org.masquerelay.engine.EngineSettings;
import org.masquerelay.engine.ServerEngine;
import org.masquerelay.wire.H3;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
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
 * Retry, no 0-RTT, optionally mutual TLS. One event-loop thread does all QUIC work; request streams run on virtual
 * threads through {@link StreamBridge}.
 */
public final class QuicheServerEngine implements ServerEngine {
    private static final System.Logger LOG = System.getLogger(QuicheServerEngine.class.getName());

    private final EventLoopGroup group;
    private final Channel udp;
    private final Set<QuicChannel> connections;
    private final InetSocketAddress localAddress;

    private QuicheServerEngine(EventLoopGroup group, Channel udp, Set<QuicChannel> connections) {
        this.group = group;
        this.udp = udp;
        this.connections = connections;
        this.localAddress = (InetSocketAddress) udp.localAddress();
    }

    /** Binds the socket and starts accepting connections. */
    public static QuicheServerEngine start(InetSocketAddress bind, EngineSettings settings, ConnectionHandler handler) throws IOException {
        NativeQuic.ensureAvailable("listener on " + bind);
        QuicSslContext ssl = Tls.server(settings);
        Transport transport = Transport.best();
        Set<QuicChannel> connections = ConcurrentHashMap.newKeySet();
        AtomicInteger admitted = new AtomicInteger();

        ChannelHandler codec = new QuicServerCodecBuilder()
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
                .tokenHandler(NoRetry.INSTANCE)
                .option(QuicChannelOption.SEGMENTED_DATAGRAM_PACKET_ALLOCATOR, transport.segmentedAllocator())
                .handler(new ChannelInitializer<QuicChannel>() {
                    @Override
                    protected void initChannel(QuicChannel quic) {
                        QuicheServerConnection connection = new QuicheServerConnection(quic, handler, () -> {
                            if (admitted.incrementAndGet() > settings.maxConnections()) {
                                admitted.decrementAndGet();
                                return false;
                            }
                            connections.add(quic);
                            quic.closeFuture().addListener(f -> {
                                connections.remove(quic);
                                admitted.decrementAndGet();
                            });
                            return true;
                        }, settings.maxFieldSectionSize(), settings.maxDataFrameSize());
                        quic.pipeline().addLast(connection.events());
                    }
                })
                .streamHandler(new ChannelInitializer<QuicStreamChannel>() {
                    @Override
                    protected void initChannel(QuicStreamChannel stream) {
                        QuicheConnection connection = stream.parent().attr(QuicheConnection.KEY).get();
                        connection.peerStreamOpened(stream);
                    }
                })
                .build();

        EventLoopGroup group = transport.newGroup(1, "quiche-server");
        try {
            Channel udp = new Bootstrap().group(group).channel(transport.datagramChannel()).handler(codec)
                    .bind(bind).sync().channel();
            LOG.log(INFO, "quiche engine on {0} ({1}{2})", udp.localAddress(), transport,
                    settings.requiresClientCertificates() ? ", client certificates required" : "");
            return new QuicheServerEngine(group, udp, connections);
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("cannot start the QUIC listener on " + bind + ": " + e.getMessage(), e);
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public void close() {
        try {
            // Each connection stops its streams, lets the peer acknowledge what is in flight, then closes (see
            // QuicheConnection.shutdown); the socket stays open until then, or the CONNECTION_CLOSE never leaves.
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
            udp.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
    }

    /** No Retry (as with Kwik): address validation would cost every client a round trip. */
    private enum NoRetry implements QuicTokenHandler {
        INSTANCE;

        @Override
        public boolean writeToken(ByteBuf out, ByteBuf dcid, InetSocketAddress address) {
            return false;
        }

        @Override
        public int validateToken(ByteBuf token, InetSocketAddress address) {
            return 0;
        }

        @Override
        public int maxTokenLength() {
            return 0;
        }
    }
}
