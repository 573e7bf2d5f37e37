package org.masquerelay.interop.matrix;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.masquerelay.interop.matrix.CaseFailure.check;

/** Shared by the client peers: the large download (L) and the relay-killed check (K). */
final class Transfers {
    /** How soon the client must see the failure once the relay is gone (case K). */
    static final Duration KILL_BOUND = Duration.ofSeconds(10);
    /** How much of the download arrives before the relay is killed. */
    static final int BEFORE_KILL = 256 * 1024;

    private Transfers() {
    }

    record Digest(long bytes, String sha256) {
    }

    /** Reads to the end, hashing as it goes (50 MiB are never held in memory). */
    static Digest drain(InputStream in) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = in.read(buf)) >= 0; ) {
            sha.update(buf, 0, n);
            total += n;
        }
        return new Digest(total, HexFormat.of().formatHex(sha.digest()));
    }

    /** Case L's verdict, logged with the throughput. */
    static void checkLarge(Digest d, InteropEnv env, long startNanos, CellLog log) throws CaseFailure {
        long ms = Math.max(1, (System.nanoTime() - startNanos) / 1_000_000);
        check(d.bytes() == InteropEnv.LARGE_LENGTH, "50 MiB download: " + d.bytes() + " of " + InteropEnv.LARGE_LENGTH + " bytes");
        check(d.sha256().equals(env.largeSha256()), "50 MiB download: SHA-256 differs");
        log.add(String.format("50 MiB download intact in %d ms (%.1f MB/s)", ms, InteropEnv.LARGE_LENGTH / 1e3 / ms));
    }

    /**
     * Case K: with a download under way, closes the relay and waits (bounded) for {@code drainRest} — which reads to
     * the end and returns the byte count — to fail. A failure within {@link #KILL_BOUND} passes; a hang or a clean
     * end of stream (a truncation a TCP application cannot tell from the real end) does not.
     */
    static void killAndExpectFailure(ServerPeer.Running relay, Callable<Long> drainRest, CellLog log) throws CaseFailure {
        CompletableFuture<Long> rest = CompletableFuture.supplyAsync(() -> {
            try {
                return drainRest.call();
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, Thread::startVirtualThread);
        long t0 = System.nanoTime();
        relay.close();
        log.add("relay closed (" + (System.nanoTime() - t0) / 1_000_000 + " ms to close)");
        try {
            long n = rest.get(KILL_BOUND.toMillis(), TimeUnit.MILLISECONDS);
            throw new CaseFailure("the stream ended cleanly after " + n + " more bytes: the truncation was not surfaced");
        } catch (TimeoutException e) {
            rest.cancel(true);
            throw new CaseFailure("no failure surfaced within " + KILL_BOUND.toSeconds() + " s of the relay closing");
        } catch (ExecutionException e) {
            Throwable why = e.getCause() instanceof CompletionException ce ? ce.getCause() : e.getCause();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            log.add("failure surfaced after " + ms + " ms: " + why);
            check(!isTimeout(why), "only a read timeout surfaced, after " + ms + " ms: " + why);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaseFailure("interrupted");
        }
    }

    private static boolean isTimeout(Throwable t) {
        return t instanceof java.net.SocketTimeoutException
                || (t instanceof org.masquerelay.testpeers.PeerException p && p.kind() == org.masquerelay.testpeers.PeerException.Kind.TIMEOUT);
    }
}
