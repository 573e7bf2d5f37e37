package org.masquerelay.client.internal;

import org.masquerelay.client.RelayException;
import org.masquerelay.client.RelayTimeoutException;
import org.masquerelay.engine.ClientStream;
import org.masquerelay.wire.HttpFields;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;

/**
 * The relay's answer to one tunnel request (TCP or UDP), as it becomes known: the 2xx header section, or the typed
 * failure (a refusal with its status and Proxy-Status, a reset, a timeout). The tunnel's response reader completes it;
 * readers and writers wait on it.
 *
 * <p>A write can fail because the relay answered and then asked us to stop sending (STOP_SENDING after a complete
 * refusal, RFC 9114 §4.1.1, while optimistic data was still going out). "Clients MUST NOT discard complete responses
 * as a result of having their request terminated abruptly": {@link #explainWriteFailure} lets the answer win over the
 * write error, so a 403 is reported as a 403 and never as a reset (which Apple's client would call error 53).
 */
public final class RelayAnswer {
    private final CompletableFuture<HttpFields> answer = new CompletableFuture<>();
    private volatile long answeredAt;

    /**
     * Reads the relay's answer to a tunnel request from its stream (the tunnel's response reader calls this once) and
     * completes this answer with it: true for a 2xx; otherwise false, completed with the typed failure — the refusal
     * with its status and Proxy-Status ({@link RelayException#fromResponse}), a timeout, or a reset or close before
     * any answer.
     *
     * @param kind          the request, for messages: "CONNECT" or "connect-udp"
     * @param closedLocally whether our side ended the tunnel first (a stream error then is ours, not the relay's)
     */
    public boolean read(ClientStream stream, Duration timeout, String kind, String target, BooleanSupplier closedLocally) {
        try {
            HttpFields fields = stream.awaitResponse(timeout);
            answeredAt = System.nanoTime();
            if (fields.getOrNull(":status").charAt(0) == '2') {
                success(fields);
                return true;
            }
            // The stream is ended by the tunnel's close(), on the owner's thread: a RESET_STREAM from the reader would
            // race the owner's writes, which Kwik's sender does not survive (docs/upstream.md, "reset during a write").
            failure(RelayException.fromResponse(fields, target));
        } catch (SocketTimeoutException e) {
            failure(new RelayTimeoutException("the relay did not answer the " + kind + " request for " + target
                    + " within " + timeout.toMillis() + " ms", e));
        } catch (IOException e) {
            failure(closedLocally.getAsBoolean()
                    ? new RelayException("tunnel to " + target + " was closed locally", e)
                    : new RelayException("the relay reset or closed the " + kind + " stream for " + target
                    + " before answering (" + e.getMessage() + "); Apple's client reports this as error 53, ECONNABORTED", e));
        }
        return false;
    }

    public void success(HttpFields response) {
        answer.complete(response);
    }

    public void failure(IOException why) {
        answer.completeExceptionally(why);
    }

    public boolean isDone() {
        return answer.isDone();
    }

    public boolean failed() {
        return answer.isCompletedExceptionally();
    }

    /** System.nanoTime() when the relay's answer arrived, or 0. */
    public long answeredAtNanos() {
        return answeredAt;
    }

    /** The 2xx answer if it has arrived, else null. */
    public HttpFields successNow() {
        return answer.isCompletedExceptionally() ? null : answer.getNow(null);
    }

    /** The typed failure if the answer was one, else null (not yet answered, or 2xx). */
    public IOException failureNow() {
        if (!failed()) {
            return null;
        }
        try {
            await();
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    /** Waits for the answer; throws the typed failure when there was no 2xx. */
    public HttpFields await() throws IOException {
        try {
            return answer.get();
        } catch (ExecutionException e) {
            throw (IOException) e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SocketException("interrupted while waiting for the relay's answer");
        }
    }

    /**
     * What to report for a failed write on the request stream: the relay's refusal when there was one (waiting for
     * the answer, which the response reader delivers within its own timeout), otherwise {@code lost} — the write
     * failure itself, for a tunnel that was established and then reset.
     */
    public IOException explainWriteFailure(IOException lost) {
        try {
            await();
        } catch (IOException refusal) {
            return refusal;
        }
        return lost;
    }
}
