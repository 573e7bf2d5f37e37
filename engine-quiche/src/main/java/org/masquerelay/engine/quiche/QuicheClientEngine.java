package org.masquerelay.engine.quiche;

import org.masquerelay.engine.h3.LocalSettings;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicChannelOption;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.concurrent.Future;
import org.masquerelay.engine.ClientEngine;
import org.masquerelay.engine.ClientEngineSettings;
import org.masquerelay.engine.ClientConnection;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;

/**
 * Opens HTTP/3 connections with Netty's QUIC client (quiche + BoringSSL), each on a UDP socket of its own; one
 * event-loop thread, shared by every connection of this engine, does the QUIC work.
 * <p>
 * Not supported here: {@link ClientEngineSettings#socketSupplier()} (a UDP socket carried through another relay,
 * for chaining) — Netty needs a channel of its own; use the Kwik engine for chained relays.
 */
public final class QuicheClientEngine implements ClientEngine {
    private static final Object GROUP_LOCK = new Object();
    private static EventLoopGroup sharedGroup;
    private static Transport sharedTransport;

    /**
     * Ends the client event loop that every quiche client connection of this JVM shares (the next connection starts a
     * new one). A command-line tool calls it once it has closed its connections: an event-loop thread blocked in
     * epoll is "in native code", and {@code System.exit} waits up to 300 ms for such threads before it exits.
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

    /** Netty needs a channel of its own: no supplied sockets, so no relay chaining. */
    @Override
    public boolean acceptsSuppliedSockets() {
        return false;
    }

    /** The native library, a TLS context (BoringSSL's start-up) and the shared event loop: a cold start's cost. */
    @Override
    public void prepare(ClientEngineSettings settings) throws IOException {
        NativeQuic.ensureAvailable("client");
        Tls.client(settings);
        synchronized (GROUP_LOCK) {
            if (sharedGroup == null) {
                sharedTransport = Transport.best();
                sharedGroup = sharedTransport.newGroup(1, "quiche-client");
            }
        }
    }

    @Override
    public ClientConnection connect(ClientEngineSettings settings) throws IOException {
        NativeQuic.ensureAvailable("client");
        if (settings.socketSupplier() != null) {
            throw new IOException("the quiche engine cannot send through a supplied UDP socket (relay chaining); "
                    + "use the kwik engine for chained relays");
        }
        QuicSslContext ssl = Tls.client(settings);
        InetSocketAddress remote;
        try {
            remote = new InetSocketAddress(InetAddress.getByName(settings.host()), settings.port());
        } catch (UnknownHostException e) {
            throw new IOException("cannot resolve the relay's host name " + settings.host() + ": " + e.getMessage(), e);
        }
        EventLoopGroup group;
        Transport transport;
        synchronized (GROUP_LOCK) {
            if (sharedGroup == null) {
                sharedTransport = Transport.best();
                sharedGroup = sharedTransport.newGroup(1, "quiche-client");
            }
            group = sharedGroup;
            transport = sharedTransport;
        }
        ChannelHandler codec = new QuicClientCodecBuilder()
                .sslContext(ssl)
                // The peer's name for SNI and for the certificate check (an IP literal is checked against IP SANs).
                .sslEngineProvider(q -> ssl.newEngine(q.alloc(), settings.host(), settings.port()))
                .maxIdleTimeout(settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .initialMaxData(64L << 20)
                .initialMaxStreamDataBidirectionalLocal(16L << 20)
                .initialMaxStreamDataBidirectionalRemote(0)
                .initialMaxStreamDataUnidirectional(1L << 20)
                .initialMaxStreamsBidirectional(0)
                .initialMaxStreamsUnidirectional(16)
                .datagram(2048, 2048)
                // quiche sends at most 1200-byte UDP payloads by default, which leaves ~1150 bytes per DATAGRAM: too
                // few for a QUIC packet carried in connect-udp (1200 bytes + quarter stream id + context id), so
                // Apple's QUIC-in-MASQUE flows would be dropped. 1350 is what browsers use.
                .maxSendUdpPayloadSize(QuicheConnection.MAX_UDP_PAYLOAD)
                .maxRecvUdpPayloadSize(QuicheConnection.MAX_UDP_PAYLOAD)
                .flushStrategy(transport.flushStrategy(QuicheConnection.MAX_UDP_PAYLOAD))
                .build();
        Channel udp;
        try {
            InetAddress any = remote.getAddress() instanceof Inet6Address
                    ? InetAddress.getByName("::") : InetAddress.getByName("0.0.0.0");
            udp = transport.udpOptions(new Bootstrap()).group(group).channel(transport.datagramChannel()).handler(codec)
                    .bind(new InetSocketAddress(any, 0)).sync().channel();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("cannot open a UDP socket: " + e.getMessage(), e);
        }
        QuicheClientConnection[] holder = new QuicheClientConnection[1];
        Future<QuicChannel> connecting = QuicChannel.newBootstrap(udp)
                .option(QuicChannelOption.SEGMENTED_DATAGRAM_PACKET_ALLOCATOR, transport.segmentedAllocator())
                .option(QuicChannelOption.QLOG, QuicheConnection.qlog("client"))
                .handler(new ChannelInitializer<QuicChannel>() {
                    @Override
                    protected void initChannel(QuicChannel quic) {
                        holder[0] = new QuicheClientConnection(quic, udp, settings.connectTimeout());
                        quic.pipeline().addLast(holder[0].events());
                    }
                })
                .streamHandler(new ChannelInitializer<QuicStreamChannel>() {
                    @Override
                    protected void initChannel(QuicStreamChannel stream) {
                        stream.parent().attr(QuicheConnection.KEY).get().peerStreamOpened(stream);
                    }
                })
                .remoteAddress(remote)
                .connect();
        String where = settings.host() + ":" + settings.port();
        try {
            if (!connecting.await(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                connecting.cancel(false);
                udp.close();
                throw new IOException("cannot connect to the relay at " + where + ": no QUIC handshake within "
                        + settings.connectTimeout().toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            udp.close();
            throw new IOException("interrupted while connecting to " + where);
        }
        QuicheClientConnection connection = holder[0];
        if (!connecting.isSuccess()) {
            udp.close();
            String detail = connection == null ? null : connection.closeDetail();
            throw new IOException("cannot connect to the relay at " + where + ": "
                    + (detail != null ? detail : String.valueOf(connecting.cause())), connecting.cause());
        }
        try {
            connection.startControlStream(LocalSettings.client())
                    .await(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (settings.clientIdentity() != null) {
            // In TLS 1.3 the client's handshake ends before the relay has checked the client certificate; a refusal
            // (a TLS alert) comes a round trip later. Waiting for the relay's SETTINGS makes it a connect() error.
            connection.peerSettings(settings.connectTimeout().toMillis());
            if (!connection.isOpen() || !connection.peerSettingsArrived()) {
                connection.close(org.masquerelay.wire.H3.H3_NO_ERROR, "handshake not confirmed");
                String detail = connection.closeDetail();
                throw new IOException("the relay at " + where + " refused the client certificate"
                        + (detail != null ? ": " + detail : " (no SETTINGS within the connect timeout)"));
            }
        }
        return connection;
    }
}
