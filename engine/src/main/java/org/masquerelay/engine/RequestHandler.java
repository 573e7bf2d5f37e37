package org.masquerelay.engine;

import org.masquerelay.wire.H3;
import org.masquerelay.wire.HttpFields;

import java.io.IOException;

/**
 * Handles the request streams of one connection. {@link #handle} is called once per request stream, on a thread of
 * its own (virtual), and may block for the life of a tunnel.
 */
@FunctionalInterface
public interface RequestHandler {
    void handle(ServerStream stream);

    /**
     * The request's header section was larger than the configured limit (it was skipped, so the stream has no
     * {@link ServerStream#requestHeaders()}): answer 431 and end the stream. The default sends a bare 431; a relay
     * overrides it to add Proxy-Status.
     */
    default void headerSectionTooLarge(ServerStream stream, int limit) {
        try {
            stream.respond(HttpFields.builder().add(":status", "431").build());
            stream.finish();
        } catch (IOException | IllegalStateException e) {
            stream.reset(H3.H3_INTERNAL_ERROR);
        }
    }
}
