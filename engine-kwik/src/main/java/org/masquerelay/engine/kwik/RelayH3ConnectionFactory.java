package org.masquerelay.engine.kwik;

import org.masquerelay.engine.ConnectionHandler;
import org.masquerelay.engine.EngineSettings;
import org.masquerelay.engine.RequestHandler;
import org.masquerelay.wire.H3;
import tech.kwik.core.ConnectionEstablishedEvent;
import tech.kwik.core.QuicConnection;
import tech.kwik.core.QuicStream;
import tech.kwik.core.server.ApplicationProtocolConnection;
import tech.kwik.core.server.ApplicationProtocolConnectionFactory;
import tech.kwik.core.server.ServerConnection;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.WARNING;

/**
 * Creates our HTTP/3 connection for each QUIC connection that negotiated "h3".
 *
 * <p>Kwik starts the application protocol either when the handshake completes or, for a resumed connection with
 * 0-RTT, on the first 0-RTT packet — before the client has proven it is not replaying recorded packets. CONNECT is
 * not replay-safe (RFC 8470 §2.1, RFC 9114 §10.9), so in that case request streams are held until the handshake
 * completes: a replayed flight never gets there and never opens a tunnel.
 */
final class RelayH3ConnectionFactory implements ApplicationProtocolConnectionFactory {
    private static final System.Logger LOG = System.getLogger(RelayH3ConnectionFactory.class.getName());

    private final ConnectionHandler connectionHandler;
    private final EngineSettings settings;
    private final ExecutorService executor;
    private final InetSocketAddress localAddress;
    private final AtomicInteger connections = new AtomicInteger();
    /** Connections that got as far as HTTP/3, until they close: what a drain tells to go away. */
    private final java.util.Set<KwikConnection> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicBoolean draining = new java.util.concurrent.atomic.AtomicBoolean();

    RelayH3ConnectionFactory(ConnectionHandler connectionHandler, EngineSettings settings, ExecutorService executor, InetSocketAddress localAddress) {
        this.connectionHandler = connectionHandler;
        this.settings = settings;
        this.executor = executor;
        this.localAddress = localAddress;
    }

    @Override
    public ApplicationProtocolConnection createConnection(String protocol, QuicConnection quic) {
        InetSocketAddress remote = ((ServerConnection) quic).getInitialRemoteAddress();
        if (connections.incrementAndGet() > settings.maxConnections()) {
            connections.decrementAndGet();
            LOG.log(WARNING, "{0}: refused, {1} connections open already", remote, settings.maxConnections());
            quic.close(H3.H3_EXCESSIVE_LOAD, "too many connections");
            return new ApplicationProtocolConnection() {};
        }
        Optional<String> refusal = settings.clientAdmission().admit(remote.getAddress());
        if (refusal.isPresent()) {
            connections.decrementAndGet();
            LOG.log(WARNING, "{0}: refused, {1}", remote, refusal.get());
            quic.close(H3.H3_EXCESSIVE_LOAD, refusal.get());
            return new ApplicationProtocolConnection() {};
        }
        DeferredStart deferred = new DeferredStart(quic, remote);
        open.add(deferred.connection);
        deferred.connection.onClose(reason -> {
            connections.decrementAndGet();
            open.remove(deferred.connection);
            settings.clientAdmission().released(remote.getAddress());
        });
        // Checked after joining the set: either drain() sees this connection or it sees the flag.
        if (draining.get()) {
            LOG.log(DEBUG, "{0}: refused, the relay is shutting down", remote);
            deferred.connection.close(H3.H3_NO_ERROR, "relay is shutting down");
            return new ApplicationProtocolConnection() {};
        }
        QuicStream controlStream;
        try {
            // Kwik refuses to create streams before the handshake is complete: that is how 0-RTT shows itself.
            controlStream = quic.createStream(false);
        } catch (IOException handshakeNotComplete) {
            LOG.log(DEBUG, "{0}: application data before the handshake completed (0-RTT); holding requests", remote);
            return deferred;
        }
        deferred.start(controlStream);
        return deferred;
    }

    /**
     * The application protocol connection Kwik sees. It forwards streams to the real connection once that exists,
     * and until then (0-RTT) keeps them.
     */
    private final class DeferredStart implements ApplicationProtocolConnection {
        private final QuicConnection quic;
        private final KwikConnection connection;
        private final List<QuicStream> held = new ArrayList<>();
        private RelayH3ServerConnection started;

        DeferredStart(QuicConnection quic, InetSocketAddress remote) {
            this.quic = quic;
            this.connection = new KwikConnection(quic, localAddress, remote, settings.pendingDatagrams()) {
                @Override
                void connected(ConnectionEstablishedEvent event) {
                    startAfterHandshake();
                }
            };
        }

        private void startAfterHandshake() {
            synchronized (this) {
                if (started != null) {
                    return;
                }
            }
            try {
                start(quic.createStream(false));
            } catch (IOException e) {
                LOG.log(WARNING, "{0}: cannot open the control stream after the handshake: {1}", connection.remoteAddress(), e);
                quic.close();
            }
        }

        void start(QuicStream controlStream) {
            RequestHandler handler = connectionHandler.connected(connection);
            List<QuicStream> toReplay;
            synchronized (this) {
                try {
                    started = new RelayH3ServerConnection(quic, controlStream, executor, connection, handler,
                            settings.maxFieldSectionSize(), settings.maxDataFrameSize(), settings.unfinishedRequests());
                } catch (IOException e) {
                    LOG.log(WARNING, "{0}: cannot send SETTINGS: {1}", connection.remoteAddress(), e);
                    quic.close();
                    return;
                }
                toReplay = new ArrayList<>(held);
                held.clear();
            }
            toReplay.forEach(started::acceptPeerInitiatedStream);
        }

        @Override
        public void acceptPeerInitiatedStream(QuicStream stream) {
            RelayH3ServerConnection target;
            synchronized (this) {
                target = started;
                if (target == null) {
                    held.add(stream);
                    return;
                }
            }
            target.acceptPeerInitiatedStream(stream);
        }
    }

    int openConnections() {
        return open.size();
    }

    /** Refuses new connections from now on and sends GOAWAY on every open one; how many were told. */
    int drain() {
        if (!draining.compareAndSet(false, true)) {
            return 0;
        }
        int told = 0;
        for (KwikConnection connection : open) {
            if (connection.goAway()) {
                told++;
            }
        }
        return told;
    }

    @Override
    public boolean enableDatagramExtension() {
        return true;
    }

    @Override
    public int maxConcurrentPeerInitiatedUnidirectionalStreams() {
        // RFC 9114 §6.2 needs 3 (control, QPACK encoder, decoder); room for reserved (GREASE) stream types besides,
        // which Flupke's factory (limit 3) would turn into a stream-limit connection error.
        return 16;
    }

    @Override
    public int maxConcurrentPeerInitiatedBidirectionalStreams() {
        return settings.maxStreamsPerConnection();
    }

    @Override
    public int minUnidirectionalStreamReceiverBufferSize() {
        return 1024;
    }

    @Override
    public long maxUnidirectionalStreamReceiverBufferSize() {
        return 64 * 1024;
    }
}
