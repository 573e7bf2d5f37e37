package org.masquerelay.tools.apple;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Bounded reads on the blocking streams of the engine (Kwik reads have no timeout of their own). */
public final class Streams {
    /** The peer ended the stream (FIN) before the bytes expected. */
    public static final class EndOfStream extends EOFException {
        public final int received;

        EndOfStream(int received) {
            super("stream ended after " + received + " bytes");
            this.received = received;
        }
    }

    private Streams() {
    }

    /** Exactly n bytes, read on a virtual thread so the caller can give up after the timeout. */
    public static byte[] readExactly(InputStream in, int n, Duration timeout) throws IOException {
        return await(CompletableFuture.supplyAsync(() -> {
            try {
                byte[] buf = new byte[n];
                int off = 0;
                while (off < n) {
                    int r = in.read(buf, off, n - off);
                    if (r < 0) {
                        throw new EndOfStream(off);
                    }
                    off += r;
                }
                return buf;
            } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, Thread::startVirtualThread), timeout);
    }

    /** Everything until FIN. */
    public static byte[] readToEnd(InputStream in, Duration timeout) throws IOException {
        return await(CompletableFuture.supplyAsync(() -> {
            try {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, Thread::startVirtualThread), timeout);
    }

    private static <T> T await(CompletableFuture<T> future, Duration timeout) throws IOException {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new SocketTimeoutException("nothing within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException c ? c.getCause() : e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }
}
