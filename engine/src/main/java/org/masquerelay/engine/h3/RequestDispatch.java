package org.masquerelay.engine.h3;

import org.masquerelay.engine.RequestHandler;
import org.masquerelay.engine.UnfinishedRequests;
import org.masquerelay.wire.FieldSectionTooLargeException;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.H3StreamException;
import org.masquerelay.wire.HttpFields;

import java.io.IOException;
import java.util.function.Supplier;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.WARNING;

/**
 * Serves one request stream, the same on every engine: read the request (reserved frames before HEADERS skipped)
 * within the request-header timeout and the limits on unfinished requests, answer framing problems on this stream
 * only, run the handler, and make sure the stream is answered whatever the handler did. Runs on the stream's own
 * virtual thread.
 */
public final class RequestDispatch {
    private static final System.Logger LOG = System.getLogger(RequestDispatch.class.getName());

    private RequestDispatch() {}

    /**
     * @param handler    supplies the connection's handler once the request is read (an engine may still be setting it
     *                   up); a RuntimeException from it rejects the request
     * @param unfinished this connection's unfinished requests: a request over its limits is refused unread, and one
     *                   whose header section does not arrive in time has its reading stopped and gets 408
     */
    public static void serve(ServerRequestStream stream, Supplier<RequestHandler> handler, int maxFieldSectionSize,
                             UnfinishedRequests.Connection unfinished) {
        // STOP_SENDING wakes the blocked read below with a failure: the timeout is then answered from this thread.
        UnfinishedRequests.Pending pending = unfinished.start(() -> stream.stopSending(H3.H3_REQUEST_INCOMPLETE));
        if (pending.refused()) {
            stream.stopSending(H3.H3_REQUEST_REJECTED);
            refuseUnread(stream, handler, pending.refusalStatus(), pending.refusal());
            return;
        }
        HttpFields request = null;
        IOException failure = null;
        try {
            request = stream.readRequest();
        } catch (IOException e) {
            failure = e;
        }
        if (pending.done()) {
            LOG.log(DEBUG, "{0}: {1}", stream, pending.refusal());
            refuseUnread(stream, handler, pending.refusalStatus(), pending.refusal());
            return;
        }
        if (failure != null) {
            failed(stream, handler, maxFieldSectionSize, failure);
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

    /** A request refused before (or instead of) reading it: the handler answers with its Proxy-Status. */
    private static void refuseUnread(ServerRequestStream stream, Supplier<RequestHandler> handler, int status, String reason) {
        try {
            handler.get().requestRefused(stream, status, reason);
        } catch (RuntimeException failed) {
            LOG.log(DEBUG, "{0}: {1} refusal not answered: {2}", stream, status, failed.toString());
        }
        if (!stream.responded()) {
            respondQuietly(stream, status);
        }
    }

    /** The request could not be read: too large (431), malformed (stream error) or cut off. */
    private static void failed(ServerRequestStream stream, Supplier<RequestHandler> handler, int maxFieldSectionSize,
                               IOException failure) {
        try {
            throw failure;
        } catch (FieldSectionTooLargeException e) {
            try {
                handler.get().headerSectionTooLarge(stream, maxFieldSectionSize);
            } catch (RuntimeException failed) {
                LOG.log(WARNING, stream + ": 431 handler failed", failed);
            }
            if (!stream.responded()) {
                respondQuietly(stream, 431);
            }
        } catch (H3StreamException e) {
            LOG.log(DEBUG, "{0}: {1}", stream, e.getMessage());
            stream.stopSending(e.errorCode());
            stream.reset(e.errorCode());
        } catch (IOException e) {
            // Reset by the client before its request was complete (a racing cancellation), or malformed QPACK.
            LOG.log(DEBUG, "{0}: no request: {1}", stream, e.toString());
            stream.stopSending(H3.H3_REQUEST_INCOMPLETE);
            stream.reset(H3.H3_REQUEST_INCOMPLETE);
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
