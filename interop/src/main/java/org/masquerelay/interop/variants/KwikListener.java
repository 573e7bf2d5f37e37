package org.masquerelay.interop.variants;

import org.masquerelay.engine.kwik.GuardedDatagramSocket;
import tech.kwik.core.log.NullLogger;
import tech.kwik.core.server.ApplicationProtocolConnectionFactory;
import tech.kwik.core.server.ServerConnectionConfig;
import tech.kwik.core.server.ServerConnector;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.security.interfaces.ECPrivateKey;

/**
 * A Kwik server connector on its own UDP socket, serving one "h3" application protocol: what every Kwik-based
 * faulty relay needs. The socket is the relay's guarded one, so Kwik's System.exit on a receive error cannot end
 * a test JVM.
 */
final class KwikListener implements AutoCloseable {
    private final ServerConnector connector;
    private final DatagramSocket socket;

    private KwikListener(ServerConnector connector, DatagramSocket socket) {
        this.connector = connector;
        this.socket = socket;
    }

    static KwikListener start(InetSocketAddress bind, KeyStore keyStore, String alias, char[] password,
                              ApplicationProtocolConnectionFactory h3) throws IOException {
        DatagramSocket socket = new GuardedDatagramSocket(bind);
        try {
            ServerConnectionConfig config = ServerConnectionConfig.builder()
                    .maxIdleTimeout(30_000)
                    .maxOpenPeerInitiatedBidirectionalStreams(100)
                    .maxOpenPeerInitiatedUnidirectionalStreams(16)
                    .maxConnectionBufferSize(16L * 1024 * 1024)
                    .maxBidirectionalStreamBufferSize(1024 * 1024)
                    .maxUnidirectionalStreamBufferSize(64 * 1024)
                    .retryRequired(false)
                    .connectionIdLength(8)
                    .build();
            // Kwik needs the curve name of an EC key, and none for RSA.
            String curve = keyStore.getKey(alias, password) instanceof ECPrivateKey ec
                    ? "secp" + ec.getParams().getCurve().getField().getFieldSize() + "r1" : null;
            ServerConnector connector = ServerConnector.builder()
                    .withSocket(socket)
                    .withKeyStore(keyStore, alias, password, curve)
                    .withConfiguration(config)
                    .withLogger(new NullLogger())
                    .build();
            connector.registerApplicationProtocol("h3", h3);
            connector.start();
            return new KwikListener(connector, socket);
        } catch (Exception e) {
            socket.close();
            throw e instanceof IOException io ? io : new IOException("cannot start the test server: " + e, e);
        }
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public void close() {
        try {
            connector.close();
        } finally {
            socket.close();
        }
    }
}
