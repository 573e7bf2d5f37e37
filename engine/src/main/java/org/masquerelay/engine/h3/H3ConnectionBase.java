package org.masquerelay.engine.h3;

import org.masquerelay.engine.HttpConnection;
import org.masquerelay.wire.ControlStreamReader;
import org.masquerelay.wire.Frame;
import org.masquerelay.wire.FrameWriter;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.H3StreamException;
import org.masquerelay.wire.VarInt;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.WARNING;

/**
 * What every engine's {@link HttpConnection} does the same way: HTTP Datagrams routed to their request streams in
 * order on one virtual thread ({@link DatagramDemux}; those that arrive before their stream asks are kept, bounded),
 * the peer's unidirectional and control streams read (SETTINGS kept, everything else skipped as RFC 9114 §9 says),
 * and the close notification. An engine supplies the QUIC side: addresses, sending QUIC datagrams, closing.
 */
public abstract class H3ConnectionBase implements HttpConnection {
    private static final System.Logger LOG = System.getLogger(H3ConnectionBase.class.getName());
    /** Datagrams kept while their stream has no receiver yet: a client may send them right behind its request. */
    public static final int DEFAULT_PENDING_DATAGRAMS = 64;
    /** No real SETTINGS, GOAWAY or PRIORITY_UPDATE frame comes near this. */
    private static final int MAX_CONTROL_FRAME = 4096;

