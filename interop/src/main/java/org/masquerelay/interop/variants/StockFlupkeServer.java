package org.masquerelay.interop.variants;

import tech.kwik.flupke.server.Http3ApplicationProtocolFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.KeyStore;

/**
 * Flupke's HTTP/3 server exactly as its README sets it up ({@code new Http3ApplicationProtocolFactory(handler)} on a
 * Kwik ServerConnector), with a handler that would happily serve anything: Flupke itself answers a classic CONNECT
 * with 501 before the handler runs. That is the user's situation when a relay is built on a stock HTTP/3 server.
 */
public final class StockFlupkeServer implements AutoCloseable {
    private final KwikListener listener;

    private StockFlupkeServer(KwikListener listener) {
        this.listener = listener;
    }

    public static StockFlupkeServer start(InetSocketAddress bind, KeyStore keyStore, String alias, char[] password) throws IOException {
        return new StockFlupkeServer(KwikListener.start(bind, keyStore, alias, password,
                new Http3ApplicationProtocolFactory((request, response) -> {
                    response.setStatus(200);
                    response.getOutputStream().close();
                })));
    }

    public InetSocketAddress address() {
        return listener.address();
    }

    @Override
    public void close() {
        listener.close();
    }
}
