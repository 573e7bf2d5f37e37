package org.masquerelay.interop.variants;

import tech.kwik.core.log.NullLogger;
import tech.kwik.core.server.ServerConnectionConfig;
import tech.kwik.core.server.ServerConnector;
import tech.kwik.flupke.server.Http3ApplicationProtocolFactory;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.security.KeyStore;

/**
 * Flupke's HTTP/3 server exactly as its README sets it up ({@code new Http3ApplicationProtocolFactory(handler)} on a
 * Kwik ServerConnector), with a handler that would happily serve anything: Flupke itself answers a classic CONNECT
 * with 501 before the handler runs. That is the user's situation when a relay is built on a stock HTTP/3 server.
 */
public final class StockFlupkeServer implements AutoCloseable {
    private final ServerConnector connector;
    private final DatagramSocket socket;

    private StockFlupkeServer(ServerConnector connector, DatagramSocket socket) {
        this.connector = connector;
        this.socket = socket;
    }

    public static StockFlupkeServer start(InetSocketAddress bind, KeyStore keyStore, String alias, char[] password) throws IOException {
        DatagramSocket socket = new DatagramSocket(bind);
        try {
            ServerConnectionConfig config = ServerConnectionConfig.builder()
                    .maxIdleTimeout(30_000)
                    .maxOpenPeerInitiatedBidirectionalStreams(100)
                    .maxOpenPeerInitiatedUnidirectionalStreams(16)
                    .retryRequired(false)
                    .connectionIdLength(8)
                    .build();
            ServerConnector connector = ServerConnector.builder()
                    .withSocket(socket)
                    .withKeyStore(keyStore, alias, password, "secp256r1")
                    .withConfiguration(config)
                    .withLogger(new NullLogger())
                    .build();
            connector.registerApplicationProtocol("h3", new Http3ApplicationProtocolFactory((request, response) -> {
                response.setStatus(200);
                response.getOutputStream().close();
            }));
            connector.start();
            return new StockFlupkeServer(connector, socket);
        } catch (Exception e) {
            socket.close();
            throw e instanceof IOException io ? io : new IOException("cannot start stock Flupke: " + e, e);
        }
    }

    public InetSocketAddress address() {
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
