package org.masquerelay.engine.h2;

import org.masquerelay.engine.RequestHandler;
import org.masquerelay.wire.H3;

import static java.lang.System.Logger.Level.WARNING;

/**
 * Runs the relay's handler for one request on a virtual thread of its own (it blocks for the life of a tunnel), and
 * tidies up after it: a stream the handler left open is ended, so no stream outlives its handler.
 */
final class Dispatch {
    private static final System.Logger LOG = System.getLogger(Dispatch.class.getName());

    private Dispatch() {}

    /** @param headerLimit when positive, the request's header section exceeded it: the handler answers 431 */
    static void start(RequestHandler handler, TlsStream stream, int headerLimit, Runnable afterwards) {
        stream.connection.opened(stream);
        Thread.ofVirtual().name("h2-request-" + stream.streamId()).start(() -> {
            try {
                if (headerLimit > 0) {
                    handler.headerSectionTooLarge(stream, headerLimit);
                } else {
                    handler.handle(stream);
                }
                if (!stream.finished() && !stream.aborted()) {
                    stream.reset(stream.responded() ? H3.H3_NO_ERROR : H3.H3_INTERNAL_ERROR);
                } else if (!stream.inbound.ended() && !stream.aborted()) {
                    stream.stopSending(H3.H3_NO_ERROR);
                }
            } catch (RuntimeException | Error e) {
                LOG.log(WARNING, "request handler failed on stream " + stream.streamId(), e);
                stream.reset(H3.H3_INTERNAL_ERROR);
            } finally {
                stream.connection.ended(stream);
                afterwards.run();
            }
        });
    }
}
