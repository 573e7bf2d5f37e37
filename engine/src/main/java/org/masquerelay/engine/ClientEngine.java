package org.masquerelay.engine;

import java.io.IOException;

/** Opens HTTP/3 connections to a relay. */
@FunctionalInterface
public interface ClientEngine {
    /**
     * Connects (QUIC + TLS 1.3, ALPN h3, QUIC DATAGRAM offered) and starts HTTP/3 (control stream, SETTINGS with
     * H3_DATAGRAM=1). Throws an IOException whose message says what failed (timeout, TLS alert, certificate).
     */
    ClientConnection connect(ClientEngineSettings settings) throws IOException;

    /**
     * Does now the one-time work a first {@link #connect} would do before sending anything (native libraries, the TLS
     * context, event-loop threads), so that a race against another transport (the client's auto mode) times the
     * handshake rather than the loading of a QUIC stack. Optional; never connects.
     */
    default void prepare(ClientEngineSettings settings) throws IOException {
    }

    /**
     * Whether {@link ClientEngineSettings#socketSupplier()} is honoured: QUIC sent through a socket we provide (a
     * connected probe socket, or a connect-udp tunnel of another relay for chaining). Engines that need a UDP
     * channel of their own answer false and refuse a supplier.
     */
    default boolean acceptsSuppliedSockets() {
        return true;
    }

    /**
     * Whether a connection straight to a relay should let the engine open its own UDP socket rather than be handed
     * one (a supplied socket is what lets a blocking engine report ICMP "port unreachable"; an engine with its own
     * event loop does better with its own channel). True for engines that take no supplied sockets at all.
     */
    default boolean prefersOwnSocket() {
        return !acceptsSuppliedSockets();
    }
}
