package org.masquerelay.engine;

/**
 * Called by a server engine for every new HTTP/3 connection, before any of its request streams or datagrams are
 * delivered; returns the handler for that connection's request streams (per-connection state lives there).
 */
@FunctionalInterface
public interface ConnectionHandler {
    RequestHandler connected(HttpConnection connection);

    /**
     * A client whose TLS handshake failed (never a connection, so never {@link #connected}); {@code reason} is from a
     * closed set: a TLS alert's name (certificate_unknown, unknown_ca, ...), "timeout" or "closed". Engines that
     * cannot tell (Kwik) never call it.
     */
    default void handshakeFailed(String reason) {
    }
}
