package org.masquerelay.server;

import org.masquerelay.engine.RequestStream;
import org.masquerelay.wire.H3;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What happens to the rest of a request once it has been answered with a refusal: it is read and discarded until the
 * client ends the stream, and only past a bound is the client asked to stop sending (STOP_SENDING H3_NO_ERROR).
 *
 * <p>RFC 9114 §4.1.1 allows STOP_SENDING at once, and clients "MUST NOT discard complete responses" because of it;
 * but a client still writing optimistic data (Apple's client sends the TLS ClientHello before the answer) sees its
 * write fail, and a client that reports that failure instead of the answer turns a 403 into a reset — error 53.
 * Reading on costs nothing the client was not allowed to send anyway (the stream's flow-control window), and a
 * client that has read the refusal ends the stream at once. Reading it also lets the QUIC stack finish the stream
 * and give its credit back.
 */
final class RequestDrain {
    /** A client that has not ended its stream by then is not going to: stop its sending. */
    static final long DRAIN_MILLIS = 2_000;
    /** More than any optimistic first flight; past it the client is uploading regardless of the answer. */
    static final long DRAIN_BYTES = 256 * 1024;

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("request-drain-timer").factory());

    private RequestDrain() {}

    /** Blocks (on the stream's own virtual thread) until the client ends the stream, or the bound is reached. */
    static void drain(RequestStream stream) {
        ScheduledFuture<?> stop = TIMER.schedule(() -> stream.stopSending(H3.H3_NO_ERROR), DRAIN_MILLIS, TimeUnit.MILLISECONDS);
        long total = 0;
        try {
            InputStream in = stream.body();
            byte[] discard = new byte[8192];
            int n;
            while (total < DRAIN_BYTES && (n = in.read(discard)) >= 0) {
                total += n;
            }
        } catch (IOException e) {
            // The client reset its side, or our STOP_SENDING ended the read: either way the exchange is over.
        } finally {
            stop.cancel(false);
        }
        if (total >= DRAIN_BYTES) {
            stream.stopSending(H3.H3_NO_ERROR);
        }
    }
}
