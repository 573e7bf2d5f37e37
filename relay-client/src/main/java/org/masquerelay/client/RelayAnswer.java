package org.masquerelay.client;

import org.masquerelay.wire.HttpFields;

import java.io.IOException;
import java.net.SocketException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

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
final class RelayAnswer {
    private final CompletableFuture<HttpFields> answer = new CompletableFuture<>();

    void success(HttpFields response) {
        answer.complete(response);
    }

    void failure(IOException why) {
        answer.completeExceptionally(why);
    }

    boolean isDone() {
        return answer.isDone();
    }

    boolean failed() {
        return answer.isCompletedExceptionally();
    }

    /** The 2xx answer if it has arrived, else null. */
    HttpFields successNow() {
        return answer.isCompletedExceptionally() ? null : answer.getNow(null);
    }

    /** Waits for the answer; throws the typed failure when there was no 2xx. */
    HttpFields await() throws IOException {
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
    IOException explainWriteFailure(IOException lost) {
        try {
            await();
        } catch (IOException refusal) {
            return refusal;
        }
        return lost;
    }
}
