package org.masquerelay.engine.h3;

import org.masquerelay.wire.H3;
import org.masquerelay.wire.H3StreamException;

import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

import static java.lang.System.Logger.Level.WARNING;

/**
 * The GOAWAY a relay sent us, as a client reads it (RFC 9114 §5.2): the first request stream id it will not process.
 * Requests on streams below it run on; streams at or past it were not processed and may be retried elsewhere; no new
 * request goes on the connection. A later GOAWAY may lower the id, never raise it.
 */
final class PeerGoAway {
    private static final System.Logger LOG = System.getLogger(PeerGoAway.class.getName());
    private final List<LongConsumer> listeners = new java.util.ArrayList<>();
    private long streamId = -1;
    private boolean ended;

    /** A GOAWAY frame's id; a connection error (H3_ID_ERROR) when it is not a client bidirectional stream id or grew. */
    void received(long id) throws H3StreamException {
        List<LongConsumer> toTell = List.of();
        synchronized (this) {
            if (id % 4 != 0) {
                throw new H3StreamException(H3.H3_ID_ERROR, "GOAWAY names stream " + id
                        + ", not a client-initiated bidirectional stream (RFC 9114 §5.2)");
            }
            if (streamId >= 0 && id > streamId) {
                throw new H3StreamException(H3.H3_ID_ERROR, "GOAWAY raised its stream id from " + streamId + " to " + id
                        + " (RFC 9114 §5.2)");
            }
            if (streamId < 0) {
                toTell = List.copyOf(listeners); // with the id set under the same lock: each listener told once
            }
            streamId = id;
            notifyAll();
        }
        for (LongConsumer listener : toTell) {
            notify(listener, id);
        }
    }

    /** The connection ended: waiters stop waiting for a GOAWAY that cannot come any more. */
    synchronized void connectionEnded() {
        ended = true;
        notifyAll();
    }

    synchronized OptionalLong streamId() {
        return streamId < 0 ? OptionalLong.empty() : OptionalLong.of(streamId);
    }

    /**
     * Whether a GOAWAY says the request on {@code requestStreamId} was not processed, waiting up to {@code waitMillis}
     * for one to arrive while the connection lives: the relay's GOAWAY goes out before it rejects a stream, but the two
     * travel on different streams and are read by different threads.
     */
    synchronized boolean covers(long requestStreamId, long waitMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        while (streamId < 0 && !ended) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                break;
            }
            try {
                wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return streamId >= 0 && requestStreamId >= streamId;
    }

    /** Runs {@code listener} with the id once a GOAWAY has arrived (at once if one has). */
    void onGoAway(LongConsumer listener) {
        long id;
        synchronized (this) {
            listeners.add(listener);
            id = streamId;
        }
        if (id >= 0) {
            notify(listener, id);
        }
    }

    private static void notify(LongConsumer listener, long id) {
        try {
            listener.accept(id);
        } catch (RuntimeException e) {
            LOG.log(WARNING, "GOAWAY listener failed", e);
        }
    }
}