    private final Map<Long, Long> peerSettings = new ConcurrentHashMap<>();
    /** Counted down when the peer's SETTINGS arrive, or the connection closes first (waiters need not wait on). */
    private final CountDownLatch peerSettingsReceived = new CountDownLatch(1);
    private volatile boolean peerSettingsArrived;
    private final List<Consumer<String>> closeListeners = new CopyOnWriteArrayList<>();
    // One virtual thread delivers datagrams in arrival order, off the engine's own threads.
    private final ExecutorService datagramExecutor = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("h3-datagrams").factory());
    private final DatagramDemux demux;
    private volatile String closeReason;
    /** Guards the two request-stream ids below: a GOAWAY must name an id past every request already accepted. */
    private final Object goAwayLock = new Object();
    private long highestRequestStream = -1;
    /** The id our GOAWAY carried; -1 while none was sent. */
    private long goAwayStreamId = -1;
    /** Whether our control stream carries SETTINGS already: a GOAWAY asked for before then waits for it. */
    private boolean controlStreamReady;
    /** The peer's GOAWAY; only a client connection keeps it (a client's GOAWAY carries a push ID, and we never push). */
    private final PeerGoAway peerGoAway = new PeerGoAway();
    /** How long a request stream that failed before its response waits for the GOAWAY that may explain it. */
    private static final long GOAWAY_GRACE_MILLIS = 1000;

    /** @param pendingDatagrams HTTP Datagrams held for request streams that do not take them yet */
    protected H3ConnectionBase(int pendingDatagrams) {
        this.demux = new DatagramDemux(pendingDatagrams);
    }

    /** Where the engine hands each received QUIC DATAGRAM payload, in order, to {@link #datagramReceived}. */
    protected final ExecutorService datagramExecutor() {
        return datagramExecutor;
    }

    /** One received QUIC DATAGRAM payload; runs on {@link #datagramExecutor()}. */
    protected final void datagramReceived(byte[] datagram) {
        try {
            demux.accept(datagram);
        } catch (RuntimeException e) {
            LOG.log(WARNING, remoteAddress() + ": datagram receiver failed", e);
        }
    }

    /**
     * Queues one QUIC DATAGRAM frame payload (Quarter Stream ID first). Never blocks; false (dropped) when it cannot
     * be sent: too large, datagrams not enabled, the connection closed or the engine's queue full. Only request
     * streams send, through {@link FramedStream#sendDatagram}.
     */
    protected abstract boolean sendQuicDatagram(byte[] datagram);

    @Override
    public final void onDatagramDropped(java.util.function.Consumer<String> listener) {
        demux.onDropped(listener);
    }

    /** A request stream's datagram receiver ({@link FramedStream#receiveDatagrams}); null stops. */
    final void receiveDatagrams(long streamId, org.masquerelay.engine.DatagramReceiver receiver) {
        demux.register(streamId, receiver);
    }

    /**
     * Whether HTTP Datagrams may be sent, given that QUIC DATAGRAM was negotiated: before the peer's SETTINGS arrive
     * the transport parameter is all we know; afterwards SETTINGS_H3_DATAGRAM decides (RFC 9297 §2.1.1).
     */
    protected final boolean settingsAllowDatagrams() {
        return !peerSettingsArrived || peerSettings.getOrDefault(H3.SETTINGS_H3_DATAGRAM, 0L) == 1L;
    }

    /**
     * A unidirectional stream the peer opened: its control stream is read for the life of the connection, QPACK
     * streams drained, reserved and unknown types refused with {@code abortReading} (RFC 9114 §6.2).
     */
    protected final void readUnidirectional(InputStream in, LongConsumer abortReading, long streamId) {
        try {
            long type = VarInt.read(in);
            if (type == H3.STREAM_CONTROL) {
                readControlStream(in);
            } else if (type == H3.STREAM_QPACK_ENCODER || type == H3.STREAM_QPACK_DECODER) {
                in.transferTo(OutputStream.nullOutputStream());
            } else {
                abortReading.accept(H3.H3_STREAM_CREATION_ERROR);
            }
        } catch (IOException e) {
            LOG.log(DEBUG, "{0}: unidirectional stream {1} ended: {2}", remoteAddress(), streamId, e.toString());
        }
    }

    /**
     * Reads the peer's control stream (after its type) for as long as the connection lives: SETTINGS are kept, and on
     * a client connection the relay's GOAWAY; PRIORITY_UPDATE, reserved and unknown frames are skipped (RFC 9114 §9). HTTP/2-only setting ids are a
     * connection error in RFC 9114 §7.2.4.1; they are tolerated, as a sloppy peer's tunnels are worth more than the
     * rule. A malformed control stream, or its end, closes the connection as RFC 9114 §6.2.1 requires.
     */
    protected final void readControlStream(InputStream in) {
        ControlStreamReader reader = new ControlStreamReader(in, MAX_CONTROL_FRAME);
        try {
            Frame settings = reader.readFrame();
            peerSettings.putAll(FrameWriter.parseSettings(settings.payload()));
            peerSettingsArrived = true;
            peerSettingsReceived.countDown();
            while (true) {
                Frame frame = reader.readFrame();
                if (frame.type() == H3.FRAME_GOAWAY && isClient()) {
                    peerGoAway.received(goAwayId(frame.payload()));
                }
            }
        } catch (H3StreamException e) {
            if (isOpen()) {
                LOG.log(DEBUG, "{0}: control stream error: {1}", remoteAddress(), e.getMessage());
                close(e.errorCode(), e.getMessage());
            }
        } catch (IOException e) {
            // The connection went away under the reader.
        }
    }

    /**
     * Whether a request stream the peer opened may be served (server side): every stream below the id of a GOAWAY we
     * sent still is (RFC 9114 §5.2: those requests may already be on their way); one at or past it is not, and the
     * engine rejects it with H3_REQUEST_REJECTED, which tells the client it was never processed.
     */
    public final boolean admitRequestStream(long streamId) {
        synchronized (goAwayLock) {
            if (goAwayStreamId >= 0 && streamId >= goAwayStreamId) {
                return false;
            }
            highestRequestStream = Math.max(highestRequestStream, streamId);
            return true;
        }
    }

    /**
     * Tells the client to open no more requests here (RFC 9114 §5.2): a GOAWAY on our control stream carrying the
     * first client-initiated bidirectional stream id we will not serve; requests already accepted run on. Sent once;
     * false when it was sent before or the control stream is gone (the connection is closing anyway).
     */
    public final boolean goAway() {
        long id;
        synchronized (goAwayLock) {
            if (goAwayStreamId >= 0) {
                return false;
            }
            id = highestRequestStream + 4;
            if (highestRequestStream < 0) {
                id = 0;
            }
            goAwayStreamId = id;
            if (!controlStreamReady) {
                return true; // sent by controlStreamReady(), right behind SETTINGS
            }
        }
        return writeGoAway(id);
    }

    /**
     * The engine has written SETTINGS on our control stream: from now on frames may follow, and a GOAWAY asked for
     * while the stream was being opened goes out now.
     */
    protected final void controlStreamReady() {
        long id;
        synchronized (goAwayLock) {
            controlStreamReady = true;
            id = goAwayStreamId;
        }
        if (id >= 0) {
            writeGoAway(id);
        }
    }

    private boolean writeGoAway(long id) {
        byte[] payload = VarInt.encode(id);
        try {
            writeControl(FrameWriter.encodeFrame(H3.FRAME_GOAWAY, payload, 0, payload.length));
            return true;
        } catch (IOException e) {
            LOG.log(DEBUG, "{0}: no GOAWAY sent: {1}", remoteAddress(), e.toString());
            return false;
        }
    }

    /** Whether we sent a GOAWAY on this connection. */
    public final boolean goingAway() {
        synchronized (goAwayLock) {
            return goAwayStreamId >= 0;
        }
    }

    /** Whether this is the client end of the connection: it then keeps the relay's GOAWAY. */
    protected boolean isClient() {
        return false;
    }

    private static long goAwayId(byte[] payload) throws H3StreamException {
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(payload);
        try {
            long id = VarInt.read(in);
            if (in.hasRemaining()) {
                throw new H3StreamException(H3.H3_FRAME_ERROR, "GOAWAY frame longer than its stream id");
            }
            return id;
        } catch (java.nio.BufferUnderflowException e) {
            throw new H3StreamException(H3.H3_FRAME_ERROR, "truncated GOAWAY frame");
        }
    }

    /**
     * Client side: whether new requests may go on this connection: it is open and the relay has sent no GOAWAY (RFC
     * 9114 §5.2: "the client MUST NOT send new requests on the connection after receiving GOAWAY").
     */
    public final boolean acceptsNewStreams() {
        return isOpen() && peerGoAway.streamId().isEmpty();
    }

    /** Client side: the stream id of the relay's GOAWAY, once one has arrived. */
    public final java.util.OptionalLong goAwayStreamId() {
        return peerGoAway.streamId();
    }

    /** Client side: runs {@code listener} with the GOAWAY's stream id when the relay sends one (at once if it has). */
    public final void onGoAway(LongConsumer listener) {
        peerGoAway.onGoAway(listener);
    }

    /** Client side, before a new request: refused as not processed once the relay has sent GOAWAY. */
    protected final void checkAcceptsNewRequests() throws org.masquerelay.engine.RequestNotProcessedException {
        java.util.OptionalLong id = peerGoAway.streamId();
        if (id.isPresent()) {
            throw new org.masquerelay.engine.RequestNotProcessedException("the relay sent GOAWAY (stream "
                    + id.getAsLong() + "): no new request on this connection", null);
        }
    }

    /**
     * Client side: whether a request stream that failed before its response was not processed by the relay (RFC 9114
     * §5.2): its id is at or past the relay's GOAWAY. A GOAWAY not read yet is waited for, briefly, while the
     * connection lives (the relay sends it before it rejects a stream, on another stream).
     */
    final boolean goAwayCovers(long streamId, boolean wait) {
        return peerGoAway.covers(streamId, wait && isOpen() ? GOAWAY_GRACE_MILLIS : 0);
    }

    /** Appends whole frames to our control stream (after SETTINGS), one writer at a time. */
    protected abstract void writeControl(byte[] frames) throws IOException;

    /** The peer's SETTINGS, waiting up to {@code waitMillis} for them; empty if none arrived. */
    public Map<Long, Long> peerSettings(long waitMillis) {
        try {
            peerSettingsReceived.await(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Map.copyOf(peerSettings);
    }

    /** Whether the peer's SETTINGS have arrived. */
    public final boolean peerSettingsArrived() {
        return peerSettingsArrived;
    }

    /** The connection has ended: listeners run once, with the first reason given. */
    protected void closed(String reason) {
        synchronized (this) {
            if (closeReason != null) {
                return;
            }
            closeReason = reason;
        }
        datagramExecutor.shutdownNow();
        peerSettingsReceived.countDown();
        peerGoAway.connectionEnded();
        for (Consumer<String> listener : closeListeners) {
            try {
                listener.accept(reason);
            } catch (RuntimeException e) {
                LOG.log(WARNING, "close listener failed", e);
            }
        }
    }

    @Override
    public final void onClose(Consumer<String> listener) {
        closeListeners.add(listener);
        String reason = closeReason;
        if (reason != null) {
            listener.accept(reason);
        }
    }

    @Override
    public final java.util.Optional<String> closeReason() {
        return java.util.Optional.ofNullable(closeReason);
    }

    @Override
    public final boolean isOpen() {
        return closeReason == null;
    }
}
