package org.masquerelay.client.internal;

import org.masquerelay.engine.ClientStream;
import org.masquerelay.engine.DatagramReceiver;
import org.masquerelay.engine.HttpConnection;
import org.masquerelay.engine.RequestNotProcessedException;
import org.masquerelay.wire.HttpFields;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;

import static java.lang.System.Logger.Level.INFO;

/**
 * A tunnel request that is sent once more, on a fresh connection, when the relay did not process it (RFC 9114 §4.1.1,
 * §5.2: reset with H3_REQUEST_REJECTED, or past the relay's GOAWAY — a draining relay's answer to a request that
 * crossed its GOAWAY). The tunnel above sees one stream: the bytes it wrote before the answer (optimistic data) are
 * kept, at most {@link #REPLAY_LIMIT}, and written again on the new stream; a writer past that limit waits for the
 * answer. HTTP Datagrams sent before the answer are not kept (UDP may lose them). Retried once.
 */
public final class ReplayableRequest implements ClientStream {
    private static final System.Logger LOG = System.getLogger(ReplayableRequest.class.getName());
    /** Optimistic data kept for a replay: a TLS ClientHello or a QUIC Initial fits many times over. */
    static final int REPLAY_LIMIT = 64 * 1024;

    /** Opens the same request on a fresh connection. */
    @FunctionalInterface
    public interface Reopen {
        ClientStream open(RequestNotProcessedException why) throws IOException;
    }

    private final Object lock = new Object();
    private final Reopen reopen;
    private final String what;
    private final OutputStream out = new Out();
    private volatile ClientStream current;
    /** The answer (or the final failure) has arrived: nothing more is kept or replayed. */
    private volatile boolean settled;
    private ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private boolean finished;
    private boolean abandoned;
    private boolean retried;
    private boolean unreplayable;
    private DatagramReceiver receiver;

    /** @param what the request, for the log: "CONNECT example.com:443" */
    public ReplayableRequest(ClientStream first, String what, Reopen reopen) {
        this.current = first;
        this.what = what;
        this.reopen = reopen;
    }

    @Override
    public HttpFields awaitResponse(Duration timeout) throws IOException {
        try {
            return current.awaitResponse(timeout);
        } catch (RequestNotProcessedException rejected) {
            ClientStream next = replay(rejected);
            if (next == null) {
                throw rejected;
            }
            return next.awaitResponse(timeout);
        } finally {
            synchronized (lock) {
                settled = true;
                kept = null;
                lock.notifyAll();
            }
        }
    }

    /** The same request and the bytes written so far on a fresh stream; null when it cannot be retried. */
    private ClientStream replay(RequestNotProcessedException why) throws IOException {
        synchronized (lock) {
            if (retried || abandoned || unreplayable || kept == null) {
                return null;
            }
            retried = true;
            ClientStream old = current;
            old.receiveDatagrams(null);
            ClientStream next = reopen.open(why);
            LOG.log(INFO, "{0}: the relay did not process it on stream {1} ({2}); sent again on a new connection",
                    what, Long.toString(old.streamId()), why.getMessage());
            if (receiver != null) {
                next.receiveDatagrams(receiver);
            }
            if (kept.size() > 0) {
                next.bodyOut().write(kept.toByteArray());
            }
            if (finished) {
                next.finish();
            }
            current = next;
            lock.notifyAll();
            return next;
        }
    }

    /**
     * After a write to {@code target} failed: true when the request was sent again meanwhile with those bytes, so the
     * failure belongs to the old stream; waits until the answer settles it.
     */
    private boolean replayedSince(ClientStream target) throws IOException {
        synchronized (lock) {
            while (current == target && !settled) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while the tunnel request was sent again");
                }
            }
            return current != target;
        }
    }

    @Override
    public HttpConnection connection() {
        return current.connection();
    }

    @Override
    public long streamId() {
        return current.streamId();
    }

    @Override
    public InputStream body() {
        return current.body();
    }

    @Override
    public OutputStream bodyOut() {
        return out;
    }

    @Override
    public void finish() throws IOException {
        ClientStream target;
        synchronized (lock) {
            finished = true;
            target = current;
        }
        try {
            target.finish();
        } catch (IOException e) {
            if (!replayedSince(target)) {
                throw e;
            }
        }
    }

    @Override
    public void reset(long h3ErrorCode) {
        abandon().reset(h3ErrorCode);
    }

    @Override
    public void stopSending(long h3ErrorCode) {
        abandon().stopSending(h3ErrorCode);
    }

    /** The tunnel gave up on the request: it is not sent again. */
    private ClientStream abandon() {
        synchronized (lock) {
            abandoned = true;
            lock.notifyAll();
            return current;
        }
    }

    @Override
    public int maxDatagramPayload() {
        return current.maxDatagramPayload();
    }

    @Override
    public boolean sendDatagram(long contextId, byte[] data, int offset, int length) {
        return current.sendDatagram(contextId, data, offset, length);
    }

    @Override
    public void receiveDatagrams(DatagramReceiver receiver) {
        synchronized (lock) {
            this.receiver = receiver;
            current.receiveDatagrams(receiver);
        }
    }

    /** Writes go to the current stream; before the answer they are also kept for a replay. */
    private final class Out extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (settled) {
                current.bodyOut().write(b, off, len);
                return;
            }
            while (len > REPLAY_LIMIT && !settled) { // kept a part at a time: the rest waits for the answer
                write(b, off, REPLAY_LIMIT);
                off += REPLAY_LIMIT;
                len -= REPLAY_LIMIT;
            }
            ClientStream target;
            boolean keptHere = false;
            synchronized (lock) {
                // Past the limit a writer waits for the answer, so that a rejected request can always be replayed.
                while (!settled && !abandoned && kept != null && kept.size() + len > REPLAY_LIMIT && kept.size() > 0) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while waiting for the relay's answer");
                    }
                }
                if (!settled && kept != null && kept.size() + len <= REPLAY_LIMIT) {
                    kept.write(b, off, len);
                    keptHere = true;
                } else if (!settled) {
                    unreplayable = true; // abandoned meanwhile: a replay would miss these bytes
                }
                target = current;
            }
            try {
                target.bodyOut().write(b, off, len);
            } catch (IOException e) {
                if (!keptHere || !replayedSince(target)) {
                    throw e;
                }
            }
        }

        @Override
        public void flush() throws IOException {
            ClientStream target = current;
            try {
                target.bodyOut().flush();
            } catch (IOException e) {
                if (!replayedSince(target)) {
                    throw e;
                }
            }
        }

        @Override
        public void close() throws IOException {
            finish();
        }
    }
}
