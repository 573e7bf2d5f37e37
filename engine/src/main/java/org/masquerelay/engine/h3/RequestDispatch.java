package org.masquerelay.engine.h3;

import org.masquerelay.engine.RequestHandler;
import org.masquerelay.wire.FieldSectionTooLargeException;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.H3StreamException;
import org.masquerelay.wire.HttpFields;

import java.io.IOException;
import java.util.function.Supplier;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.WARNING;

/**
 * Serves one request stream, the same on every engine: read the request (reserved frames before HEADERS skipped),
 * answer framing problems on this stream only, run the handler, and make sure the stream is answered whatever the
 * handler did. Runs on the stream's own virtual thread.
 */
public final class RequestDispatch {
    private static final System.Logger LOG = System.getLogger(RequestDispatch.class.getName());

    private RequestDispatch() {}

    /**
     * @param handler supplies the connection's handler once the request is read (an engine may still be setting it
     *                up); a RuntimeException from it rejects the request
     */
    public static void serve(ServerRequestStream stream, Supplier<RequestHandler> handler, int maxFieldSectionSize) {
        HttpFields request;
        try {
            request = stream.readRequest();
        } catch (FieldSectionTooLargeException e) {
            try {
                handler.get().headerSectionTooLarge(stream, maxFieldSectionSize);
            } catch (RuntimeException failed) {
                LOG.log(WARNING, stream + ": 431 handler failed", failed);
            }
            if (!stream.responded()) {
                respondQuietly(stream, 431);
            }
            return;
        } catch (H3StreamException e) {
            LOG.log(DEBUG, "{0}: {1}", stream, e.getMessage());
            stream.stopSending(e.errorCode());
            stream.reset(e.errorCode());
            return;
        } catch (IOException e) {
            // Reset by the client before its request was complete (a racing cancellation), or malformed QPACK.
            LOG.log(DEBUG, "{0}: no request: {1}", stream, e.toString());
            stream.stopSending(H3.H3_REQUEST_INCOMPLETE);
            stream.reset(H3.H3_REQUEST_INCOMPLETE);
            return;
        }
        if (request == null) {
            stream.reset(H3.H3_REQUEST_INCOMPLETE);
            return;
        }
        RequestHandler requestHandler;
        try {
            requestHandler = handler.get();
        } catch (RuntimeException e) {
            stream.reset(H3.H3_REQUEST_REJECTED);
            return;
        }
        try {
            requestHandler.handle(stream);
        } catch (RuntimeException e) {
            LOG.log(WARNING, stream + ": request handler failed", e);
            if (!stream.responded()) {
                respondQuietly(stream, 500);
            } else {
                stream.reset(H3.H3_INTERNAL_ERROR);
            }
        } finally {
            if (!stream.responded()) {
                respondQuietly(stream, 500);
            }
        }
    }

    private static void respondQuietly(ServerRequestStream stream, int status) {
        try {
            stream.respond(HttpFields.builder().add(":status", Integer.toString(status)).build());
            stream.finish();
        } catch (IOException | IllegalStateException e) {
            stream.reset(H3.H3_INTERNAL_ERROR);
        }
    }
}
