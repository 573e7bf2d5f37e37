package org.masquerelay.engine.kwik;

import org.masquerelay.engine.ConnectionHandler;
import org.masquerelay.engine.EngineSettings;
import org.masquerelay.engine.ServerEngine;
import tech.kwik.core.server.ServerConnectionConfig;
import tech.kwik.core.server.ServerConnector;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** An HTTP/3 listener on Kwik: one UDP socket, ALPN "h3", QUIC DATAGRAM enabled, no Retry. */
public final class KwikServerEngine implements ServerEngine {
    private final ServerConnector connector;
    private final GuardedDatagramSocket socket;
    private final ExecutorService executor;
    private final InetSocketAddress localAddress;
    private final RelayH3ConnectionFactory connections;

    private KwikServerEngine(ServerConnector connector, GuardedDatagramSocket socket, ExecutorService executor,
                             RelayH3ConnectionFactory connections) {
        this.connector = connector;
        this.connections = connections;
        this.socket = socket;
        this.executor = executor;
        this.localAddress = (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /**
     * Binds the socket and starts accepting connections. Refuses to start when mutual TLS is configured: Kwik's server
     * cannot ask for client certificates, and running without the check the operator configured would let in every
     * client that the client CA was meant to keep out.
     */
    public static KwikServerEngine start(InetSocketAddress bind, EngineSettings settings, ConnectionHandler handler) throws IOException {
        if (settings.requiresClientCertificates()) {
            throw new IOException("the kwik engine cannot require client certificates (mutual TLS is configured for "
                    + bind + "): Kwik's server has no client-certificate support; use the quiche engine for mutual TLS");
        }
        GuardedDatagramSocket socket = new GuardedDatagramSocket(bind);
        // Request streams block for the life of a tunnel: one virtual thread each.
        ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("h3-stream-", 0).factory());
        try {
            ServerConnectionConfig config = ServerConnectionConfig.builder()
                    .maxIdleTimeout((int) settings.idleTimeout().toMillis())
                    .maxOpenPeerInitiatedBidirectionalStreams(settings.maxStreamsPerConnection())
                    .maxOpenPeerInitiatedUnidirectionalStreams(16)
                    .maxConnectionBufferSize(Math.max(16L * 1024 * 1024, 4 * settings.streamWindow()))
                    .maxBidirectionalStreamBufferSize(settings.streamWindow())
                    .maxUnidirectionalStreamBufferSize(64 * 1024)
                    .retryRequired(false)
                    .connectionIdLength(8)
                    .build();
            KeyStore keyStore = settings.keyStore();
            String curve = curveOf(keyStore, settings.keyAlias(), settings.keyPassword());
            ServerConnector connector = ServerConnector.builder()
                    .withSocket(socket)
                    .withKeyStore(keyStore, settings.keyAlias(), settings.keyPassword(), curve)
                    .withConfiguration(config)
                    .withLogger(new KwikLog())
                    .build();
            InetSocketAddress local = (InetSocketAddress) socket.getLocalSocketAddress();
            BoundedTicketStore.install(connector, settings.sessionTickets());
            RelayH3ConnectionFactory connections = new RelayH3ConnectionFactory(handler, settings, executor, local);
            connector.registerApplicationProtocol("h3", connections);
            connector.start();
            return new KwikServerEngine(connector, socket, executor, connections);
        } catch (Exception e) {
            socket.close();
            executor.shutdownNow();
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException("cannot start the QUIC listener on " + bind + ": " + e.getMessage(), e);
        }
    }

    /** Kwik needs the EC curve name of an EC key; null for RSA. */
    private static String curveOf(KeyStore keyStore, String alias, char[] password) throws Exception {
        PrivateKey key = (PrivateKey) keyStore.getKey(alias, password);
        if (key == null) {
            throw new IOException("the key store has no private key under alias '" + alias + "'");
        }
        if (key instanceof ECPrivateKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            return switch (bits) {
                case 256 -> "secp256r1";
                case 384 -> "secp384r1";
                case 521 -> "secp521r1";
                default -> throw new IOException("unsupported EC key size " + bits + " (use P-256, P-384 or P-521)");
            };
        }
        return null;
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /**
     * Not live on Kwik: its {@code ServerConnector} takes the certificate and key once, when it is built
     * ({@code withKeyStore}), and gives the same ones to the TLS engine of every connection, with no way to change
     * them; a new connector would need this UDP socket, which the open connections still use, so rotating would mean
     * closing every connection. The old identity stays until the relay restarts.
     */
    @Override
    public boolean replaceIdentity(KeyStore keyStore, String alias, char[] password) {
        return false;
    }

    @Override
    public int openConnections() {
        return connections.openConnections();
    }

    /**
     * Kwik has no hook to refuse a connection before its handshake; one that completes it while draining is closed at
     * once (H3_NO_ERROR, "relay is shutting down"), before any request of it is served.
     */
    @Override
    public int drain() {
        return connections.drain();
    }

    @Override
    public void close() {
        try {
            connector.close();
        } finally {
            socket.close();
            executor.shutdownNow();
        }
    }
}
