package org.masquerelay.engine;

/**
 * Handles the request streams of one connection. {@link #handle} is called once per request stream, on a thread of
 * its own (virtual), and may block for the life of a tunnel.
 */
@FunctionalInterface
public interface RequestHandler {
    void handle(ServerStream stream);
}
