package org.masquerelay.engine;

import java.io.IOException;

/** Opens HTTP/3 connections to a relay. */
@FunctionalInterface
public interface ClientEngine {
    /**
     * Connects (QUIC + TLS 1.3, ALPN h3, QUIC DATAGRAM offered) and starts HTTP/3 (control stream, SETTINGS with
     * H3_DATAGRAM=1). Throws an IOException whose message says what failed (timeout, TLS alert, certificate).
     */
    H3ClientConnection connect(ClientEngineSettings settings) throws IOException;

    /**
     * Whether {@link ClientEngineSettings#socketSupplier()} is honoured: QUIC sent through a socket we provide (a
     * connected probe socket, or a connect-udp tunnel of another relay for chaining). Engines that need a UDP
     * channel of their own answer false and refuse a supplier.
     */
    default boolean acceptsSuppliedSockets() {
        return true;
    }
}
