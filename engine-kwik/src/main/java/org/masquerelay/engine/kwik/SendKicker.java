package org.masquerelay.engine.kwik;

import tech.kwik.core.stream.FlowControlUpdateListener;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Works around a lost-wake-up race in Kwik 0.10.8's stream sender (docs/upstream.md, "stream stall").
 *
 * <p>{@code StreamOutputStreamImpl.scheduleSendStreamFrameRequest} queues a send request only when its counter of
 * queued requests reads 0, and increments the counter after queuing. When the sender thread runs the request in
 * between, its decrement takes the counter to -1, it sees "a request is queued" and does not queue the next one,
 * and the writer's late increment brings the counter back to 0 with no request queued: the rest of the data sits in
 * the send buffer until the next write. In a request/response exchange there is no next write, and the tunnel
 * stalls until the idle timeout (seen here on 4 of 5 runs of a 1 MiB echo in 16 KiB rounds).
 *
 * <p>The cure from outside: while a stream has written recently, "kick" it every few milliseconds — a zero-length
 * write while it is open, {@link FlowControlUpdateListener#streamNotBlocked} once closed — which queues a send
 * request whenever the counter reads 0. A kick when nothing is pending costs one no-op call on the sender thread.
 */
final class SendKicker {
    /** How long after its last write a stream keeps being kicked: covers retransmissions of its last data. */
    private static final long HOT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long PERIOD_MILLIS = 5;

    private static final SendKicker INSTANCE = new SendKicker();

    private final Map<Kicked, Long> hot = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kwik-send-kicker");
        t.setDaemon(true);
        return t;
    });

    private SendKicker() {
        timer.scheduleWithFixedDelay(this::kickAll, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    static SendKicker instance() {
        return INSTANCE;
    }

    /** An output stream whose writes mark the stream for kicking. */
    static OutputStream kicking(OutputStream quicOut, int streamId) {
        return new Kicked(quicOut, streamId);
    }

    private void kickAll() {
        long now = System.nanoTime();
        hot.forEach((stream, lastWrite) -> {
            if (now - lastWrite > HOT_NANOS) {
                hot.remove(stream, lastWrite);
            } else {
                stream.kick();
            }
        });
    }

    private static final class Kicked extends OutputStream {
        private static final byte[] NOTHING = new byte[0];
        private final OutputStream out;
        private final int streamId;
        private boolean closed;

        Kicked(OutputStream out, int streamId) {
            this.out = out;
            this.streamId = streamId;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            INSTANCE.hot.put(this, System.nanoTime());
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            INSTANCE.hot.put(this, System.nanoTime());
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            synchronized (this) {
                closed = true;
                out.close();
            }
            INSTANCE.hot.put(this, System.nanoTime());
        }

        void kick() {
            try {
                synchronized (this) {
                    if (!closed) {
                        // Queues a send request, and wakes the sender, when none is counted. Never after close():
                        // the empty buffer would land behind Kwik's end-of-stream marker.
                        out.write(NOTHING, 0, 0);
                    } else if (out instanceof FlowControlUpdateListener listener) {
                        // After close: the same without waking the sender, which takes longer (a FIN still queued).
                        listener.streamNotBlocked(streamId);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // Reset or connection closed: nothing left to send.
                INSTANCE.hot.remove(this);
            }
        }
    }
}
