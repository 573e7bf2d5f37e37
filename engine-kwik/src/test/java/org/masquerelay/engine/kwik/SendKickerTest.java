package org.masquerelay.engine.kwik;

import org.junit.jupiter.api.Test;
import tech.kwik.core.stream.FlowControlUpdateListener;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SendKicker on its own: Kwik's stream output is stood in for by an OutputStream that, like Kwik's
 * StreamOutputStreamImpl, is a FlowControlUpdateListener and counts the kicks it gets (no network involved here; the
 * stall it cures is covered end to end by the relay's suites on the kwik engine).
 */
class SendKickerTest {
    private static final long T = 30;

    /** What Kwik's stream output looks like to SendKicker: it takes bytes and can be told "not blocked". */
    private static class KwikLikeOut extends ByteArrayOutputStream implements FlowControlUpdateListener {
        final AtomicInteger kicks = new AtomicInteger();
        volatile int lastStreamId = -1;
        volatile CountDownLatch kicked = new CountDownLatch(1);

        @Override
        public void streamNotBlocked(int streamId) {
            lastStreamId = streamId;
            kicks.incrementAndGet();
            kicked.countDown();
        }

        void awaitKicks(int n) throws InterruptedException {
            kicked = new CountDownLatch(n);
            assertTrue(kicked.await(T, TimeUnit.SECONDS), "kicked " + n + " more times");
        }
    }

    @Test
    void aStreamThatWroteIsKickedAndItsSenderWoken() throws Exception {
        KwikLikeOut quic = new KwikLikeOut();
        CountDownLatch woken = new CountDownLatch(3);
        OutputStream out = SendKicker.kicking(quic, 8, woken::countDown, () -> true, null);
        out.write(new byte[]{1, 2, 3}, 0, 3);
        assertArrayEquals(new byte[]{1, 2, 3}, quic.toByteArray(), "the bytes pass through unchanged");
        quic.awaitKicks(3);
        assertEquals(8, quic.lastStreamId, "the stream's own id");
        assertTrue(woken.await(T, TimeUnit.SECONDS), "the connection's sender is woken after kicks");
    }

    @Test
    void aWriteBlockedLongerThanTheHotPeriodKeepsItsStreamKicked() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        KwikLikeOut quic = new KwikLikeOut() {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                try {
                    release.await(); // a full send buffer: Kwik's write blocks until the peer gives credit
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.write(b, off, len);
            }
        };
        OutputStream out = SendKicker.kicking(quic, 4, () -> { }, () -> true, null);
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                out.write(new byte[]{7}, 0, 1);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        try {
            // At one kick per 5 ms, 600 kicks take at least 3 s: past the 2 s after which an idle stream is dropped.
            quic.awaitKicks(600);
        } finally {
            release.countDown();
            writer.join();
        }
        assertArrayEquals(new byte[]{7}, quic.toByteArray());
    }

    @Test
    void aStreamThatFailsToBeKickedDoesNotStopTheOthers() throws Exception {
        KwikLikeOut broken = new KwikLikeOut() {
            @Override
            public void streamNotBlocked(int streamId) {
                super.streamNotBlocked(streamId);
                throw new IllegalStateException("stream closed under us");
            }
        };
        OutputStream notKwik = SendKicker.kicking(OutputStream.nullOutputStream(), 12, () -> { }, () -> true, null);
        OutputStream first = SendKicker.kicking(broken, 16, () -> { }, () -> true, null);
        KwikLikeOut healthy = new KwikLikeOut();
        OutputStream second = SendKicker.kicking(healthy, 20, () -> { throw new IllegalStateException("closing"); },
                () -> true, null);
        notKwik.write(new byte[]{0}, 0, 1);
        first.write(new byte[]{1}, 0, 1);
        second.write(new byte[]{2}, 0, 1);
        broken.awaitKicks(1);
        healthy.awaitKicks(50);
        // Once, or twice when a kick fell between the two marks of its one write; never again after that.
        assertTrue(broken.kicks.get() <= 2, "a stream whose kick throws is dropped: " + broken.kicks.get() + " kicks");
        assertEquals(20, healthy.lastStreamId);
    }
}
