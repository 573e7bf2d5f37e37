package org.masquerelay.client.internal;

import org.masquerelay.client.RelayException;
import org.masquerelay.client.RelayTransport;
import org.masquerelay.client.RelayTrustException;
import org.masquerelay.wire.H3;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static java.lang.System.Logger.Level.DEBUG;

/**
 * {@link RelayTransport#AUTO}, as Apple's relay client does it: HTTP/3 first; HTTP/2 once HTTP/3 has failed or has
 * not connected within the head start; the first connection made wins and the other, if it comes, is closed. An
 * HTTP/2 win is remembered for a while ({@link RelayTransport#REMEMBER_MINUTES}): UDP is likely blocked on this
 * network, so the next connections to this relay go straight to HTTP/2 (and race again if that fails).
 */
final class TransportRace {
    private static final System.Logger LOG = System.getLogger(TransportRace.class.getName());

    /** One way of connecting; {@code reason} is what -v will say about the choice. */
    @FunctionalInterface
    interface Attempt {
        RelayHop.Connected connect(String reason) throws RelayException;
    }

    private final Attempt h3;
    private final Attempt h2;
    private final Preparation prepareH3;
    private final long headStartMillis;
    private final long rememberNanos;
    private long h2WonAt;
    private boolean h2Remembered;

    /** Both stacks' one-time start-up (ClientEngine.prepare, H2ClientEngine.prepare), done before the clock starts. */
    @FunctionalInterface
    interface Preparation {
        void prepare() throws java.io.IOException;
    }

    TransportRace(Attempt h3, Preparation prepareH3, Attempt h2, long headStartMillis, long rememberNanos) {
        this.h3 = h3;
        this.prepareH3 = prepareH3;
        this.h2 = h2;
        this.headStartMillis = headStartMillis;
        this.rememberNanos = rememberNanos;
    }

    /** Called under the hop's lock: one race at a time per relay. */
    RelayHop.Connected connect() throws RelayException {
        if (h2Remembered && System.nanoTime() - h2WonAt < rememberNanos) {
            long ago = (System.nanoTime() - h2WonAt) / 1_000_000_000;
            try {
                return h2.connect("auto: HTTP/2 won the race to this relay " + ago + " s ago (remembered for "
                        + RelayTransport.REMEMBER_MINUTES + " min)");
            } catch (RelayException e) {
                LOG.log(DEBUG, "auto: the remembered HTTP/2 failed ({0}); racing again", e.getMessage());
                h2Remembered = false;
            }
        }
        return race();
    }

    private RelayHop.Connected race() throws RelayException {
        // A cold process would otherwise spend HTTP/3's head start loading its QUIC stack (0.5-1.5 s measured on a
        // loaded 2-core machine) and hand every first race to HTTP/2, and HTTP/2's fallback would take as long again
        // loading the JDK's TLS. A failure here is the attempt's to report.
        try {
            prepareH3.prepare();
        } catch (java.io.IOException | RuntimeException e) {
            LOG.log(DEBUG, "auto: preparing the transports failed: {0}", e.toString());
        }
        long start = System.nanoTime();
        CompletableFuture<RelayHop.Connected> h3Attempt = start(h3, "auto: HTTP/3 connected within the "
                + headStartMillis + " ms head start");
        String h2Reason;
        try {
            RelayHop.Connected c = h3Attempt.get(headStartMillis, TimeUnit.MILLISECONDS);
            return c;
        } catch (TimeoutException e) {
            h2Reason = "auto: no HTTP/3 answer within the " + headStartMillis + " ms head start, HTTP/2 started then";
        } catch (ExecutionException e) {
            h2Reason = "auto: HTTP/3 failed after " + millisSince(start) + " ms (" + e.getCause().getMessage()
                    + "), HTTP/2 started at once";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RelayException("interrupted while connecting", e);
        }
        LOG.log(DEBUG, h2Reason);
        String fromH2 = h2Reason;
        CompletableFuture<RelayHop.Connected> h2Attempt = start(h2, fromH2);
        CompletableFuture<RelayHop.Connected> winner = new CompletableFuture<>();
        h3Attempt.thenAccept(c -> winner.complete(c.because(new RelayTransport.Choice(c.choice().protocol(),
                "auto: HTTP/3 connected first, " + millisSince(start) + " ms in (HTTP/2 had started after the "
                        + headStartMillis + " ms head start)"))));
        h2Attempt.thenAccept(c -> winner.complete(c.because(new RelayTransport.Choice(c.choice().protocol(),
                c.choice().reason() + "; connected first, " + millisSince(start) + " ms in"))));
        // Only when both failed: allOf fails as soon as both are done and one of them failed, and may run before the
        // winner's thenAccept (dependents run last-registered first).
        CompletableFuture.allOf(h3Attempt, h2Attempt).whenComplete((ignored, failure) -> {
            if (h3Attempt.isCompletedExceptionally() && h2Attempt.isCompletedExceptionally()) {
                winner.completeExceptionally(bothFailed(h3Attempt, h2Attempt));
            }
        });
        RelayHop.Connected won;
        try {
            won = winner.join();
        } catch (CompletionException e) {
            throw (RelayException) e.getCause();
        }
        // The loser, if it connects at all, is not used.
        for (CompletableFuture<RelayHop.Connected> attempt : java.util.List.of(h3Attempt, h2Attempt)) {
            attempt.thenAccept(c -> {
                if (c.connection() != won.connection()) {
                    c.connection().close(H3.H3_NO_ERROR, "another transport won the race");
                }
            });
        }
        if (!won.choice().protocol().equals("h3")) {
            h2Remembered = true;
            h2WonAt = System.nanoTime();
        }
        LOG.log(DEBUG, "auto: {0}", won.choice());
        return won;
    }

    /** Both failed: a trust problem says most; else HTTP/2's failure (the last resort), HTTP/3's kept beside it. */
    private static RelayException bothFailed(CompletableFuture<RelayHop.Connected> h3Attempt,
                                             CompletableFuture<RelayHop.Connected> h2Attempt) {
        RelayException viaH3 = failure(h3Attempt);
        RelayException viaH2 = failure(h2Attempt);
        if (viaH3 == null || viaH2 == null) {
            return viaH3 != null ? viaH3 : viaH2;
        }
        RelayException chosen = viaH3 instanceof RelayTrustException && !(viaH2 instanceof RelayTrustException) ? viaH3 : viaH2;
        chosen.addSuppressed(chosen == viaH2 ? viaH3 : viaH2);
        LOG.log(DEBUG, "auto: HTTP/3 failed ({0}) and HTTP/2 failed ({1})", viaH3.getMessage(), viaH2.getMessage());
        return chosen;
    }

    private static RelayException failure(CompletableFuture<RelayHop.Connected> attempt) {
        try {
            attempt.join();
            return null;
        } catch (CompletionException e) {
            return (RelayException) e.getCause();
        }
    }

    private static CompletableFuture<RelayHop.Connected> start(Attempt attempt, String reason) {
        CompletableFuture<RelayHop.Connected> result = new CompletableFuture<>();
        Thread.ofVirtual().name("relay-connect-race").start(() -> {
            try {
                result.complete(attempt.connect(reason));
            } catch (RelayException e) {
                result.completeExceptionally(e);
            } catch (RuntimeException e) {
                result.completeExceptionally(new RelayException("cannot connect: " + e.getMessage(), e));
            }
        });
        return result;
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
