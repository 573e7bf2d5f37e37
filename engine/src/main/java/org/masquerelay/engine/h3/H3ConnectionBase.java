package org.masquerelay.engine.h3;

import org.masquerelay.engine.H3Connection;
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
 * What every engine's {@link H3Connection} does the same way: HTTP Datagrams routed to their request streams in
 * order on one virtual thread ({@link DatagramDemux}; those that arrive before their stream asks are kept, bounded),
 * the peer's unidirectional and control streams read (SETTINGS kept, everything else skipped as RFC 9114 §9 says),
 * and the close notification. An engine supplies the QUIC side: addresses, sending QUIC datagrams, closing.
 */
public abstract class H3ConnectionBase implements H3Connection {
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
     * Reads the peer's control stream (after its type) for as long as the connection lives: SETTINGS are kept;
     * GOAWAY, PRIORITY_UPDATE, reserved and unknown frames are skipped (RFC 9114 §9). HTTP/2-only setting ids are a
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
                reader.readFrame();
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
