package org.masquerelay.engine.kwik;

import tech.kwik.core.common.EncryptionLevel;
import tech.kwik.core.common.PnSpace;
import tech.kwik.core.frame.QuicFrame;
import tech.kwik.core.frame.StreamFrame;
import tech.kwik.core.impl.QuicConnectionImpl;
import tech.kwik.core.packet.QuicPacket;
import tech.kwik.core.send.SenderImpl;
import tech.kwik.core.stream.SendBuffer;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * Works around a deadlock between Kwik 0.10.8's loss recovery and a receiver that acknowledges packets only when its
 * application reads (docs/upstream.md, "retransmission deadlock"; seen with Jetty 12.1.5's HTTP/3 client, whose
 * quiche sends an ACK only when Jetty reads or writes a stream).
 *
 * <p>How it happens (measured, interop cases S, L and K with Jetty): a burst of packets of a download is lost. The
 * receiver's next acknowledgement, sent when its application read the data before the gap, covers packets after the
 * gap, so Kwik declares the burst lost and queues it for retransmission — but NewReno halves the congestion window,
 * which the packets still in flight now exceed, so the retransmission waits for acknowledgements. The receiver, holding
 * data only after a gap, has nothing for its application to read and so never acknowledges again. Kwik's PTO probes
 * carry the frames of its oldest unacknowledged packet, which the receiver already has: every probe is a duplicate.
 * The transfer stops until an idle timeout (relay: tunnel thread blocked in {@code SendBuffer.write}, 4 frames waiting
 * in the retransmit buffer, 100 KB in flight against a 47 KB window, no ACK for 30 s).
 *
 * <p>The cure from outside: when no new acknowledgement has arrived for {@link #STALL_NANOS} while this stream has
 * data that is lost or unacknowledged, send its lowest such data (up to one packet) as a probe, which congestion
 * control does not hold back. That is what the receiver is missing: its application reads, it acknowledges, and
 * recovery runs again. Should the probe have carried data the receiver already had (its acknowledgement was lost),
 * the next probe moves on to the next range, at a doubling interval.
 *
 * <p>Kwik has no hook for this: the sender, recovery state and retransmit buffer are reached by reflection into the
 * pinned Kwik. When that fails (another Kwik), the probe disables itself and says so once.
 */
final class GapProbe {
    private static final System.Logger LOG = System.getLogger(GapProbe.class.getName());

    /** No acknowledgement for this long, with data outstanding: a stall (PTO here is tens of ms even under load). */
    static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long MAX_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(3);
    /** A stall this long is reported at INFO (and its end): clients time out at tens of seconds. */
    private static final long REPORT_AFTER_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** Stream bytes per probe: with the packet and frame headers it fits Kwik's smallest packet (1232 bytes). */
    private static final int PROBE_BYTES = 1000;

    private static final Internals KWIK = Internals.resolve();

    private final Object output;
    private final int streamId;
    private final Object lossDetector;
    private final SenderImpl sender;
    private final Collection<StreamFrame> retransmitQueue;
    private final SendBuffer sendBuffer;

    private long largestAckedSeen = Long.MIN_VALUE;
    private long quietSince;
    private long interval = STALL_NANOS;
    /** Probes of one stall walk forwards through the outstanding data from here. */
    private long nextOffset = -1;
    /** The current stall: when the last acknowledgement came, probes sent, and whether it was reported as long. */
    private long lastAckAt;
    private int probes;
    private boolean reported;

    private GapProbe(Object output, int streamId, SenderImpl sender, Object lossDetector,
                     Collection<StreamFrame> retransmitQueue, SendBuffer sendBuffer) {
        this.output = output;
        this.streamId = streamId;
        this.sender = sender;
        this.lossDetector = lossDetector;
        this.retransmitQueue = retransmitQueue;
        this.sendBuffer = sendBuffer;
        this.quietSince = System.nanoTime();
        this.lastAckAt = quietSince;
    }

    /** A probe for Kwik's output stream {@code quicOut} of stream {@code streamId}, or null where Kwik differs. */
    static GapProbe of(Object connection, Object quicOut, int streamId) {
        if (KWIK == null || !(connection instanceof QuicConnectionImpl)) {
            return null;
        }
        try {
            SenderImpl sender = (SenderImpl) KWIK.getSender.invoke(connection);
            Object recovery = KWIK.recoveryManager.get(sender);
            Object lossDetector = ((Object[]) KWIK.lossDetectors.get(recovery))[PnSpace.App.ordinal()];
            @SuppressWarnings("unchecked")
            Collection<StreamFrame> retransmit = (Collection<StreamFrame>) KWIK.retransmitData.get(KWIK.retransmitBuffer.get(quicOut));
            SendBuffer sendBuffer = (SendBuffer) KWIK.sendBuffer.get(quicOut);
            return new GapProbe(quicOut, streamId, sender, lossDetector, retransmit, sendBuffer);
        } catch (ReflectiveOperationException | RuntimeException e) {
            Internals.disabled(e);
            return null;
        }
    }

    /** True while Kwik holds data of this stream that is unsent or waiting to be retransmitted (and may still send it). */
    boolean holdsData() {
        return (sendBuffer.hasData() || !retransmitQueue.isEmpty()) && !isReset();
    }

    /** True while a stall is being probed: keeps the stream in the kicker's care after its writes have ended. */
    boolean probing() {
        return nextOffset >= 0;
    }

    /** Called every kick period: sends a probe when this stream's data has been stuck for long enough. */
    void check(long now) {
        long largestAcked;
        try {
            largestAcked = KWIK.largestAcked.getLong(lossDetector);
        } catch (IllegalAccessException e) {
            return;
        }
        if (largestAcked != largestAckedSeen) {
            if (reported) {
                LOG.log(INFO, "stream {0}: acknowledgements resumed after {1} ms and {2} probes", streamId,
                        (now - lastAckAt) / 1_000_000, probes);
            }
            largestAckedSeen = largestAcked;
            lastAckAt = now;
            quietSince = now;
            interval = STALL_NANOS;
            nextOffset = -1;
            probes = 0;
            reported = false;
            return;
        }
        if (now - quietSince < interval) {
            return;
        }
        if (isReset()) {
            // A reset stream sends no more data (RFC 9000 §3.1): nothing to probe with.
            nextOffset = -1;
            return;
        }
        long from = Math.max(0, nextOffset);
        StreamFrame gap = lowestOutstanding(from);
        if (gap == null && from > 0) {
            from = 0;
            gap = lowestOutstanding(0);
        }
        quietSince = now;
        if (gap == null) {
            nextOffset = -1;
            if (!reported && holdsData() && now - lastAckAt > REPORT_AFTER_NANOS) {
                // Nothing outstanding to probe with, yet data waits: a reader that does not read (back-pressure), or
                // credit that never came. Once per stall, for the next diagnosis of a stalled download.
                reported = true;
                LOG.log(INFO, "stream {0}: {1} ms without an acknowledgement, nothing in flight and data waiting: waiting"
                        + " for the peer''s flow-control credit", streamId, (now - lastAckAt) / 1_000_000);
            }
            return;
        }
        long start = Math.max(gap.getOffset(), from);
        int skip = (int) (start - gap.getOffset());
        int length = Math.min(gap.getLength() - skip, PROBE_BYTES);
        boolean fin = gap.isFinal() && skip + length == gap.getLength();
        StreamFrame probe = new StreamFrame(streamId, start, gap.getStreamData(), skip, length, fin);
        nextOffset = start + Math.max(length, 1);
        interval = Math.min(interval * 2, MAX_INTERVAL_NANOS);
        sender.sendProbe(List.<QuicFrame>of(probe), EncryptionLevel.App);
        probes++;
        LOG.log(DEBUG, "stream {0}: no acknowledgement for {1} ms, probe {2} at offset {3} ({4} bytes)", streamId,
                (now - lastAckAt) / 1_000_000, probes, start, length);
        if (!reported && now - lastAckAt > REPORT_AFTER_NANOS) {
            // What a stall that users notice looks like from here, for the next diagnosis (a Jetty download in a CI run).
            reported = true;
            LOG.log(INFO, "stream {0}: no acknowledgement for {1} ms with data outstanding; {2} probes so far, this one"
                    + " at offset {3}; {4} frames to retransmit", streamId, (now - lastAckAt) / 1_000_000, probes,
                    start, retransmitQueue.size());
        }
    }

    private boolean isReset() {
        try {
            return KWIK.reset.getBoolean(output);
        } catch (IllegalAccessException e) {
            return true;
        }
    }

    /**
     * The outstanding (lost, or sent and not acknowledged) frame of this stream that holds the lowest offset at or
     * after {@code from}.
     */
    private StreamFrame lowestOutstanding(long from) {
        StreamFrame best = null;
        for (StreamFrame f : retransmitQueue) {
            best = lower(best, f, from);
        }
        List<QuicPacket> inFlight;
        try {
            @SuppressWarnings("unchecked")
            List<QuicPacket> unacked = (List<QuicPacket>) KWIK.unAcked.invoke(lossDetector);
            inFlight = unacked;
        } catch (ReflectiveOperationException e) {
            return best;
        }
        for (QuicPacket p : inFlight) {
            for (QuicFrame f : p.getFrames()) {
                if (f instanceof StreamFrame s && s.getStreamId() == streamId) {
                    best = lower(best, s, from);
                }
            }
        }
        return best;
    }

    private static StreamFrame lower(StreamFrame best, StreamFrame candidate, long from) {
        boolean reaches = candidate.getOffset() + candidate.getLength() > from
                || (candidate.isFinal() && candidate.getOffset() + candidate.getLength() >= from);
        if (!reaches) {
            return best;
        }
        if (best == null || Math.max(candidate.getOffset(), from) < Math.max(best.getOffset(), from)) {
            return candidate;
        }
        return best;
    }

    @Override
    public String toString() {
        return "GapProbe[stream " + streamId + " of " + output + "]";
    }

    /** The Kwik internals this needs, looked up once. */
    private record Internals(Method getSender, Field recoveryManager, Field lossDetectors, Field largestAcked,
                             Method unAcked, Field retransmitBuffer, Field retransmitData, Field sendBuffer, Field reset) {
        private static volatile boolean warned;

        static Internals resolve() {
            try {
                Method getSender = QuicConnectionImpl.class.getDeclaredMethod("getSender");
                Field recoveryManager = SenderImpl.class.getDeclaredField("recoveryManager");
                Class<?> recoveryClass = recoveryManager.getType();
                Field lossDetectors = recoveryClass.getDeclaredField("lossDetectors");
                Class<?> lossDetectorClass = lossDetectors.getType().getComponentType();
                Field largestAcked = lossDetectorClass.getDeclaredField("largestAcked");
                Method unAcked = lossDetectorClass.getDeclaredMethod("unAcked");
                Class<?> outputClass = Class.forName("tech.kwik.core.stream.StreamOutputStreamImpl");
                Field retransmitBuffer = outputClass.getDeclaredField("retransmitBuffer");
                Field retransmitData = retransmitBuffer.getType().getDeclaredField("data");
                Field sendBuffer = outputClass.getDeclaredField("sendBuffer");
                Field reset = outputClass.getDeclaredField("reset");
                for (var member : List.of(getSender, recoveryManager, lossDetectors, largestAcked, unAcked,
                        retransmitBuffer, retransmitData, sendBuffer, reset)) {
                    member.setAccessible(true);
                }
                return new Internals(getSender, recoveryManager, lossDetectors, largestAcked, unAcked,
                        retransmitBuffer, retransmitData, sendBuffer, reset);
            } catch (ReflectiveOperationException | RuntimeException e) {
                disabled(e);
                return null;
            }
        }

        static void disabled(Exception e) {
            if (!warned) {
                warned = true;
                LOG.log(WARNING, "Kwik differs from 0.10.8: the retransmission-deadlock workaround is off (" + e + ")");
            }
        }
    }
}
