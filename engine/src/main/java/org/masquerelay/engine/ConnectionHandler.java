package org.masquerelay.engine;

/**
 * Called by a server engine for every new HTTP/3 connection, before any of its request streams or datagrams are
 * delivered; returns the handler for that connection's request streams (per-connection state lives there).
 */
@FunctionalInterface
public interface ConnectionHandler {
    RequestHandler connected(H3Connection connection);
}
