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

    /**
     * The request is refused before its header section was read (the stream has no
     * {@link ServerStream#requestHeaders()}): 408 when it did not arrive within the request-header timeout, 429 or 503
     * when this connection or the relay already holds as many unfinished requests as allowed. The default sends the
     * bare status; a relay overrides it to add Proxy-Status.
     */
    default void requestRefused(ServerStream stream, int status, String reason) {
        try {
            stream.respondAndFinish(HttpFields.builder().add(":status", Integer.toString(status)).build(), new byte[0]);
        } catch (IOException | IllegalStateException e) {
            stream.reset(H3.H3_INTERNAL_ERROR);
        }
    }
}
