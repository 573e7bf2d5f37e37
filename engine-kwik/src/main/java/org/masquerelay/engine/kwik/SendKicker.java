package org.masquerelay.engine.kwik;

import tech.kwik.core.stream.FlowControlUpdateListener;

import java.io.IOException;
import java.io.OutputStream;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Works around a lost-wake-up race in Kwik 0.10.8's stream sender (docs/upstream.md, "stream stall").
 *
 * <p>{@code StreamOutputStreamImpl.scheduleSendStreamFrameRequest} queues a send request only when its counter of
 * queued requests reads 0, and increments the counter after queuing. When the sender thread runs the request in
 * between, its decrement takes the counter to -1, it sees "a request is queued" and does not queue the next one,
 * and the writer's late increment brings the counter back to 0 with no request queued: the rest of the data (or the
 * FIN) sits in the send buffer until the next write. In a request/response exchange there is no next write, and the
 * tunnel stalls until the idle timeout (seen here on 4 of 5 runs of a 1 MiB echo in 16 KiB rounds).
 *
 * <p>The cure from outside: while a stream has written recently, "kick" it every few milliseconds through
 * {@link FlowControlUpdateListener#streamNotBlocked}, which queues a send request whenever the counter reads 0,
 * then wake the connection's sender once (a reserved frame on our control stream, see
 * {@link KwikConnection#wakeSender()}), as the kick itself does not. Kicks with nothing pending cost a no-op call.
 * (A zero-length write would both queue and wake, but it leaves an empty buffer in Kwik's send queue that can sit
 * in front of the end-of-stream marker and swallow the FIN.)
 */
final class SendKicker {
    /** How long after its last write a stream keeps being kicked: covers retransmissions of its last data. */
    private static final long HOT_NANOS = TimeUnit.SECONDS.toNanos(2);
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

    /**
     * An output stream whose writes mark the stream for kicking; {@code wakeSender} wakes its connection's sender,
     * {@code open} tells whether the connection still is, and {@code gapProbe} (null where Kwik's internals differ)
     * breaks the retransmission deadlock of {@link GapProbe}.
     */
    static OutputStream kicking(OutputStream quicOut, int streamId, Runnable wakeSender, BooleanSupplier open, GapProbe gapProbe) {
        return new Kicked(quicOut, streamId, wakeSender, open, gapProbe);
    }

    private void kickAll() {
        long now = System.nanoTime();
        Set<Runnable> toWake = new HashSet<>();
        hot.forEach((stream, lastWrite) -> {
            try {
                if (now - lastWrite > HOT_NANOS && stream.writers.get() == 0 && !stream.holdsData()) {
                    hot.remove(stream, lastWrite);
                } else if (stream.kick()) {
                    stream.probeGap(now);
                    toWake.add(stream.wakeSender);
                } else {
                    hot.remove(stream);
                }
            } catch (RuntimeException e) {
                // One stream's trouble must not end the timer task: an exception would cancel it for every stream.
                hot.remove(stream);
            }
        });
        for (Runnable wake : toWake) {
            try {
                wake.run();
            } catch (RuntimeException e) {
                // A closing connection; its streams drop out on their own.
            }
        }
    }

    private static final class Kicked extends OutputStream {
        private final OutputStream out;
        private final int streamId;
        private final Runnable wakeSender;
        private final BooleanSupplier open;
        private final GapProbe gapProbe;
        /** Writes in progress: a write blocked on a full send buffer keeps its stream hot however long it waits. */
        private final java.util.concurrent.atomic.AtomicInteger writers = new java.util.concurrent.atomic.AtomicInteger();

        Kicked(OutputStream out, int streamId, Runnable wakeSender, BooleanSupplier open, GapProbe gapProbe) {
            this.out = out;
            this.streamId = streamId;
            this.wakeSender = wakeSender;
            this.open = open;
            this.gapProbe = gapProbe;
        }

        /**
         * Kwik still holds data of this stream (unsent, to be retransmitted, or a stall being probed): the stream
         * stays in care after its last write, as the deadlock GapProbe breaks can come after the writes have ended.
         */
        boolean holdsData() {
            return gapProbe != null && open.getAsBoolean() && (gapProbe.holdsData() || gapProbe.probing());
        }

        void probeGap(long now) {
            if (gapProbe != null) {
                gapProbe.check(now);
            }
        }

        private void touched() {
            INSTANCE.hot.put(this, System.nanoTime());
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            writers.incrementAndGet();
            touched();
            try {
                out.write(b, off, len);
            } finally {
                writers.decrementAndGet();
                touched();
            }
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
            touched();
        }

        /** False when the stream can no longer be kicked. */
        boolean kick() {
            if (!(out instanceof FlowControlUpdateListener listener)) {
                return false;
            }
            try {
                listener.streamNotBlocked(streamId);
                return true;
            } catch (RuntimeException e) {
                return false;
            }
        }
    }
}
